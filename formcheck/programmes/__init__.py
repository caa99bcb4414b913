"""Programmes as data: routines of exercises with their dosage and progression.

The types (``schema``), reading and validating a file (``parse``, ``items``, ``progression``,
``dose``, ``problems``), the exercises it may name (``exercises``), the shipped and user
catalogue (``catalog``), saving (``store``), writing a file back (``dump``) and how long a
programme takes (``estimate``).
"""

from formcheck.programmes.catalog import (
    PROGRAMMES_DIR,
    PROGRAMMES_ENV,
    ProgrammeCatalogue,
    is_programme_file,
    list_programmes,
    load_programme,
    programmes_dir,
    read_programme_file,
    scan_programmes,
    validate_programme_file,
)
from formcheck.programmes.dump import dump_programme
from formcheck.programmes.estimate import estimate_minutes
from formcheck.programmes.parse import parse_programme, programme_id
from formcheck.programmes.problems import ProgrammeFileError
from formcheck.programmes.schema import Programme, ProgrammeItem, ProgressionStep
from formcheck.programmes.store import save_programme, unique_id

__all__ = [
    "PROGRAMMES_DIR", "PROGRAMMES_ENV", "Programme", "ProgrammeCatalogue", "ProgrammeFileError", "ProgrammeItem",
    "ProgressionStep", "dump_programme", "estimate_minutes", "is_programme_file", "list_programmes",
    "load_programme", "parse_programme", "programme_id", "programmes_dir", "read_programme_file", "save_programme",
    "scan_programmes", "unique_id", "validate_programme_file",
]  # fmt: skip
