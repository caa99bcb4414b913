"""The cue banner fits its words in the picture: every set-up text, set-up message and fault cue
in a phone's portrait frame (360x640) and in landscape, never cut mid-sentence."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.outputs.drawers import fit_lines
from formcheck.outputs.drawing import Style, text_size
from formcheck.rules.catalog import list_rules
from formcheck.texts import setup_message

FRAMES = {"portrait 360x640": (640, 360), "landscape 640x360": (360, 640), "landscape 1280x720": (720, 1280)}
DETAIL_SIZES, HEADLINE_SIZES = (30, 26, 22), (56, 48, 40, 34)


def _fits(text: str, shape: tuple[int, int], sizes: tuple[int, ...], want: int, most: int) -> list[str]:
    style = Style(np.zeros((*shape, 3), np.uint8))
    pad = style.px(18)
    height, lines = fit_lines(text, sizes, style, style.w - 2 * pad, want, most)
    assert all(text_size(line, height)[0] <= style.w - 2 * pad for line in lines), lines
    return lines


def _headlines() -> list[str]:
    codes = [("no_person", ()), ("two_people", ()), ("body_out_of_frame", ("shoulder", "hip", "knee", "ankle"))]
    texts = [setup_message(c, m, v) for c, m in codes for v in ("side", "front")]
    views = ("side", "front", "seated_front")
    texts += [setup_message(c, (), v) for c in ("wrong_view", "unclear_pose") for v in views]
    return texts + [f.message for r in list_rules() for f in r.faults] + [
        f.not_judged for r in list_rules() for f in r.faults if f.not_judged]


@pytest.mark.parametrize("frame", FRAMES)
def test_every_set_up_text_fits_under_the_headline_uncut(frame):
    shape = FRAMES[frame]
    portrait = shape[0] > shape[1]
    for rule in list_rules():
        lines = _fits(rule.setup, shape, DETAIL_SIZES, 3 if portrait else 2, 5 if portrait else 3)
        assert " ".join(lines) == " ".join(rule.setup.split()), f"{rule.id}: cut to {lines}"


@pytest.mark.parametrize("frame", FRAMES)
def test_every_headline_fits_uncut(frame):
    shape = FRAMES[frame]
    portrait = shape[0] > shape[1]
    for text in _headlines():
        lines = _fits(text, shape, HEADLINE_SIZES, 2, 3 + portrait)
        assert " ".join(lines) == " ".join(text.split()), f"cut to {lines}"


def test_text_too_long_for_the_room_ends_in_an_ellipsis_at_a_word():
    text = "Put the camera at your feet, " * 12
    lines = _fits(text, (640, 360), DETAIL_SIZES, 3, 5)
    assert len(lines) == 5 and lines[-1].endswith("...")
    assert lines[-1][:-3].split()[-1] in {"Put", "the", "camera", "at", "your", "feet"}  # whole words only
