"""One frame's overlay: a list of drawers applied in order to a copy of the frame.

The drawers (:mod:`formcheck.outputs.drawers`) all read the same :class:`OverlayState`, so a
caller may reorder them, drop some or add its own::

    annotate_frame(rgb, pose, status, rule, drawers=[SkeletonDrawer(), MyDrawer()])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from formcheck.engine.status import EngineStatus
from formcheck.outputs.drawers import (
    AngleDrawer,
    BannerDrawer,
    CounterDrawer,
    Drawer,
    HoldTimerDrawer,
    OverlayState,
    SkeletonDrawer,
)
from formcheck.pose.track import PoseFrame
from formcheck.rules.schema import Rule

#: The standard overlay, bottom layer first: skeleton, metric values, rep counter, hold timer, cue banner.
DEFAULT_DRAWERS: tuple[Drawer, ...] = (SkeletonDrawer(), AngleDrawer(), CounterDrawer(), HoldTimerDrawer(),
                                       BannerDrawer())


def annotate_frame(rgb: np.ndarray, pose: PoseFrame | None, status: EngineStatus, rule: Rule,
                   drawers: Sequence[Drawer] = DEFAULT_DRAWERS) -> np.ndarray:
    """A copy of ``rgb`` (RGB uint8) with ``drawers`` applied in order to this frame's state."""
    frame = np.ascontiguousarray(rgb, dtype=np.uint8).copy()
    state = OverlayState(pose, status, rule)
    for drawer in drawers:
        frame = drawer.draw(frame, state)
    return frame


__all__ = ["DEFAULT_DRAWERS", "annotate_frame"]
