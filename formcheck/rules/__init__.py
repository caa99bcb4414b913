"""Exercise rules as data: the types (``schema``), their validation (``validate``), the walk over
a rule's numbers (``walk``), metric kinds (``kinds``), postures (``postures``) and the catalogue
of files (``catalog``)."""

from formcheck.rules.catalog import RULES_DIR, list_rules, load_rule, rule_path
from formcheck.rules.schema import Condition, FaultSpec, HoldSpec, MetricSpec, RepSpec, Rule, Threshold
from formcheck.rules.validate import parse_rule

__all__ = [
    "RULES_DIR", "Condition", "FaultSpec", "HoldSpec", "MetricSpec", "RepSpec", "Rule", "Threshold",
    "list_rules", "load_rule", "parse_rule", "rule_path",
]  # fmt: skip
