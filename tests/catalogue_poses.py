"""Synthetic performances of the catalogue exercises, built with :mod:`synthetic`.

Each ``*_pose(...)`` returns joint positions (metres) of one moment; each ``*_track(...)``
returns a :class:`PoseTrack` of a whole set, correct by default, with keyword switches that
put one fault in. Lying and all-fours poses have the head toward -x; the near body side
(toward the camera) is the left unless stated.
"""

from __future__ import annotations

import math

import numpy as np
from synthetic import Limb, animate, body, cycle, ramp

FLOOR = 0.05
REST_LEG = Limb(thigh=50, shin=-58, upper_arm=0, forearm=0)  # supine, knee bent, foot flat; arm by the side


def _dir(deg: float) -> np.ndarray:
    return np.array([math.cos(math.radians(deg)), math.sin(math.radians(deg)), 0.0])


def _set(pts: dict, side: str, knee=None, ankle=None) -> dict:
    """Move one leg's knee/ankle (and foot points with the ankle)."""
    if knee is not None:
        pts[f"{side}_knee"] = np.asarray(knee, float)
    if ankle is not None:
        shift = np.asarray(ankle, float) - pts[f"{side}_ankle"]
        for part in ("ankle", "heel", "foot_index"):
            pts[f"{side}_{part}"] = pts[f"{side}_{part}"] + shift
    return pts


# -- all fours ---------------------------------------------------------------------------
def all_fours(head: float = 180.0, knee_x: float = 0.3, knee_angle: float = 90.0, near: Limb | None = None,
              far: Limb | None = None, neck: float = 0.20) -> dict:
    """All fours facing -x with the knees at ``knee_x`` on the floor; ``knee_angle`` < 90 = hips back."""
    knee = np.array([knee_x, FLOOR + 0.05])
    thigh = -90.0 - (90.0 - knee_angle)  # hip behind the knee when the knee closes
    hip = knee - 0.45 * _dir(thigh)[:2]
    base = Limb(thigh=thigh, shin=0.0, upper_arm=-90, forearm=-90)
    return body(hip=tuple(hip), trunk=180.0, head=head, near=near or base, far=far or near or base,
                lengths={"neck": neck})


def cat_cow_track(period_s: float = 6.0, cycles: int = 3, hunch: bool = False, hips_back: bool = False,
                  fps: float = 20.0) -> object:
    """Neutral all fours for 2 s, then cow -> cat -> cow cycles (head +-45 deg about the trunk line)."""
    duration = 2.0 + period_s * (cycles + 0.25)

    def pose(t: float) -> dict:
        bend = 0.0 if t < 2 else 45 * math.sin(2 * math.pi * (t - 2) / period_s)
        neck = 0.11 if hunch and t > 2 + period_s * 0.1 and bend > -10 else 0.20
        knee = 55.0 if hips_back and 2 + period_s < t < 2 + 2 * period_s else 90.0
        return all_fours(head=180.0 - bend, knee_angle=knee, neck=neck)

    return animate(pose, duration, fps)


def bird_dog_track(reps: int = 4, same_side: bool = False, arm_peak: float = 0.0, leg_peak: float = 0.0,
                   hip_drop: float = 0.0, fps: float = 20.0) -> object:
    """All fours; alternately the right arm + left leg and the left arm + right leg reach out
    (``arm_peak``/``leg_peak``: their final angle to level; ``hip_drop``: metres the support hip sags)."""
    period = 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.3)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        right_arm = k % 2 == 0
        arm = Limb(thigh=-90, shin=0, upper_arm=-90 + (90 + arm_peak) * e, forearm=-90 + (90 + arm_peak) * e)
        leg = Limb(thigh=-90 + (90 + leg_peak) * e, shin=0 + leg_peak * e, upper_arm=-90, forearm=-90)
        rest = Limb(thigh=-90, shin=0, upper_arm=-90, forearm=-90)
        arm_side, leg_side = ("right", "left") if right_arm else ("left", "right")
        if same_side:
            leg_side = arm_side
        limbs = {"left": Limb(), "right": Limb()}
        for side in ("left", "right"):
            limbs[side] = Limb(upper_arm=(arm if side == arm_side else rest).upper_arm,
                               forearm=(arm if side == arm_side else rest).forearm,
                               thigh=(leg if side == leg_side else rest).thigh,
                               shin=(leg if side == leg_side else rest).shin)
        pts = all_fours(near=limbs["left"], far=limbs["right"])
        if hip_drop and e > 0.5:
            pts[f"{arm_side}_hip"] = pts[f"{arm_side}_hip"] - np.array([0.0, hip_drop, 0.0])
        return pts

    return animate(pose, 2.0 + period * reps + 1.0, fps)


# -- supine ------------------------------------------------------------------------------
def supine(near: Limb = REST_LEG, far: Limb | None = None, trunk: float = 180.0, head: float = 180.0,
           hip_y: float = 0.1, hip_x: float = 0.0) -> dict:
    """Lying on the back, head toward -x (trunk 180 = flat; less than 180 = shoulders raised)."""
    return body(hip=(hip_x, hip_y), trunk=trunk, head=head, near=near, far=far or near, face=head - 90.0)


def dead_bug_track(reps: int = 4, leg_low: bool = False, back_lift: bool = False, fps: float = 20.0) -> object:
    """Supine 90/90 with arms up; the left, then the right leg straightens with the opposite arm overhead."""
    period = 3.5
    drop = -12.0 if leg_low else 5.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.3)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        leg_side = "left" if k % 2 == 0 else "right"
        moving_leg = Limb(thigh=90 - (90 - drop) * e, shin=0 + drop * e, upper_arm=90, forearm=90)
        moving_arm = 90 + 80 * e
        near = moving_leg if leg_side == "left" else Limb(thigh=90, shin=0, upper_arm=moving_arm, forearm=moving_arm)
        far = moving_leg if leg_side == "right" else Limb(thigh=90, shin=0, upper_arm=moving_arm, forearm=moving_arm)
        trunk = 180.0 - (14.0 * e if back_lift and k == 1 else 0.0)
        return supine(near=near, far=far, trunk=trunk)

    return animate(pose, 2.0 + period * reps + 1.0, fps)


def knee_to_chest_track(reps: int = 4, head_lift: bool = False, shoulders_lift: bool = False,
                        other_leg_lift: bool = False, fps: float = 20.0) -> object:
    """Supine knees bent; alternately the right and the left knee drawn to the chest and held."""
    period = 5.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.4)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        hug = Limb(thigh=50 + 75 * e, shin=-58 + 60 * e, upper_arm=0 + 40 * e, forearm=0 + 40 * e)
        other = Limb(thigh=50 + (35 * e if other_leg_lift else 0), shin=-58, upper_arm=40 * e, forearm=40 * e)
        near, far = (other, hug) if k % 2 == 0 else (hug, other)
        head = 180.0 - (30 * e if head_lift else 0.0)
        trunk = 180.0 - (20 * e if shoulders_lift else 0.0)
        return supine(near=near, far=far, trunk=trunk, head=head)

    return animate(pose, 2.0 + period * reps + 1.0, fps)


def pelvic_tilt_track(reps: int = 4, lift_m: float = 0.012, hips_lift: bool = False, fidget: bool = False,
                      fps: float = 20.0) -> object:
    """Supine knees bent; the hips rise ``lift_m`` (a posterior tilt), held 3 s, ``reps`` times."""
    period = 7.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=3.0, reps=reps, hold_frac=0.5)
        lift = (0.07 if hips_lift and 3 + period < t < 3 + 2 * period else lift_m) * e
        trunk = 180.0 + math.degrees(math.asin(lift / 0.5))
        pts = supine(trunk=trunk, hip_y=0.1 + lift)
        if fidget and 3 + period < t < 3 + 2 * period:
            dy = 0.1 * math.sin(2 * math.pi * 1.0 * t)
            for name in pts:
                if any(p in name for p in ("shoulder", "ear", "eye", "nose", "mouth", "elbow", "wrist")):
                    pts[name] = pts[name] + np.array([0.0, dy, 0.0])
        return pts

    return animate(pose, 3.0 + period * reps + 1.0, fps)


def table_top_track(reps: int = 3, lurch: bool = False, hip_drift: bool = False, knee_drift: bool = False,
                    fps: float = 20.0) -> object:
    """Supine, legs in the table top; the hands go onto the thighs for a 5 s press ``reps`` times."""
    period = 8.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.75)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        thigh = 90 + (30 * e if hip_drift and k == 1 else 0)
        shin = 0 + (40 * e if knee_drift and k == 1 else 0)
        mid = 2.0 + period * 1.5
        shift = ramp(t, [(mid, 0.0), (mid + 0.25, 0.15)]) if lurch and k == 1 else 0.0
        hip = np.array([shift, 0.1, 0.0])
        knee = hip + 0.45 * _dir(thigh)
        shoulder = hip + np.array([-0.5, 0.0, 0.0])
        to_knee = knee - 0.03 * _dir(thigh) - shoulder
        reach = math.degrees(math.atan2(to_knee[1], to_knee[0]))
        arm = 0.0 + (reach - 0.0) * e
        legs = Limb(thigh=thigh, shin=shin, upper_arm=arm, forearm=arm)
        return supine(near=legs, hip_x=shift)

    return animate(pose, 2.0 + period * reps + 1.0, fps)


def hamstring_track(reps: int = 2, bent_knee: bool = False, hold_s: float = 32.0, fps: float = 10.0) -> object:
    """Supine, one knee bent; the right, then the left leg is raised straight and held."""
    period = hold_s + 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=hold_s / period)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        knee_bend = 50.0 if bent_knee else 0.0
        up = Limb(thigh=50 + 35 * e, shin=-58 + (143 - knee_bend) * e, upper_arm=0, forearm=0)
        near, far = (REST_LEG, up) if k % 2 == 0 else (up, REST_LEG)
        return supine(near=near, far=far)

    return animate(pose, 2.0 + period * reps + 1.0, fps)


def figure_four_track(reps: int = 2, pelvis_lift: bool = False, pelvis_roll: bool = False, hold_s: float = 25.0,
                      fps: float = 10.0) -> object:
    """Supine knees bent; the right, then the left ankle crossed onto the other knee and held."""
    period = hold_s + 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=hold_s / period)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        lift = 0.12 * e if pelvis_lift else 0.0
        pts = supine(hip_y=0.1 + lift, trunk=180.0 + math.degrees(math.asin(lift / 0.5)))
        crossed, support = ("right", "left") if k % 2 == 0 else ("left", "right")
        sup_knee = pts[f"{support}_knee"]
        rest_ankle = pts[f"{crossed}_ankle"]
        target = sup_knee + np.array([0.0, 0.03, 0.0])
        pts = _set(pts, crossed, ankle=rest_ankle + (target - rest_ankle) * e)
        hip, rest_knee = pts[f"{crossed}_hip"], pts[f"{crossed}_knee"]
        side_out = 1.0 if crossed == "left" else -1.0  # the crossed knee falls out to its side
        knee_target = hip + np.array([0.05, 0.30, 0.25 * side_out])
        pts[f"{crossed}_knee"] = rest_knee + (knee_target - rest_knee) * e
        if pelvis_roll:
            pts[f"{crossed}_hip"] = pts[f"{crossed}_hip"] + np.array([0.0, 0.1 * e, 0.0])
        return pts

    return animate(pose, 2.0 + period * reps + 1.0, fps)


def abdominal_hold_track(hold_s: float = 14.0, neck: bool = False, shoulders: bool = False, legs: bool = False,
                         fps: float = 20.0) -> object:
    """Supine knees bent, still; optionally the head lifts, the shoulders or the legs move for 2 s."""

    def pose(t: float) -> dict:
        active = 5.0 < t < 7.0
        pts = supine(head=150.0 if neck and active else 180.0)
        wobble = 0.08 * math.sin(2 * math.pi * 1.5 * t) if active else 0.0
        for name in list(pts):
            upper = ("shoulder", "elbow", "wrist", "ear", "eye", "nose", "mouth")
            moved = shoulders and any(p in name for p in upper)
            moved = moved or (legs and any(p in name for p in ("knee", "ankle", "heel", "foot")))
            if moved:
                pts[name] = pts[name] + np.array([0.0, wobble, 0.0])
        return pts

    return animate(pose, hold_s, fps)


# -- glute bridge (the one synthetic bridge; the real bridge_01 clip is conftest's ``bridge_track``)
def bridge_pose(lift: float, arch: float = 0.0, shrug: float = 0.0) -> dict:
    """Supine, knees bent; ``lift`` 0-1 raises the hips to a straight shoulder-hip-knee line,
    ``arch`` pushes them past it (m), ``shrug`` pulls the shoulders toward the ears (m)."""
    knee = np.array([0.38, 0.45])
    shoulder = np.array([-0.45, 0.08])
    rest_hip = np.array([0.0, 0.08])
    straight_hip = shoulder + 0.52 * (knee - shoulder)
    hip = rest_hip + lift * (straight_hip - rest_hip) + np.array([0.0, arch])
    trunk = math.degrees(math.atan2(*(shoulder - hip)[::-1]))
    thigh = math.degrees(math.atan2(*(knee - hip)[::-1]))
    return body(hip=tuple(hip), trunk=trunk, head=180.0, near=Limb(thigh=thigh, shin=-85, upper_arm=0, forearm=0),
                lengths={"torso": float(np.linalg.norm(shoulder - hip)), "thigh": float(np.linalg.norm(knee - hip)),
                         "neck": 0.2 - shrug})


def glute_bridge_track(reps: int = 3, top: float = 1.0, arch: float = 0.0, drop: bool = False, shrug: bool = False,
                       period: float = 4.0, fps: float = 25.0, noise_m: float = 0.0) -> object:
    """A set of glute bridges: ``reps`` lifts to ``top`` (1 = a straight shoulder-hip-knee line),
    one every ``period`` s after 1.5 s at rest. Faults: ``arch`` (m past the line at the top),
    ``drop`` (lowering in 0.15 s instead of ~1.4 s), ``shrug`` (shoulders up from 3 s);
    ``noise_m`` jitters the landmarks."""
    def pose(t: float) -> dict:
        lift = cycle(t, period, 0.0, top, start_s=1.5, reps=reps, hold_frac=0.3)
        if drop and t > 1.5:
            phase = ((t - 1.5) % period) / period
            lift = top if 0.1 < phase < 0.62 else (0.0 if phase >= 0.66 else lift)
        return bridge_pose(lift, arch=arch * lift / top, shrug=0.06 if shrug and t > 3 else 0.0)

    return animate(pose, 1.5 + period * reps + 1.0, fps=fps, noise_m=noise_m)


# -- prone -------------------------------------------------------------------------------
def plank_pose(sag: float = 0.0) -> dict:
    """Forearm plank facing -x; ``sag`` > 0 drops the hips (deg at the hip), < 0 pikes them."""
    trunk = 172.0 - sag / 2
    legs = -8.0 + sag / 2
    shoulder_y = FLOOR + 0.30
    hip = np.array([0.0, 0.0])
    shoulder = hip + 0.5 * _dir(trunk)[:2]
    hip[1] = shoulder_y - shoulder[1]
    return body(hip=tuple(hip), trunk=trunk, near=Limb(thigh=legs, shin=legs, upper_arm=-90, forearm=180, foot=-60))


def plank_track(duration_s: float = 8.0, sag: float = 0.0, knee_taps: int = 0, fps: float = 20.0) -> object:
    """A held forearm plank; ``sag`` from 2 s to 6 s; ``knee_taps`` = knees dropping to the floor and back."""

    def pose(t: float) -> dict:
        s = sag if 2.0 < t < 6.0 else 0.0
        pts = plank_pose(s)
        if knee_taps:
            e = cycle(t, duration_s / (knee_taps + 1), 0.0, 1.0, start_s=1.0, reps=knee_taps, hold_frac=0.3)
            for side in ("left", "right"):
                knee = pts[f"{side}_knee"]
                pts[f"{side}_knee"] = knee - np.array([0.0, (knee[1] - FLOOR) * e, 0.0])
        return pts

    return animate(pose, duration_s, fps)


# -- kneeling, seated, side-lying ---------------------------------------------------------
def kneel(front: str | None = None, front_thigh: float = -180.0, front_shin: float = -90.0,
          trunk: float = 90.0) -> dict:
    """Tall kneeling facing -x, or half-kneeling with the ``front`` ("left"/"right") leg forward."""
    hip = (0.0, FLOOR + 0.45)
    back = Limb(thigh=-90, shin=0, upper_arm=-90, forearm=-90)
    lead = Limb(thigh=front_thigh, shin=front_shin, upper_arm=-90, forearm=-90)
    near = lead if front == "left" else back
    far = lead if front == "right" else back
    return body(hip=hip, trunk=trunk, near=near, far=far)


def hip_flexor_track(hold_s: float = 24.0, knee_past: bool = False, lean: bool = False, fps: float = 10.0) -> object:
    """Tall kneeling, then the right and then the left leg forward into a half-kneeling stretch, each held."""
    period = hold_s + 5.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=2, hold_frac=hold_s / period)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        shin = -90.0 + (35.0 * e if knee_past else 0.0)
        trunk = 90.0 + (35.0 * e if lean else 0.0)
        return kneel("right" if k % 2 == 0 else "left", front_thigh=-90 - 90 * e, front_shin=shin, trunk=trunk)

    return animate(pose, 2.0 + 2 * period + 1.0, fps)


def childs_pose(knee_angle: float = 35.0, trunk: float = 190.0) -> dict:
    """Kneeling facing -x folded forward over the thighs; hips on the heels at a ~35 deg knee angle."""
    knee = np.array([0.0, FLOOR + 0.05])
    hip = knee + 0.45 * _dir(knee_angle)[:2]
    return body(hip=tuple(hip), trunk=trunk, head=trunk,
                near=Limb(thigh=180 + knee_angle, shin=0, upper_arm=trunk, forearm=trunk))


def childs_pose_track(hold_s: float = 32.0, hips_high: bool = False, fps: float = 10.0) -> object:
    """Sitting on the heels for 2 s, folding forward over 2 s, holding, sitting back up
    (``hips_high``: the hips stay up over the knees, a 90 deg knee angle)."""

    def pose(t: float) -> dict:
        e = ramp(t, [(2.0, 0.0), (4.0, 1.0), (4.0 + hold_s, 1.0), (6.0 + hold_s, 0.0)])
        knee = 35.0 + (55.0 * e if hips_high else 0.0)
        return childs_pose(knee_angle=knee, trunk=90.0 + (115.0 if hips_high else 100.0) * e)

    return animate(pose, 8.0 + hold_s, fps)


def seated_fold_track(hold_s: float = 32.0, rounding: bool = False, fps: float = 10.0) -> object:
    """Sitting with straight legs facing -x; hinge forward, hold, sit back up (``rounding``: curl the
    head and upper back down before the hips hinge)."""

    def pose(t: float) -> dict:
        e = ramp(t, [(2.0, 0.0), (5.0, 1.0), (5.0 + hold_s, 1.0), (8.0 + hold_s, 0.0)])
        trunk = 90.0 + 60.0 * e
        head = trunk
        if rounding and 2.0 < t < 5.0:
            trunk, head = 110.0, 165.0
        return body(hip=(0.0, 0.1), trunk=trunk, head=head, near=Limb(thigh=180, shin=180, upper_arm=trunk + 60,
                                                                      forearm=trunk + 60, foot=90))

    return animate(pose, 10.0 + hold_s, fps)


def seated_front(turn: float = 0.0, pelvis_turn: float = 0.0) -> dict:
    """Sitting on a chair facing the camera (+z), arms crossed; ``turn``/``pelvis_turn`` in degrees
    (positive = to the person's left). Joint positions by hand: the person's left is +x."""
    def rot(p: np.ndarray, deg: float) -> np.ndarray:
        a = math.radians(deg)
        x, y, z = p
        return np.array([x * math.cos(a) - z * math.sin(a), y, x * math.sin(a) + z * math.cos(a)])

    pts = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        pts[f"{side}_hip"] = rot(np.array([0.09 * s, 0.45, 0.0]), -pelvis_turn)
        pts[f"{side}_knee"] = rot(np.array([0.1 * s, 0.47, 0.45]), -pelvis_turn)
        pts[f"{side}_ankle"] = np.array([0.1 * s, 0.05, 0.45])
        pts[f"{side}_heel"] = np.array([0.1 * s, 0.02, 0.42])
        pts[f"{side}_foot_index"] = np.array([0.1 * s, 0.02, 0.6])
        pts[f"{side}_shoulder"] = rot(np.array([0.18 * s, 0.95, 0.0]), -turn)
        pts[f"{side}_elbow"] = rot(np.array([0.14 * s, 0.75, 0.18]), -turn)
        pts[f"{side}_wrist"] = rot(np.array([-0.12 * s, 0.88, 0.12]), -turn)
        pts[f"{side}_ear"] = rot(np.array([0.07 * s, 1.12, 0.0]), -turn * 1.2)
        pts[f"{side}_eye"] = rot(np.array([0.03 * s, 1.15, 0.08]), -turn * 1.2)
    pts["nose"] = rot(np.array([0.0, 1.12, 0.11]), -turn * 1.2)
    return pts


def seated_rotation_track(turns: int = 4, degrees: float = 40.0, pelvis_follows: bool = False,
                          fps: float = 20.0, yaw_deg: float = 0.0) -> object:
    """Square-on for 2 s, then turns alternately left and right (4 s each); ``yaw_deg`` 90 films it side-on."""
    period = 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=turns, hold_frac=0.3)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        turn = degrees * e * (1 if k % 2 == 0 else -1)
        return seated_front(turn=turn, pelvis_turn=0.5 * turn if pelvis_follows else 0.0)

    return animate(pose, 2.0 + period * turns + 1.0, fps, yaw_deg=yaw_deg)


def side_lying(open_deg: float = -20.0, hip_back: float = 0.0, knee_up: float = 0.0) -> dict:
    """Lying on the left side (head toward -x, facing +z), knees bent forward, arms forward;
    the right (top) arm rotated ``open_deg`` about the shoulder (0 = forward, 90 = up, 180 = behind)."""
    pts = {}
    for side, y_sh, y_hip in (("left", 0.15, 0.12), ("right", 0.51, 0.30)):
        pts[f"{side}_shoulder"] = np.array([-0.5, y_sh, 0.0])
        pts[f"{side}_hip"] = np.array([0.0, y_hip, 0.0])
        pts[f"{side}_knee"] = np.array([0.25, y_hip, 0.35])
        pts[f"{side}_ankle"] = np.array([0.55, y_hip, 0.15])
        pts[f"{side}_heel"] = np.array([0.6, y_hip, 0.13])
        pts[f"{side}_foot_index"] = np.array([0.6, y_hip, 0.3])
        pts[f"{side}_ear"] = np.array([-0.72, 0.33 + (0.05 if side == "right" else -0.05), 0.0])
    pts["left_elbow"] = np.array([-0.5, 0.15, 0.3])
    pts["left_wrist"] = np.array([-0.5, 0.15, 0.57])
    a = math.radians(open_deg)
    top = pts["right_shoulder"]
    pts["right_elbow"] = top + 0.30 * np.array([0.0, math.sin(a), math.cos(a)])
    pts["right_wrist"] = top + 0.57 * np.array([0.0, math.sin(a), math.cos(a)])
    pts["nose"] = np.array([-0.75, 0.33, 0.1])
    pts["right_hip"] = pts["right_hip"] + np.array([0.0, 0.0, -hip_back])
    pts["right_knee"] = pts["right_knee"] + np.array([0.0, knee_up, 0.0])
    return pts


def arm_openings_track(reps: int = 4, hips_roll: bool = False, knees_roll: bool = False, fps: float = 20.0) -> object:
    """Side-lying on the left side seen from the feet; the top arm sweeps open to 160 deg and back."""
    period = 5.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.2)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        roll = 0.12 * e if hips_roll and k == 1 else 0.0
        knee = 0.15 * e if knees_roll and k == 1 else 0.0
        return side_lying(open_deg=-20.0 + 180.0 * e, hip_back=roll, knee_up=knee)

    return animate(pose, 2.0 + period * reps + 1.0, fps, yaw_deg=90.0)


def supine_feet_view(fall_left: float = 0.0, fall_right: float = 0.0, hip_lift: float = 0.0) -> dict:
    """Supine with knees bent (feet flat), for a camera at the feet: each knee falls out by the
    given angle (deg), rotating about its hip along the body's long axis; the feet stay put."""
    pts = supine()
    for side, deg, out in (("left", fall_left, 1.0), ("right", fall_right, -1.0)):
        hip, a = pts[f"{side}_hip"], math.radians(deg) * out
        p = pts[f"{side}_knee"] - hip
        pts[f"{side}_knee"] = hip + np.array([p[0], p[1] * math.cos(a) - p[2] * math.sin(a),
                                              p[1] * math.sin(a) + p[2] * math.cos(a)])
    pts["right_hip"] = pts["right_hip"] + np.array([0.0, hip_lift, 0.0])
    return pts


def fall_out_track(reps: int = 4, pelvis_roll: bool = False, other_knee: bool = False, fps: float = 20.0) -> object:
    """Supine seen from the feet; the left and the right knee fall out 45 deg in turn."""
    period = 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.3)
        k = int((t - 2.0) // period) if t >= 2.0 else 0
        fall = 45.0 * e
        other = (-20.0 * e) if other_knee and k == 1 else 0.0
        left, right = (fall, other) if k % 2 == 0 else (other, fall)
        return supine_feet_view(left, right, hip_lift=0.05 * e if pelvis_roll and k == 1 else 0.0)

    return animate(pose, 2.0 + period * reps + 1.0, fps, yaw_deg=90.0)


# -- look-alikes outside the catalogue ---------------------------------------------------------
FOURS_REST = Limb(thigh=-90, shin=0, upper_arm=-90, forearm=-90)


def look_alike_track(name: str, reps: int = 8, fps: float = 10.0) -> object:
    """An exercise outside the catalogue that shares a catalogue start position, side-on: 2 s
    still, then ``reps`` repetitions of 4 s. ``name``: ``leg_lowers`` (supine, both legs straight,
    from vertical to 20 deg), ``reverse_crunch`` (supine 90/90, knees to the chest, hips lifting),
    ``donkey_kick`` (all fours, a bent leg kicked up behind), ``straight_kickback`` (all fours, a
    straight leg back to level), ``fire_hydrant`` (all fours, a bent knee lifted out sideways)."""
    period = 4.0

    def pose(t: float) -> dict:
        e = cycle(t, period, 0.0, 1.0, start_s=2.0, reps=reps, hold_frac=0.2)
        if name == "leg_lowers":
            leg = Limb(thigh=90 - 70 * e, shin=90 - 70 * e, upper_arm=0, forearm=0)
            return supine(near=leg, far=leg)
        if name == "reverse_crunch":
            leg = Limb(thigh=90 + 40 * e, shin=70 * e, upper_arm=0, forearm=0)
            return supine(near=leg, far=leg, hip_y=0.1 + 0.06 * e)
        moving = {
            "donkey_kick": Limb(thigh=-90 + 100 * e, shin=100 * e, upper_arm=-90, forearm=-90),
            "straight_kickback": Limb(thigh=-90 + 95 * e, shin=5 * e, upper_arm=-90, forearm=-90),
            "fire_hydrant": Limb(thigh=-90, shin=0, upper_arm=-90, forearm=-90, knee_out=0.35 * e),
        }[name]
        return all_fours(near=moving, far=FOURS_REST)

    return animate(pose, 2.0 + period * reps + 1.0, fps)
