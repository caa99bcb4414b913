"""Key frames of a report: the clip's picture where each fault shows, with the skeleton drawn on it.

Only the frames needed are decoded (:func:`formcheck.sources.seek.frames_at`), on the same clock
as :func:`formcheck.sources.video.read_frames`, so a track's timestamp finds its own frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from formcheck.engine.machine import RuleMachine
from formcheck.engine.status import EngineStatus
from formcheck.metrics.stream import MetricSeries
from formcheck.outputs.drawers import AngleDrawer, SkeletonDrawer
from formcheck.outputs.overlay import annotate_frame
from formcheck.pose.track import PoseTrack
from formcheck.results import FaultEvent, Rep
from formcheck.rules.schema import Rule
from formcheck.sources.seek import frames_at

if TYPE_CHECKING:
    from formcheck.analysis import Analysis

#: Width of a key frame in the report (pixels) and the JPEG quality (0-100).
KEY_FRAME_WIDTH = 480
JPEG_QUALITY = 80
#: Decode at this size before drawing (the overlay is scaled to the frame), then shrink.
DRAW_MAX_SIDE = 960
#: The overlay of a key frame: the skeleton and the key metric values (the fault's metrics in red).
KEY_FRAME_DRAWERS = (SkeletonDrawer(), AngleDrawer())


def statuses_at(series: MetricSeries, rule: Rule, indices: Sequence[int]) -> dict[int, EngineStatus]:
    """The engine's status after each of the frames ``indices`` (the rules re-run over ``series``)."""
    machine = RuleMachine(rule)
    wanted = set(indices)
    found: dict[int, EngineStatus] = {}
    last = max(wanted, default=-1)
    for i, fm in enumerate(series.frames[: last + 1]):
        machine.step(fm)
        if i in wanted:
            found[i] = machine.status()
    return found


def frame_index(track: PoseTrack, t: float) -> int:
    """The track frame nearest to time ``t``."""
    stamps = np.asarray(track.timestamps, dtype=float)
    i = int(np.clip(np.searchsorted(stamps, t), 0, len(stamps) - 1))
    return i - 1 if i > 0 and abs(stamps[i - 1] - t) <= abs(stamps[i] - t) else i


def encode_jpeg(rgb: np.ndarray, width: int = KEY_FRAME_WIDTH, quality: int = JPEG_QUALITY) -> bytes:
    """``rgb`` shrunk to ``width`` pixels wide (never enlarged) as JPEG bytes."""
    h, w = rgb.shape[:2]
    if w > width:
        rgb = cv2.resize(rgb, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the key frame could not be encoded as JPEG")
    return buf.tobytes()


def key_time(fault: FaultEvent, reps: Sequence[Rep]) -> float:
    """When a fault is best seen: a frame fault's start; a rep's fault (judged over the whole
    rep, e.g. a hold too short) at that rep's peak."""
    if fault.rep_index is not None:
        for rep in reps:
            if rep.index == fault.rep_index:
                return rep.peak_s
    return fault.start_s


def key_frames(video_path: str | Path, analysis: Analysis, faults: Sequence[FaultEvent]) -> list[bytes | None]:
    """For each fault, a JPEG of the clip at its :func:`key_time` with the skeleton and the key
    metric values drawn (the fault's metrics in red); None where the frame could not be read."""
    track, rule = analysis.track, analysis.rule
    if not len(track):
        return [None] * len(faults)
    indices = [frame_index(track, key_time(f, analysis.result.reps)) for f in faults]
    statuses = statuses_at(analysis.series, rule, indices)
    pictures = frames_at(video_path, [float(track.timestamps[i]) for i in set(indices)], max_side=DRAW_MAX_SIDE)
    out: list[bytes | None] = []
    for fault, i in zip(faults, indices, strict=True):
        rgb = pictures.get(float(track.timestamps[i]))
        if rgb is None:
            out.append(None)
            continue
        status = replace(statuses[i], active_faults=[fault])
        out.append(encode_jpeg(annotate_frame(rgb, track.frame(i), status, rule, KEY_FRAME_DRAWERS)))
    return out


__all__ = [
    "KEY_FRAME_WIDTH", "encode_jpeg", "frame_index", "key_frames", "key_time", "statuses_at",
]  # fmt: skip
