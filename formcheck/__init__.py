"""formcheck: computer-vision form checking for low-back-pain exercises.

The pipeline: source → pose → metrics → engine → session → outputs; see docs/architecture.md.
The one entry point is :func:`formcheck.analyze` (a video or pose track and a rule in, an
:class:`~formcheck.analysis.Analysis` out) and :func:`formcheck.analyze_track` (a track's
:class:`~formcheck.results.SessionResult`). Both load on first use, so ``import formcheck``
stays cheap for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formcheck.analysis import Analysis, analyze, analyze_track

__version__ = "0.1.0"

#: Names served lazily from :mod:`formcheck.analysis`.
_ENTRY_POINTS = ("Analysis", "analyze", "analyze_track")


def __getattr__(name: str) -> Any:
    """``formcheck.analyze`` and friends, imported from :mod:`formcheck.analysis` on first use."""
    if name in _ENTRY_POINTS:
        from formcheck import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'formcheck' has no attribute {name!r}")


__all__ = ["Analysis", "__version__", "analyze", "analyze_track"]
