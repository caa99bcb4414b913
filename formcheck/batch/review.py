"""One clip reviewed the way ``formcheck analyze`` does it: the rule (named, or recognised from
the pose track), the result, and the result as the JSON record of ``analyze --json``.

``formcheck analyze`` and the batch task both use :func:`recognised_rule`, so a batch record
and ``analyze --json`` of the same clip are the same document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.analysis import PoseOptions, PoseTrack, Recognition, analyze_track, recognise_exercise, track_video
from formcheck.errors import FormcheckError
from formcheck.outputs.report import to_json
from formcheck.results import SessionResult
from formcheck.rules import Rule, load_rule


def recognised_rule(track: PoseTrack) -> tuple[Rule, Recognition]:
    """The catalogue rule the track shows and the recognition that chose it.

    Raises:
        FormcheckError: no catalogue exercise is recognised with enough confidence.
    """
    found = recognise_exercise(track)
    if found.exercise_id is None:
        best = f" (best guess {found.ranking[0][0]}, score {found.ranking[0][1]:.2f})" if found.ranking else ""
        raise FormcheckError(f"{found.message}{best}; pass --exercise ID")
    return load_rule(found.exercise_id), found


@dataclass(frozen=True)
class ClipReview:
    """A clip's pose track, the rule it was judged by, how that rule was chosen, and the result."""

    track: PoseTrack
    rule: Rule
    recognition: Recognition | None
    result: SessionResult

    def record(self) -> dict[str, Any]:
        """The document ``formcheck analyze --json`` writes for this clip, as a dict."""
        return json.loads(to_json(self.result, self.recognition))

    def usable_share(self) -> float:
        """Share of the clip's frames with a person found in them (0-1)."""
        return float((self.track.persons > 0).mean()) if len(self.track) else 0.0


def review_video(path: str | Path, rule: Rule | None, options: PoseOptions) -> ClipReview:
    """Run the pose model over ``path`` and judge it by ``rule`` (``None``: recognise the exercise).

    Raises:
        FormcheckError: the video cannot be used, nobody is in it, or the exercise is not recognised.
    """
    track = track_video(path, options)
    recognition = None
    if rule is None:
        rule, recognition = recognised_rule(track)
    return ClipReview(track, rule, recognition, analyze_track(track, rule))


__all__ = ["ClipReview", "recognised_rule", "review_video"]
