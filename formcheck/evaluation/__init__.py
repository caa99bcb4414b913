"""Scoring against hand labels (labels.toml): the `formcheck eval` command's core."""
