"""What decides a clip's result in a batch (exercise, model, people looked for) and the annotate switch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from formcheck.pose.models import DEFAULT_VARIANT

#: ``--exercise`` value that recognises each clip's exercise.
AUTO = "auto"


@dataclass(frozen=True)
class ReviewSettings:
    """How every clip of a batch is reviewed.

    Attributes:
        exercise: an exercise id, or ``"auto"`` to recognise each clip's exercise.
        variant: pose model size (``lite``, ``full``, ``heavy``).
        model: the bundle the workers load; ``None``: each worker finds its own (a cluster node's
            ``FORMCHECK_MODEL_DIR``), which must have the fingerprint ``model_fingerprint``.
        model_fingerprint: content fingerprint of the bundle the driver resolved ("" skips the check).
        max_people: people the detector looks for (1 or 2).
        every_frame: run the pose model on every frame (``--every-frame``) instead of at the adaptive rate.
        annotate: also make an annotated H.264 video of each clip.
    """

    exercise: str = AUTO
    variant: str = DEFAULT_VARIANT
    model: str | None = None
    model_fingerprint: str = ""
    max_people: int = 2
    every_frame: bool = False
    annotate: bool = False

    def key(self) -> dict[str, Any]:
        """The settings a finished clip's record must match to be skipped on a later run."""
        return {"exercise": self.exercise, "variant": self.variant, "model": self.model_fingerprint,
                "max_people": self.max_people, "every_frame": self.every_frame}


__all__ = ["AUTO", "ReviewSettings"]
