"""The allowed dose of a programme item, and reading one number of it with a physio-readable message.

``sets`` 1-10 and ``reps`` 1-100 (whole numbers, as in a rule file's ``prescription:``),
``hold_s`` 1-300 s, ``duration_s`` 1-3600 s, ``rest_s`` 0-600 s.
"""

from __future__ import annotations

from typing import Any

from formcheck.rules.ranges import FIELD_RANGES, Allowed
from formcheck.rules.reader import Reader, is_number, show

#: The allowed range of every number of an item (and of a progression step's reps and hold_s).
DOSE: dict[str, Allowed] = {
    "sets": FIELD_RANGES["prescription.sets"],
    "reps": FIELD_RANGES["prescription.reps"],
    "hold_s": Allowed(1, 300, "s", "seconds"),
    "duration_s": FIELD_RANGES["prescription.duration_s"],
    "rest_s": Allowed(0, 600, "s", "seconds"),
}


def read_number(r: Reader, data: dict, key: str, where: str, default: Any = None) -> Any:
    """``data[key]`` within ``DOSE[key]``, e.g. ``items[2].reps: must be a whole number of reps from 1 to 100,
    got -3``; ``default`` when missing (``...``: required)."""
    allowed, path = DOSE[key], f"{where}.{key}"
    if key not in data:
        return r.default(path, default, f"is required: {allowed.describe()}")
    value = data[key]
    if not is_number(value) or not allowed.low <= value <= allowed.high or (allowed.whole and value != int(value)):
        r.fail(path, f"must be {allowed.describe()}, got {show(value)}")
    return int(value) if allowed.whole else float(value)


__all__ = ["DOSE", "read_number"]
