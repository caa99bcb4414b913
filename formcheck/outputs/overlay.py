"""Frame drawing: small composable drawers, one ``draw`` method each (supervision style).

Every drawer draws **in place** on an RGB uint8 frame and returns it, so they chain in
any order; :func:`annotate_frame` copies the frame first and applies them all. Sizes
(fonts, lines, margins) scale with the frame's shorter side, so the same overlay reads
the same at 432p and 1080p. Layout: cue banner across the top (floor exercises leave
the top of the picture free), rep counter and hold timer bottom-left, metric panel
bottom-right, joint-angle labels at the joints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from formcheck.engine.machine import EngineStatus
from formcheck.pose.landmarks import INDEX, SKELETON, resolve
from formcheck.pose.track import PoseFrame
from formcheck.results import FaultEvent, Warning
from formcheck.rules.schema import Rule

Color = tuple[int, int, int]

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
NEAR_COLOR: Color = (0, 230, 255)
MID_COLOR: Color = (190, 190, 205)
FAR_COLOR: Color = (120, 120, 140)
ALERT_TEXT: Color = (255, 110, 110)
GOOD: Color = (60, 200, 90)
PROGRESS: Color = (255, 190, 0)
#: Banner kind → (background, text colour); all pairs have high contrast.
BANNER_COLORS: dict[str, tuple[Color, Color]] = {
    "critical": ((200, 0, 0), WHITE),
    "warning": ((205, 30, 30), WHITE),
    "info": ((255, 140, 0), BLACK),
    "setup_warning": ((255, 210, 0), BLACK),
    "guidance": ((20, 80, 190), WHITE),
}
SEVERITY_RANK = {"critical": 3, "warning": 2, "info": 1}
#: Set-up warnings in the order they should be fixed.
WARNING_ORDER = ("no_person", "two_people", "body_out_of_frame", "wrong_view")
PHASE_LABELS = {"setup": "getting ready", "bottom": "start position", "moving": "moving", "top": "top",
                "hold": "holding", "rest": "rest"}
START_HEADLINE = "Get into the start position"

FONT = cv2.FONT_HERSHEY_DUPLEX
#: OpenCV 5 draws Hershey font names with a Unicode font; OpenCV 4 cannot draw "°".
DEGREE = "°" if int(cv2.__version__.split(".")[0]) >= 5 else " deg"
ANGLE_KINDS = ("joint_angle", "straightness", "bend")


# -- drawing helpers ---------------------------------------------------------------------
class Style:
    """Pixel sizes for one frame: ``px(v)`` is ``v`` design units (1 unit = 1 px at 720p)."""

    def __init__(self, frame: np.ndarray) -> None:
        self.h, self.w = frame.shape[:2]
        self.u = min(self.h, self.w) / 720.0

    def px(self, v: float) -> int:
        return max(1, round(v * self.u))


def _thickness(height_px: int) -> int:
    return max(1, round(height_px / 11))


def _font_scale(height_px: int, thickness: int) -> float:
    return float(cv2.getFontScaleFromHeight(FONT, max(1, height_px), thickness))


def text_size(text: str, height_px: int) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` drawn ``height_px`` tall."""
    thick = _thickness(height_px)
    (w, h), _ = cv2.getTextSize(text, FONT, _font_scale(height_px, thick), thick)
    return w, h


def outline_width(height_px: int) -> int:
    """How far (pixels) the dark outline of :func:`put_text` reaches beyond the letters."""
    return max(1, (max(2, _thickness(height_px)) + 1) // 2)


def _draw_outline(frame: np.ndarray, text: str, org: tuple[int, int], scale: float, thick: int, color: Color,
                  reach: int) -> None:
    """A ``reach``-pixel halo around the letters of ``text`` exactly as :func:`put_text` draws them.

    The halo is the text's own (anti-aliased) mask grown by ``reach`` pixels. Drawing the text
    again with a thicker stroke would not do: the Unicode font of OpenCV 5 takes the thickness as
    the font weight and lays a bolder text out wider, so at small sizes its outline ran past the
    last letter as a dark blob."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = reach + thick + 2  # strokes may overhang the measured box by a pixel or two
    x0, y0 = org[0] - pad, org[1] - h - pad
    mask = np.zeros((h + base + 2 * pad, w + 2 * pad), np.uint8)
    cv2.putText(mask, text, (pad, pad + h), FONT, scale, 255, thick, cv2.LINE_AA)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    fh, fw = frame.shape[:2]
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(fw, x0 + mask.shape[1]), min(fh, y0 + mask.shape[0])
    if cx1 <= cx0 or cy1 <= cy0:
        return
    alpha = mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0, None].astype(np.float32) / 255.0
    roi = frame[cy0:cy1, cx0:cx1]
    roi[:] = (roi * (1.0 - alpha) + np.asarray(color, np.float32) * alpha + 0.5).astype(np.uint8)


def put_text(frame: np.ndarray, text: str, org: tuple[int, int], height_px: int, color: Color,
             outline: Color | None = BLACK) -> int:
    """Draw ``text`` with its baseline-left corner at ``org``; returns the text width.

    ``outline`` draws a dark halo :func:`outline_width` pixels wide that hugs the letters."""
    thick = _thickness(height_px)
    scale = _font_scale(height_px, thick)
    if outline is not None:
        _draw_outline(frame, text, org, scale, thick, outline, outline_width(height_px))
    cv2.putText(frame, text, org, FONT, scale, color, thick, cv2.LINE_AA)
    return cv2.getTextSize(text, FONT, scale, thick)[0][0]


def fill_rect(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, color: Color, alpha: float = 1.0) -> None:
    """Fill a rectangle (clipped to the frame), blended with ``alpha``."""
    h, w = frame.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = frame[y0:y1, x0:x1]
    if alpha >= 1.0:
        roi[:] = color
    else:
        cv2.addWeighted(roi, 1.0 - alpha, np.full_like(roi, color), alpha, 0.0, dst=roi)


def wrap_text(text: str, height_px: int, max_width: int) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width`` (a single long word may overflow)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or text_size(candidate, height_px)[0] <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def format_value(value: float, unit: str) -> str:
    """A metric value with its unit: ``152°``, ``1.2 s``, ``0.05 torso``; ``--`` when unknown."""
    if value is None or not math.isfinite(value):
        return "--"
    if unit == "deg":
        return f"{value:.0f}{DEGREE}"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.2f} {unit}".rstrip()


def metric_label(name: str) -> str:
    """``hip_above_line`` → ``Hip above line``."""
    return name.replace("_", " ").capitalize()


def _pixels(pose: PoseFrame, w: int, h: int, min_visibility: float) -> tuple[np.ndarray, np.ndarray]:
    lm = np.asarray(pose.landmarks, dtype=np.float64)
    xy = lm[:, :2] * (w, h)
    ok = np.isfinite(xy).all(axis=1) & (np.nan_to_num(lm[:, 3], nan=0.0) >= min_visibility)
    ok &= (np.abs(lm[:, :2]) < 3.0).all(axis=1)  # far outside the image: a bad detection
    return np.where(ok[:, None], xy, 0).round().astype(np.int32), ok


#: Rep counter panel sizes in design units: padding, small text, big number, gap between rows.
COUNTER_PAD, COUNTER_SMALL, COUNTER_BIG, COUNTER_GAP = 14, 24, 64, 12


def _left_stack(style: Style) -> tuple[int, int, int, int]:
    """Box of the rep counter (bottom-left); the hold timer stacks above it."""
    m = style.px(16)
    height = 2 * style.px(COUNTER_PAD) + 2 * style.px(COUNTER_SMALL) + style.px(COUNTER_BIG) + 2 * style.px(COUNTER_GAP)
    return m, style.h - m - height, m + style.px(260), style.h - m


# -- drawers -----------------------------------------------------------------------------
class SkeletonDrawer:
    """The skeleton's edges and joints; the body side nearer the camera is drawn brighter."""

    def __init__(self, min_visibility: float = 0.5, near_color: Color = NEAR_COLOR, far_color: Color = FAR_COLOR,
                 mid_color: Color = MID_COLOR) -> None:
        self.min_visibility = min_visibility
        self.colors = {"near": near_color, "far": far_color, "mid": mid_color}

    def draw(self, frame: np.ndarray, pose: PoseFrame | None, near_side: str | None = None) -> np.ndarray:
        """Draw ``pose`` (normalised landmarks of this frame); landmarks with visibility below
        ``min_visibility`` or NaN are skipped. ``near_side`` None draws both sides bright."""
        if pose is None or not pose.has_person:
            return frame
        style = Style(frame)
        pts, ok = _pixels(pose, style.w, style.h, self.min_visibility)
        line = style.px(4)
        groups: dict[str, list[tuple[int, int]]] = {"far": [], "mid": [], "near": []}
        for a, b in SKELETON:
            ia, ib = INDEX[a], INDEX[b]
            if ok[ia] and ok[ib]:
                groups[self._side(a, b, near_side)].append((ia, ib))
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

    @staticmethod
    def _side(a: str, b: str, near_side: str | None) -> str:
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

    def __init__(self, rule: Rule, metrics: Sequence[str] | None = None, label_joints: bool = True,
                 min_visibility: float = 0.5) -> None:
        self.rule = rule
        self.metrics = tuple(m for m in (metrics if metrics is not None else rule.key_metrics) if m in rule.metrics)
        self.label_joints = label_joints
        self.min_visibility = min_visibility

    def _fault_metrics(self, status: EngineStatus) -> set[str]:
        codes = {f.code for f in status.active_faults}
        return {c.metric for spec in self.rule.faults if spec.code in codes for c in spec.when}

    def draw(self, frame: np.ndarray, status: EngineStatus, pose: PoseFrame | None = None) -> np.ndarray:
        if not self.metrics:
            return frame
        style = Style(frame)
        alert = self._fault_metrics(status)
        if self.label_joints and pose is not None and pose.has_person:
            self._draw_joints(frame, style, status, pose, alert)
        text_h, pad, gap = style.px(24), style.px(12), style.px(12)
        rows = [(metric_label(m), format_value(status.values.get(m, float("nan")), self.rule.metrics[m].unit), m)
                for m in self.metrics]
        label_w = max(text_size(label, text_h)[0] for label, _, _ in rows)
        value_w = max(text_size(value, text_h)[0] for _, value, _ in rows) if rows else 0
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

    def _draw_joints(self, frame: np.ndarray, style: Style, status: EngineStatus, pose: PoseFrame,
                     alert: set[str]) -> None:
        pts, ok = _pixels(pose, style.w, style.h, self.min_visibility)
        for name in self.metrics:
            spec = self.rule.metrics[name]
            if spec.kind not in ANGLE_KINDS or len(spec.points) != 3:
                continue
            try:
                groups = [resolve(p, status.near_side) for p in spec.points]
            except KeyError:
                continue
            if not all(ok[i] for g in groups for i in g):
                continue
            a, v, c = (pts[list(g)].mean(axis=0) for g in groups)
            color = ALERT_TEXT if name in alert else NEAR_COLOR
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
            text = format_value(status.values.get(name, float("nan")), spec.unit)
            text_h, pad = style.px(30), style.px(7)
            tw, _ = text_size(text, text_h)
            # Put the label on the side of the joint away from the two limbs, on a dark tag.
            away = v - (a + c) / 2
            norm = float(np.hypot(*away)) or 1.0
            cx, cy = v + away / norm * (radius + style.px(30))
            x = int(np.clip(cx - tw / 2, pad, style.w - tw - pad))
            y = int(np.clip(cy + text_h / 2, text_h + pad, style.h - pad))
            fill_rect(frame, x - pad, y - text_h - pad, x + tw + pad, y + pad, BLACK, 0.6)
            put_text(frame, text, (x, y), text_h, color if name in alert else WHITE)


class CounterDrawer:
    """Rep count (out of the prescription's reps), left/right counts for alternating rules,
    and the current phase, in a panel bottom-left."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        reps = rule.prescription.get("reps")
        self.target = int(reps) if isinstance(reps, (int, float)) and reps > 0 else None

    def draw(self, frame: np.ndarray, status: EngineStatus) -> np.ndarray:
        style = Style(frame)
        x0, y0, x1, y1 = _left_stack(style)
        pad, small, big, gap = (style.px(v) for v in (COUNTER_PAD, COUNTER_SMALL, COUNTER_BIG, COUNTER_GAP))
        if self.rule.rep is None:
            y0 = y1 - (2 * pad + small)
            fill_rect(frame, x0, y0, x1, y1, BLACK, 0.6)
            put_text(frame, PHASE_LABELS.get(status.phase, status.phase), (x0 + pad, y1 - pad), small, WHITE)
            return frame
        fill_rect(frame, x0, y0, x1, y1, BLACK, 0.6)
        put_text(frame, "REPS", (x0 + pad, y0 + pad + small), small, (200, 200, 200))
        baseline = y0 + pad + small + gap + big
        if status.reps_by_side:
            x = x0 + pad
            for side in ("left", "right"):
                x += put_text(frame, f"{side[0].upper()} ", (x, baseline), big // 2, (200, 200, 200))
                x += put_text(frame, str(status.reps_by_side.get(side, 0)), (x, baseline), big, WHITE)
                x += style.px(22)
        else:
            width = put_text(frame, str(status.rep_count), (x0 + pad, baseline), big, WHITE)
            if self.target:
                put_text(frame, f"/ {self.target}", (x0 + pad + width + style.px(12), baseline), small + style.px(8),
                         (200, 200, 200))
        phase = PHASE_LABELS.get(status.phase, status.phase)
        put_text(frame, phase, (x0 + pad, y1 - pad), small, NEAR_COLOR if status.counting else (200, 200, 200))
        return frame


class HoldTimerDrawer:
    """Current hold time against the target as a progress bar, stacked above the counter.
    Drawn only for rules with a hold, once counting has started."""

    def draw(self, frame: np.ndarray, status: EngineStatus) -> np.ndarray:
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
    """One cue at a time across the top, large enough to read from 2-3 m.

    Priority: a set-up warning (the person cannot be judged until it is fixed), then
    "get into the start position" with the rule's set-up text while counting has not
    started, then the most severe active fault's message. Nothing when all is well.
    """

    def __init__(self, rule: Rule | None = None, max_lines: int = 3) -> None:
        self.rule = rule
        self.max_lines = max_lines

    def message(self, status: EngineStatus) -> tuple[str, str, str] | None:
        """``(headline, detail, kind)`` of the cue to show, or None."""
        if status.active_warnings:
            w = pick_warning(status.active_warnings)
            return w.message, "", "setup_warning"
        if not status.counting:
            return START_HEADLINE, self.rule.setup if self.rule else "", "guidance"
        if status.active_faults:
            f = pick_fault(status.active_faults)
            return f.message, "", f.severity if f.severity in BANNER_COLORS else "warning"
        return None

    def draw(self, frame: np.ndarray, status: EngineStatus) -> np.ndarray:
        cue = self.message(status)
        if cue is None:
            return frame
        headline, detail, kind = cue
        background, color = BANNER_COLORS[kind]
        style = Style(frame)
        pad = style.px(18)
        max_w = style.w - 2 * pad
        for size in (56, 48, 40, 34):  # shrink a long message rather than cover the picture
            head_h = style.px(size)
            lines = wrap_text(headline, head_h, max_w)
            if len(lines) <= 2:
                break
        lines = lines[: self.max_lines]
        detail_h = style.px(30)
        detail_lines = wrap_text(detail, detail_h, max_w)[:2] if detail else []
        line_gap = int(head_h * 0.45)
        height = pad * 2 + len(lines) * head_h + (len(lines) - 1) * line_gap
        if detail_lines:
            height += style.px(14) + len(detail_lines) * detail_h + (len(detail_lines) - 1) * int(detail_h * 0.4)
        fill_rect(frame, 0, 0, style.w, height, background, 0.88)
        fill_rect(frame, 0, height, style.w, height + style.px(4), BLACK, 0.6)
        y = pad
        for line in lines:
            y += head_h
            tw, _ = text_size(line, head_h)
            put_text(frame, line, ((style.w - tw) // 2, y), head_h, color, outline=None)
            y += line_gap
        y += style.px(14) - line_gap
        for line in detail_lines:
            y += detail_h
            tw, _ = text_size(line, detail_h)
            put_text(frame, line, ((style.w - tw) // 2, y), detail_h, color, outline=None)
            y += int(detail_h * 0.4)
        return frame


def pick_fault(faults: Sequence[FaultEvent]) -> FaultEvent:
    """The most severe fault; among equals the one active longest (so the banner does not flicker)."""
    return max(faults, key=lambda f: (SEVERITY_RANK.get(f.severity, 0), -f.start_s))


def pick_warning(warnings: Sequence[Warning]) -> Warning:
    """The set-up warning to fix first (nobody in view before the camera angle)."""
    order = {code: i for i, code in enumerate(WARNING_ORDER)}
    return min(warnings, key=lambda w: (order.get(w.code, len(order)), w.start_s))


def annotate_frame(rgb: np.ndarray, pose: PoseFrame | None, status: EngineStatus, rule: Rule) -> np.ndarray:
    """A copy of ``rgb`` with skeleton, metric values, counter, hold timer and cue banner."""
    frame = np.ascontiguousarray(rgb, dtype=np.uint8).copy()
    SkeletonDrawer().draw(frame, pose, status.near_side)
    AngleDrawer(rule).draw(frame, status, pose)
    CounterDrawer(rule).draw(frame, status)
    HoldTimerDrawer().draw(frame, status)
    BannerDrawer(rule).draw(frame, status)
    return frame


__all__ = [
    "AngleDrawer", "BannerDrawer", "CounterDrawer", "HoldTimerDrawer", "SkeletonDrawer", "Style",
    "annotate_frame", "format_value", "pick_fault", "pick_warning",
]  # fmt: skip
