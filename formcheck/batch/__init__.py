"""``formcheck batch``: every video of a folder reviewed like ``formcheck analyze --json``.

One task per clip (:func:`formcheck.batch.jobs.run_clip`), run in this process, in local
worker processes (:mod:`formcheck.batch.local`) or on a Ray cluster
(:mod:`formcheck.batch.ray_runner`); the driver (:func:`formcheck.batch.run.run_batch`) alone
writes the outputs, atomically, and skips clips finished by an earlier run. See docs/batch.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formcheck.batch.request import BatchRequest
    from formcheck.batch.run import BatchReport, run_batch

__all__ = ["BatchReport", "BatchRequest", "run_batch"]

_HOMES = {"BatchRequest": "formcheck.batch.request", "BatchReport": "formcheck.batch.run",
          "run_batch": "formcheck.batch.run"}


def __getattr__(name: str) -> Any:
    """Load the entry points on first use (``formcheck --help`` stays fast)."""
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(name)
