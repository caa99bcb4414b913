"""Exercise rules as data: the schema (``schema``) and the catalogue of files (``catalog``)."""

from formcheck.rules.catalog import RULES_DIR, list_rules, load_rule, rule_path
from formcheck.rules.schema import Condition, FaultSpec, HoldSpec, MetricSpec, RepSpec, Rule, Threshold, parse_rule

__all__ = [
    "RULES_DIR", "Condition", "FaultSpec", "HoldSpec", "MetricSpec", "RepSpec", "Rule", "Threshold",
    "list_rules", "load_rule", "parse_rule", "rule_path",
]  # fmt: skip
