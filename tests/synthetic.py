"""Synthetic poses for tests: a 3-D stick figure → BlazePose-style :class:`PoseFrame` / :class:`PoseTrack`.

The body is built in world metres: x along the floor (the person's head is usually toward
-x for lying poses), y up, z toward the camera. The near body side sits at +z, the far
side at -z. :func:`body` places the joints from segment *directions* (degrees in the
side-view plane: 0 = toward +x, 90 = straight up, 180 = toward -x, -90 = straight down),
so a pose reads like a physio's description ("trunk flat, thighs vertical, shins
horizontal"); :func:`pose_frame` projects it for a camera looking from the side
(``yaw_deg=0``) or from the feet/front (``yaw_deg=90``) and fills all 33 landmarks;
:func:`make_track` strings frames into a track at a frame rate.

Example — a supine glute bridge at the top, head to the left, seen side-on::

    pts = body(hip=(0.0, 0.35), trunk=160, near=Limb(thigh=-20, shin=-90))
    frame = pose_frame(pts, t=0.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.track import PoseFrame, PoseTrack

#: Segment lengths in metres (an average adult).
LENGTHS = {"torso": 0.50, "neck": 0.20, "upper_arm": 0.30, "forearm": 0.27, "thigh": 0.45, "shin": 0.43, "foot": 0.18}
HIP_WIDTH = 0.18
SHOULDER_WIDTH = 0.36

Point = tuple[float, float] | tuple[float, float, float]


def _dir(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.cos(r), math.sin(r), 0.0])


@dataclass(frozen=True)
class Limb:
    """Segment directions of one body side (degrees, see the module docstring).

    ``knee_out``/``hand_out`` move the knee/wrist sideways (metres, away from the midline),
    e.g. a knee falling out; ``None`` leaves the limb in its side-view plane.
    """

    upper_arm: float = -90.0
    forearm: float = -90.0
    thigh: float = -90.0
    shin: float = -90.0
    foot: float | None = None
    knee_out: float = 0.0
    hand_out: float = 0.0


def body(hip: Point = (0.0, 0.1), trunk: float = 90.0, head: float | None = None, near: Limb = Limb(),
         far: Limb | None = None, near_side: str = "left", lengths: dict[str, float] | None = None,
         trunk_twist_deg: float = 0.0, pelvis_twist_deg: float = 0.0,
         face: float | None = None) -> dict[str, np.ndarray]:
    """Joint positions (metres) of a stick figure, keyed by BlazePose landmark name.

    Args:
        hip: mid-hip position (x, y) or (x, y, z).
        trunk: direction of the hip→shoulder line.
        head: direction of the shoulder→ear line (defaults to the trunk's: head in line).
        near, far: the limbs of the near and far body side (``far`` defaults to ``near``).
        near_side: which anatomical side ("left"/"right") faces the camera.
        lengths: segment lengths overriding :data:`LENGTHS`.
        trunk_twist_deg, pelvis_twist_deg: rotation of the shoulder / hip line about the trunk
            axis (degrees; positive brings the near shoulder/hip toward the head direction +x).
        face: direction the face (nose) points; default ``head + 90``, which is "forward" for a
            person facing -x (upright, seated, kneeling, all fours, prone); pass ``head - 90``
            for a person lying on the back with the head toward -x.
    """
    seg = {**LENGTHS, **(lengths or {})}
    far_side = "right" if near_side == "left" else "left"
    hip3 = np.array([*hip, 0.0][:3], dtype=float)
    head_deg = trunk if head is None else head
    head_dir = _dir(head_deg)
    face_dir = _dir(head_deg + 90.0 if face is None else face)
    shoulder_mid = hip3 + seg["torso"] * _dir(trunk)
    pts: dict[str, np.ndarray] = {}
    for side, limb, s in ((near_side, near, 1.0), (far_side, far or near, -1.0)):
        tw, pw = math.radians(trunk_twist_deg), math.radians(pelvis_twist_deg)
        shoulder = shoulder_mid + s * SHOULDER_WIDTH / 2 * np.array([math.sin(tw), 0.0, math.cos(tw)])
        hip_p = hip3 + s * HIP_WIDTH / 2 * np.array([math.sin(pw), 0.0, math.cos(pw)])
        toes_up = math.cos(math.radians(trunk)) < 0
        pts.update(_limb_points(side, limb, s, shoulder, hip_p, seg, toes_up))
        pts[f"{side}_ear"] = shoulder_mid + seg["neck"] * head_dir + s * np.array([0.0, 0.0, 0.07])
        face_point = shoulder_mid + 0.08 * face_dir
        for eye in ("eye_inner", "eye", "eye_outer"):
            pts[f"{side}_{eye}"] = face_point + (seg["neck"] + 0.03) * head_dir + s * np.array([0, 0, 0.03])
        pts[f"mouth_{side}"] = face_point + (seg["neck"] - 0.04) * head_dir + s * np.array([0, 0, 0.02])
    pts["nose"] = shoulder_mid + seg["neck"] * head_dir + 0.1 * face_dir
    return pts


def _limb_points(side: str, limb: Limb, s: float, shoulder: np.ndarray, hip: np.ndarray, seg: dict[str, float],
                 toes_up: bool) -> dict[str, np.ndarray]:
    """Shoulder, arm, hip and leg joints of one body ``side`` (``s`` +1 near, -1 far); with no
    ``limb.foot`` the foot is square to the shin, toes up when the head is toward -x."""
    out = np.array([0.0, 0.0, s])
    elbow = shoulder + seg["upper_arm"] * _dir(limb.upper_arm)
    wrist = elbow + seg["forearm"] * _dir(limb.forearm) + limb.hand_out * out
    knee = hip + seg["thigh"] * _dir(limb.thigh) + limb.knee_out * out
    ankle = knee + seg["shin"] * _dir(limb.shin)
    foot_dir = limb.foot if limb.foot is not None else limb.shin + 90.0 * (1.0 if toes_up else -1.0)
    pts = {
        f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_wrist": wrist,
        f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
        f"{side}_heel": ankle - 0.05 * _dir(foot_dir), f"{side}_foot_index": ankle + seg["foot"] * _dir(foot_dir),
    }
    for finger in ("pinky", "index", "thumb"):
        pts[f"{side}_{finger}"] = wrist + 0.07 * _dir(limb.forearm)
    return pts


def pose_frame(points: dict[str, np.ndarray], t: float = 0.0, yaw_deg: float = 0.0,
               image_size: tuple[int, int] = (1280, 720), pixels_per_m: float = 300.0,
               centre: Point | None = None, visibility: float = 0.99, far_visibility: float = 0.9,
               visibility_overrides: dict[str, float] | None = None, persons: int = 1,
               noise_m: float = 0.0, rng: np.random.Generator | None = None) -> PoseFrame:
    """Project world points into a 33-landmark :class:`PoseFrame`.

    Args:
        points: landmark name → (x, y[, z]) in metres (from :func:`body` or hand-made);
            landmarks not given are placed on the mid-hip and marked invisible.
        yaw_deg: camera direction: 0 = side view (looking along -z), 90 = looking along -x
            (from the feet of a person whose head is toward -x, or at the front of one facing +x).
        pixels_per_m, centre: image scale and the world point at the image centre (default:
            the middle of the given points' bounding box).
        visibility, far_visibility: visibility of points nearer/further than the body's middle.
        visibility_overrides: exact visibility per landmark name.
        noise_m: standard deviation of Gaussian landmark jitter in metres.
    """
    w, h = image_size
    yaw = math.radians(yaw_deg)
    rot = np.array([[math.cos(yaw), 0.0, -math.sin(yaw)], [0.0, 1.0, 0.0], [math.sin(yaw), 0.0, math.cos(yaw)]])
    world = {k: rot @ np.array([*v, 0.0][:3], dtype=float) for k, v in points.items()}
    arr = np.array(list(world.values()))
    c = (arr.min(axis=0) + arr.max(axis=0)) / 2 if centre is None else rot @ np.array([*centre, 0.0][:3], dtype=float)
    lm = np.zeros((COUNT, 4), dtype=np.float32)
    default = world.get("left_hip", c)
    for name, i in INDEX.items():
        p = world.get(name)
        if noise_m and p is not None:
            p = p + (rng or np.random.default_rng(0)).normal(0.0, noise_m, 3)
        q = default if p is None else p
        lm[i, 0] = 0.5 + (q[0] - c[0]) * pixels_per_m / w
        lm[i, 1] = 0.5 - (q[1] - c[1]) * pixels_per_m / h
        lm[i, 2] = -q[2]
        lm[i, 3] = 0.0 if p is None else (visibility if q[2] >= c[2] - 1e-9 else far_visibility)
    for name, v in (visibility_overrides or {}).items():
        lm[INDEX[name], 3] = v
    # MediaPipe's world landmarks: metres from the body's middle, x right, y down, z away from the camera.
    world_lm = np.array([(world.get(n, default) - c) * (1.0, -1.0, -1.0) for n in INDEX], dtype=np.float32)
    return PoseFrame(timestamp_s=float(t), landmarks=lm, world=world_lm, persons=persons, image_size=image_size)


def make_track(frames: Iterable[PoseFrame], fps: float = 30.0, source: str = "synthetic") -> PoseTrack:
    """A :class:`PoseTrack` from frames (timestamps are re-set to ``i / fps``)."""
    frames = [replace(f, timestamp_s=i / fps) for i, f in enumerate(frames)]
    return PoseTrack.from_frames(frames, fps, source=source, model="synthetic")


def animate(pose_at: Callable[[float], dict[str, np.ndarray]], duration_s: float, fps: float = 30.0,
            centre: Point | None = None, **frame_kw) -> PoseTrack:
    """A track of ``pose_at(t)`` sampled at ``fps`` for ``duration_s`` seconds.

    The image centre stays fixed (``centre`` or the first pose's middle), like a camera on a tripod.
    """
    n = int(round(duration_s * fps))
    if centre is None:
        arr = np.array([np.array([*v, 0.0][:3]) for v in pose_at(0.0).values()])
        mid = (arr.min(axis=0) + arr.max(axis=0)) / 2
        centre = (float(mid[0]), float(mid[1]), float(mid[2]))
    rng = np.random.default_rng(0)
    return make_track([pose_frame(pose_at(i / fps), t=i / fps, centre=centre, rng=rng, **frame_kw) for i in range(n)],
                      fps)


def ramp(t: float, points: list[tuple[float, float]]) -> float:
    """Piecewise-linear keyframes: ``ramp(t, [(0, 90), (2, 160), (4, 90)])``; flat outside."""
    ts, vs = zip(*points, strict=True)
    return float(np.interp(t, ts, vs))


def cycle(t: float, period_s: float, low: float, high: float, start_s: float = 0.0, reps: int | None = None,
          hold_frac: float = 0.3) -> float:
    """A smooth repetition ``low → high (held) → low`` every ``period_s`` after ``start_s``.

    ``hold_frac`` of each period is spent at ``high``; after ``reps`` cycles it stays at ``low``.
    """
    if t < start_s or (reps is not None and t >= start_s + reps * period_s):
        return low
    phase = ((t - start_s) % period_s) / period_s
    move = (1 - hold_frac) / 2
    if phase < move:
        x = 0.5 - 0.5 * math.cos(math.pi * phase / move)
    elif phase < move + hold_frac:
        x = 1.0
    else:
        x = 0.5 + 0.5 * math.cos(math.pi * (phase - move - hold_frac) / move)
    return low + (high - low) * x
