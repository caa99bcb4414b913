"""The 33 BlazePose landmarks: names, indices, skeleton edges and side resolution.

Rule files name landmarks three ways:

* an exact BlazePose name such as ``left_hip``;
* a side-free name such as ``hip``, resolved per frame to the body side nearer the
  camera (the side-view convention of the exercise catalogue);
* ``mid_`` + a side-free name, such as ``mid_hip``: the midpoint of left and right;
* ``far_`` + a side-free name: the side further from the camera.
"""

from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip

INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
COUNT = len(NAMES)

#: Body parts that exist on both sides, named without their side.
SIDED_PARTS: tuple[str, ...] = tuple(sorted({n.removeprefix("left_") for n in NAMES if n.startswith("left_")}))

#: Skeleton edges drawn by the overlay (pairs of landmark names).
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
)  # fmt: skip

SIDES = ("left", "right")


def other_side(side: str) -> str:
    """Return ``"right"`` for ``"left"`` and vice versa."""
    return "right" if side == "left" else "left"


def is_valid_reference(name: str) -> bool:
    """True when ``name`` is a landmark reference a rule file may use."""
    if name in INDEX:
        return True
    return any(name.startswith(prefix) and name.removeprefix(prefix) in SIDED_PARTS for prefix in ("mid_", "far_", ""))


def resolve(name: str, near_side: str) -> tuple[int, ...]:
    """Indices of the landmarks a reference stands for (two for a ``mid_`` point).

    >>> resolve("hip", "left")
    (23,)
    >>> resolve("mid_shoulder", "right")
    (11, 12)
    """
    if name in INDEX:
        return (INDEX[name],)
    if name.startswith("mid_"):
        part = name.removeprefix("mid_")
        return (INDEX[f"left_{part}"], INDEX[f"right_{part}"])
    if name.startswith("far_"):
        return (INDEX[f"{other_side(near_side)}_{name.removeprefix('far_')}"],)
    if name in SIDED_PARTS:
        return (INDEX[f"{near_side}_{name}"],)
    raise KeyError(f"unknown landmark {name!r}")
