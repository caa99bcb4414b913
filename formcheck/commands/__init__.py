"""Subcommands of ``formcheck`` that live in their own modules (each has ``add_parser(add)``)."""
