"""The rule engine: a rule's state machine over metric values, recognition of the exercise, re-tuning thresholds."""
