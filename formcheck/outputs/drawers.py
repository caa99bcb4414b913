"""The overlay's drawers: small classes with one method, ``draw(frame, state) -> frame``.

Every drawer reads the same :class:`OverlayState` (this frame's pose, the engine's status and
the rule) and draws **in place** on an RGB uint8 frame, so drawers compose in any order and
a caller may pass its own list (supervision's annotators are the model). Layout of the
standard ones: cue banner across the top (floor exercises leave the top of the picture
free), rep counter and hold timer bottom-left, metric panel bottom-right, joint-angle
labels at the joints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from formcheck.engine.status import EngineStatus
from formcheck.outputs.cue_choice import current_cue
from formcheck.outputs.drawing import (
    BLACK,
    WHITE,
    Color,
    Style,
    fill_rect,
    format_value,
    landmark_pixels,
    metric_label,
    put_text,
    text_size,
    wrap_text,
)
from formcheck.outputs.text import side_counts
from formcheck.pose.landmarks import INDEX, SKELETON, resolve
from formcheck.pose.track import PoseFrame
from formcheck.rules.schema import Rule

NEAR_COLOR: Color = (0, 230, 255)
MID_COLOR: Color = (190, 190, 205)
FAR_COLOR: Color = (120, 120, 140)
ALERT_TEXT: Color = (255, 110, 110)
DIM_TEXT: Color = (200, 200, 200)
GOOD: Color = (60, 200, 90)
PROGRESS: Color = (255, 190, 0)
#: Cue kind → (background, text colour); all pairs have high contrast.
BANNER_COLORS: dict[str, tuple[Color, Color]] = {
    "critical": ((200, 0, 0), WHITE),
    "warning": ((205, 30, 30), WHITE),
    "info": ((255, 140, 0), BLACK),
    "setup_warning": ((255, 210, 0), BLACK),
    "guidance": ((20, 80, 190), WHITE),
}
PHASE_LABELS = {"setup": "getting ready", "bottom": "start position", "moving": "moving", "top": "top",
                "hold": "holding", "rest": "rest"}
ANGLE_KINDS = ("joint_angle", "straightness", "bend")
#: Rep counter panel sizes in design units: padding, small text, big number, gap between rows.
COUNTER_PAD, COUNTER_SMALL, COUNTER_BIG, COUNTER_GAP = 14, 24, 64, 12


@dataclass(frozen=True)
class OverlayState:
    """What one frame's overlay shows: the pose (None: no landmarks), the engine's status, the rule."""

    pose: PoseFrame | None
    status: EngineStatus
    rule: Rule

    @property
    def has_person(self) -> bool:
        """A pose with a person in it."""
        return self.pose is not None and self.pose.has_person

    def fault_metrics(self) -> set[str]:
        """The metrics an active fault is about (shown in red)."""
        codes = {f.code for f in self.status.active_faults}
        return {c.metric for spec in self.rule.faults if spec.code in codes for c in spec.when}

    def value(self, metric: str) -> str:
        """``metric``'s current value with its unit (``--`` when unknown)."""
        return format_value(self.status.values.get(metric, float("nan")), self.rule.metrics[metric].unit)


class Drawer(Protocol):
    """Anything that draws one frame's :class:`OverlayState` in place and returns the frame."""

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray: ...


class SkeletonDrawer:
    """The skeleton's edges and joints; the body side nearer the camera is drawn brighter."""

    def __init__(self, min_visibility: float = 0.5, near_color: Color = NEAR_COLOR, far_color: Color = FAR_COLOR,
                 mid_color: Color = MID_COLOR, by_side: bool = True) -> None:
        """Landmarks with visibility below ``min_visibility`` (or NaN) are skipped; ``by_side``
        False draws both body sides bright."""
        self.min_visibility = min_visibility
        self.colors = {"near": near_color, "far": far_color, "mid": mid_color}
        self.by_side = by_side

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray:
        if not state.has_person:
            return frame
        style = Style(frame)
        pts, ok = landmark_pixels(state.pose, style.w, style.h, self.min_visibility)
        near_side = state.status.near_side if self.by_side else None
        line = style.px(4)
        groups: dict[str, list[tuple[int, int]]] = {"far": [], "mid": [], "near": []}
        for a, b in SKELETON:
            ia, ib = INDEX[a], INDEX[b]
            if ok[ia] and ok[ib]:
                groups[_side(a, b, near_side)].append((ia, ib))
        joints: dict[int, str] = {}
        for group in ("far", "mid", "near"):
            for ia, ib in groups[group]:
                pa, pb = tuple(pts[ia].tolist()), tuple(pts[ib].tolist())
                cv2.line(frame, pa, pb, BLACK, line + style.px(3), cv2.LINE_AA)
                cv2.line(frame, pa, pb, self.colors[group], line, cv2.LINE_AA)
                for i in (ia, ib):
                    if group == "near" or i not in joints:
                        joints[i] = group
        radius = style.px(6)
        for i, group in sorted(joints.items(), key=lambda kv: kv[1] == "near"):
            centre = tuple(pts[i].tolist())
            cv2.circle(frame, centre, radius + style.px(2), BLACK, -1, cv2.LINE_AA)
            cv2.circle(frame, centre, radius, WHITE if group == "near" else self.colors[group], -1, cv2.LINE_AA)
        return frame


def _side(a: str, b: str, near_side: str | None) -> str:
    """Which group the edge ``a``-``b`` is drawn in: "near", "far" or "mid" (crossing the body)."""
    if near_side is None:
        return "near"
    far_side = "right" if near_side == "left" else "left"
    if a.startswith(near_side + "_") and b.startswith(near_side + "_"):
        return "near"
    if a.startswith(far_side + "_") and b.startswith(far_side + "_"):
        return "far"
    return "mid"


class AngleDrawer:
    """The rule's key metric values with units: a panel bottom-right, and angle labels at the
    joint they are measured at (with an arc for joint angles). Metrics that an active fault
    is about are shown in red."""

    def __init__(self, metrics: Sequence[str] | None = None, label_joints: bool = True,
                 min_visibility: float = 0.5) -> None:
        """``metrics`` to show (default: the rule's key metrics); names the rule lacks are skipped."""
        self.metrics = metrics
        self.label_joints = label_joints
        self.min_visibility = min_visibility

    def shown(self, rule: Rule) -> tuple[str, ...]:
        """The metrics of ``rule`` this drawer shows."""
        return tuple(m for m in (self.metrics if self.metrics is not None else rule.key_metrics) if m in rule.metrics)

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray:
        metrics = self.shown(state.rule)
        if not metrics:
            return frame
        style = Style(frame)
        alert = state.fault_metrics()
        if self.label_joints and state.has_person:
            pts, ok = landmark_pixels(state.pose, style.w, style.h, self.min_visibility)
            for name in metrics:
                self._label_joint(frame, style, state, name, pts, ok, name in alert)
        text_h, pad, gap = style.px(24), style.px(12), style.px(12)
        rows = [(metric_label(m), state.value(m), m) for m in metrics]
        label_w = max(text_size(label, text_h)[0] for label, _, _ in rows)
        value_w = max(text_size(value, text_h)[0] for _, value, _ in rows)
        value_w = max(value_w, text_size("0.00 torso", text_h)[0])  # steady width while values change
        line_h = int(text_h * 1.6)
        width, height = label_w + gap + value_w + 2 * pad, line_h * len(rows) + 2 * pad - (line_h - text_h)
        m = style.px(16)
        x0, y0 = style.w - m - width, style.h - m - height
        fill_rect(frame, x0, y0, x0 + width, y0 + height, BLACK, 0.55)
        for i, (label, value, name) in enumerate(rows):
            y = y0 + pad + text_h + i * line_h
            color = ALERT_TEXT if name in alert else WHITE
            put_text(frame, label, (x0 + pad, y), text_h, color)
            put_text(frame, value, (x0 + pad + label_w + gap, y), text_h, color)
        return frame

    @staticmethod
    def _label_joint(frame: np.ndarray, style: Style, state: OverlayState, name: str, pts: np.ndarray,
                     ok: np.ndarray, alert: bool) -> None:
        """The value of angle metric ``name`` beside its vertex joint (an arc for a joint angle)."""
        spec = state.rule.metrics[name]
        if spec.kind not in ANGLE_KINDS or len(spec.points) != 3:
            return
        try:
            groups = [resolve(p, state.status.near_side) for p in spec.points]
        except KeyError:
            return
        if not all(ok[i] for g in groups for i in g):
            return
        a, v, c = (pts[list(g)].mean(axis=0) for g in groups)
        color = ALERT_TEXT if alert else NEAR_COLOR
        radius = style.px(34)
        if spec.kind == "joint_angle":
            start = math.degrees(math.atan2(a[1] - v[1], a[0] - v[0]))
            end = math.degrees(math.atan2(c[1] - v[1], c[0] - v[0]))
            if (end - start) % 360 > 180:
                start, end = end, start
            end = start + (end - start) % 360
            centre = (int(v[0]), int(v[1]))
            cv2.ellipse(frame, centre, (radius, radius), 0, start, end, BLACK, style.px(6), cv2.LINE_AA)
            cv2.ellipse(frame, centre, (radius, radius), 0, start, end, color, style.px(3), cv2.LINE_AA)
        text = state.value(name)
        text_h, pad = style.px(30), style.px(7)
        tw, _ = text_size(text, text_h)
        # Put the label on the side of the joint away from the two limbs, on a dark tag.
        away = v - (a + c) / 2
        norm = float(np.hypot(*away)) or 1.0
        cx, cy = v + away / norm * (radius + style.px(30))
        x = int(np.clip(cx - tw / 2, pad, style.w - tw - pad))
        y = int(np.clip(cy + text_h / 2, text_h + pad, style.h - pad))
        fill_rect(frame, x - pad, y - text_h - pad, x + tw + pad, y + pad, BLACK, 0.6)
        put_text(frame, text, (x, y), text_h, color if alert else WHITE)


def _left_stack(style: Style) -> tuple[int, int, int, int]:
    """Box of the rep counter (bottom-left); the hold timer stacks above it."""
    m = style.px(16)
    height = 2 * style.px(COUNTER_PAD) + 2 * style.px(COUNTER_SMALL) + style.px(COUNTER_BIG) + 2 * style.px(COUNTER_GAP)
    return m, style.h - m - height, m + style.px(260), style.h - m


def _rep_target(rule: Rule) -> int | None:
    """The prescription's rep count, if it has one."""
    reps = rule.prescription.get("reps")
    return int(reps) if isinstance(reps, (int, float)) and reps > 0 else None


class CounterDrawer:
    """Rep count (out of the prescription's reps), left/right counts for alternating rules,
    and the current phase, in a panel bottom-left (only the phase for rules without reps)."""

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray:
        style, status = Style(frame), state.status
        x0, y0, x1, y1 = _left_stack(style)
        pad, small, big, gap = (style.px(v) for v in (COUNTER_PAD, COUNTER_SMALL, COUNTER_BIG, COUNTER_GAP))
        phase = PHASE_LABELS.get(status.phase, status.phase)
        if state.rule.rep is None:
            fill_rect(frame, x0, y1 - (2 * pad + small), x1, y1, BLACK, 0.6)
            put_text(frame, phase, (x0 + pad, y1 - pad), small, WHITE)
            return frame
        fill_rect(frame, x0, y0, x1, y1, BLACK, 0.6)
        put_text(frame, "REPS", (x0 + pad, y0 + pad + small), small, DIM_TEXT)
        baseline = y0 + pad + small + gap + big
        if status.reps_by_side:
            x = x0 + pad
            for side, count in side_counts(status.reps_by_side):
                x += put_text(frame, f"{side[0].upper()} ", (x, baseline), big // 2, DIM_TEXT)
                x += put_text(frame, str(count), (x, baseline), big, WHITE)
                x += style.px(22)
        else:
            width = put_text(frame, str(status.rep_count), (x0 + pad, baseline), big, WHITE)
            target = _rep_target(state.rule)
            if target:
                put_text(frame, f"/ {target}", (x0 + pad + width + style.px(12), baseline), small + style.px(8),
                         DIM_TEXT)
        put_text(frame, phase, (x0 + pad, y1 - pad), small, NEAR_COLOR if status.counting else DIM_TEXT)
        return frame


class HoldTimerDrawer:
    """Current hold time against the target as a progress bar, stacked above the counter.
    Drawn only for rules with a hold, once counting has started."""

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray:
        status = state.status
        if status.hold_target_s <= 0 or not status.counting:
            return frame
        style = Style(frame)
        x0, top_of_counter, x1, _ = _left_stack(style)
        pad, text_h, bar_h = style.px(12), style.px(24), style.px(22)
        y1 = top_of_counter - style.px(10)
        y0 = y1 - (2 * pad + text_h + style.px(10) + bar_h)
        fill_rect(frame, x0, y0, x1, y1, BLACK, 0.6)
        done = status.hold_s >= status.hold_target_s
        put_text(frame, f"HOLD {status.hold_s:.1f} / {status.hold_target_s:g} s", (x0 + pad, y0 + pad + text_h),
                 text_h, GOOD if done else WHITE)
        bx0, by0, bx1, by1 = x0 + pad, y1 - pad - bar_h, x1 - pad, y1 - pad
        fill_rect(frame, bx0, by0, bx1, by1, (70, 70, 70))
        share = min(1.0, max(0.0, status.hold_s / status.hold_target_s))
        fill_rect(frame, bx0, by0, bx0 + round((bx1 - bx0) * share), by1, GOOD if done else PROGRESS)
        return frame


class BannerDrawer:
    """The current cue (:func:`formcheck.outputs.cue_choice.current_cue`) across the top, large enough
    to read from 2-3 m. A long text is set smaller rather than cover the picture, and a portrait
    picture (a phone held upright: narrow but tall) gets more lines; text is never cut mid-sentence
    without an ellipsis."""

    def __init__(self, max_lines: int = 3) -> None:
        self.max_lines = max_lines

    def draw(self, frame: np.ndarray, state: OverlayState) -> np.ndarray:
        cue = current_cue(state.status, state.rule)
        if cue is None:
            return frame
        background, color = BANNER_COLORS[cue.kind]
        style = Style(frame)
        pad = style.px(18)
        max_w = style.w - 2 * pad
        portrait = style.h > style.w * 1.2
        head_h, lines = fit_lines(cue.headline, (56, 48, 40, 34), style, max_w, 2, self.max_lines + portrait)
        detail_h, detail_lines = (fit_lines(cue.detail, (30, 26, 22), style, max_w, 3 if portrait else 2,
                                            5 if portrait else 3) if cue.detail else (style.px(30), []))
        line_gap, detail_gap = int(head_h * 0.45), int(detail_h * 0.4)
        height = pad * 2 + len(lines) * head_h + (len(lines) - 1) * line_gap
        if detail_lines:
            height += style.px(14) + len(detail_lines) * detail_h + (len(detail_lines) - 1) * detail_gap
        fill_rect(frame, 0, 0, style.w, height, background, 0.88)
        fill_rect(frame, 0, height, style.w, height + style.px(4), BLACK, 0.6)
        y = _centred_lines(frame, lines, pad, head_h, line_gap, color)
        _centred_lines(frame, detail_lines, y + style.px(14) - line_gap, detail_h, detail_gap, color)
        return frame


def fit_lines(text: str, sizes: Sequence[int], style: Style, max_w: int, want: int,
              most: int | None = None) -> tuple[int, list[str]]:
    """``(height_px, lines)``: ``text`` wrapped at the largest of ``sizes`` (design units) that needs at
    most ``want`` lines, else at the smallest; more than ``most`` lines (default ``want``) end in an
    ellipsis ("...": the Hershey font has no "…"), at a word boundary, so a cut is visible."""
    most = want if most is None else most
    for size in sizes:
        height = style.px(size)
        lines = wrap_text(text, height, max_w)
        if len(lines) <= want:
            return height, lines
    if len(lines) <= most:
        return height, lines
    kept = lines[:most]
    words = kept[-1].split()
    while words and text_size(" ".join(words) + "...", height)[0] > max_w:
        words.pop()
    kept[-1] = " ".join(words).rstrip(",;:(") + "..."
    return height, kept


def _centred_lines(frame: np.ndarray, lines: Sequence[str], y: int, height_px: int, gap: int, color: Color) -> int:
    """Lines of text centred across the frame, the first one's top at ``y``; returns the ``y``
    below the last line's gap."""
    w = frame.shape[1]
    for line in lines:
        y += height_px
        tw, _ = text_size(line, height_px)
        put_text(frame, line, ((w - tw) // 2, y), height_px, color, outline=None)
        y += gap
    return y


__all__ = [
    "AngleDrawer", "BannerDrawer", "CounterDrawer", "Drawer", "HoldTimerDrawer", "OverlayState", "SkeletonDrawer",
    "fit_lines",
]  # fmt: skip
