"""docs/architecture.md walks every module of the package and names none that is gone.

The doc names modules by their path in backticks (```formcheck/engine/machine.py```) and
folders the same way (```formcheck/engine/```); this test compares those names with the files.
"""

from __future__ import annotations

import re

from app_support import REPO

DOC = REPO / "docs" / "architecture.md"
PACKAGE = REPO / "formcheck"
#: A path in backticks that starts at the package: a module (``.py``) or a folder (``/``).
NAMED = re.compile(r"`(formcheck(?:/[\w.]+)*(?:\.py|/))`")


def modules() -> set[str]:
    """Every Python file of the package, as its path from the repository root."""
    return {p.relative_to(REPO).as_posix() for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def named_in(text: str) -> set[str]:
    """The module and folder paths the doc names in backticks."""
    return set(NAMED.findall(text))


def test_the_pattern_finds_modules_and_folders():
    text = "`formcheck/engine/machine.py` runs; `formcheck/live/` is beside; formcheck/cli.py is prose."
    assert named_in(text) == {"formcheck/engine/machine.py", "formcheck/live/"}


def test_every_module_is_in_the_architecture_doc():
    missing = sorted(modules() - named_in(DOC.read_text(encoding="utf-8")))
    assert not missing, f"docs/architecture.md does not say what these modules do: {missing}"


def test_the_architecture_doc_names_only_modules_that_exist():
    gone = sorted(name for name in named_in(DOC.read_text(encoding="utf-8")) if not (REPO / name).exists())
    assert not gone, f"docs/architecture.md names modules or folders that no longer exist: {gone}"
