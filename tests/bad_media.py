"""Bad inputs made at test time from the real sample clips (issue 8), nothing large committed.

Every ``make_*`` function takes a source clip and an output folder, writes one file there
and returns its :class:`~pathlib.Path`. A file already made with the same arguments is
reused, so a session-scoped output folder acts as a cache. Files are written under a
temporary name and renamed, so an interrupted run never leaves a half-made file behind.

The generators use the ``ffmpeg`` binary (``$FFMPEG`` or the one on ``PATH``; Debian's 5.1
was used to write them); :func:`have_ffmpeg` tells whether it is there. Example::

    from bad_media import make_rotated
    clip = make_rotated(SAMPLES / "bridge_01.mp4", tmp_path, 90)

A note on rotation: a phone that records rotated stores the pixels turned one way and a
display matrix that turns them back. :func:`make_rotated` does exactly that, so a player
that honours the matrix (``ffmpeg`` itself, a browser) shows the original picture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

#: ``ffmpeg`` filters that turn the stored pixels so that ``rotate=<key>`` turns them back.
#: Checked with ffmpeg 5.1 (stream copy + ``-metadata:s:v:0 rotate=N``): the display matrix
#: it writes reads back as ``rotation`` = 90, -180 and -90 in ffprobe's side data.
_UNDO_BY_ROTATE = {90: "transpose=1", 180: "hflip,vflip", 270: "transpose=2"}
_X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p")


def ffmpeg_binary() -> str | None:
    """The ``ffmpeg`` executable to use, or None if there is none."""
    return os.environ.get("FFMPEG") or shutil.which("ffmpeg")


def have_ffmpeg() -> bool:
    """True when an ``ffmpeg`` binary is available to make the media."""
    return ffmpeg_binary() is not None


def _target(src: Path, out_dir: Path, tag: str, suffix: str = ".mp4") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir / f"{Path(src).stem}.{tag}{suffix}"


def _partial(out: Path) -> Path:
    return out.with_name(f".partial-{os.getpid()}-{out.name}")


def _ffmpeg(out: Path, *args: str) -> Path:
    """Run ``ffmpeg ... OUT`` unless OUT exists; return OUT."""
    if out.is_file():
        return out
    binary = ffmpeg_binary()
    if binary is None:
        raise RuntimeError("ffmpeg is needed to make the bad-input media")
    tmp = _partial(out)
    cmd = [binary, "-hide_banner", "-nostdin", "-v", "error", "-y", *args]
    # the container is given explicitly: the temporary name does not end in the real suffix
    fmt = {".mov": "mov", ".mkv": "matroska", ".m4a": "ipod", ".png": "image2", ".jpg": "image2"}
    cmd += ["-f", fmt.get(out.suffix, "mp4"), str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg failed making {out.name}: {proc.stderr.strip()[-500:]}")
    tmp.replace(out)
    return out


def _write(out: Path, data: bytes) -> Path:
    if not out.is_file():
        tmp = _partial(out)
        tmp.write_bytes(data)
        tmp.replace(out)
    return out


def _filter(src: Path, out: Path, vf: str, *extra: str, audio: bool = False) -> Path:
    """Re-encode ``src`` through video filter ``vf`` (H.264), dropping audio unless asked."""
    return _ffmpeg(out, "-i", str(src), *extra, "-vf", vf, *_X264, *(() if audio else ("-an",)))


# -- files that are not (usable) videos ---------------------------------------------------


def make_empty(src: Path, out_dir: Path) -> Path:
    """A zero-byte ``.mp4`` (an upload that never got its data). ``src`` only names it."""
    return _write(_target(src, out_dir, "empty"), b"")


def make_truncated(src: Path, out_dir: Path, keep: float = 0.5, moov_first: bool = True) -> Path:
    """``src`` cut off after ``keep`` of its bytes, as an interrupted upload or copy leaves it.

    With ``moov_first`` the header (``moov`` box) is moved to the front first, so the cut
    loses only frame data and the first part is still playable; without it the header is
    at the end (as most phones write it) and the cut loses it too.
    """
    tag = f"truncated{int(keep * 100)}{'' if moov_first else '-moovlast'}"
    out = _target(src, out_dir, tag)
    if out.is_file():
        return out
    flags = "+faststart" if moov_first else "-faststart"
    whole = _ffmpeg(_target(src, out_dir, f"remux{flags[0]}"), "-i", str(src), "-c", "copy", "-movflags", flags)
    data = whole.read_bytes()
    return _write(out, data[: int(len(data) * keep)])


def make_image_as_mp4(src: Path, out_dir: Path, at_s: float = 2.0) -> Path:
    """One frame of ``src`` saved as a JPEG and named ``.mp4`` (a photo picked by mistake)."""
    jpeg = _ffmpeg(_target(src, out_dir, "frame", ".jpg"), "-ss", str(at_s), "-i", str(src), "-frames:v", "1")
    return _write(_target(src, out_dir, "image"), jpeg.read_bytes())


def make_text_as_mp4(src: Path, out_dir: Path) -> Path:
    """A text file (here: ffprobe-like notes about ``src``) named ``.mp4``."""
    text = f"notes about {Path(src).name}\nsize: {Path(src).stat().st_size} bytes\n" * 40
    return _write(_target(src, out_dir, "text"), text.encode())


def make_audio_only(src: Path, out_dir: Path) -> Path:
    """An ``.mp4`` with ``src``'s sound and no picture (a tone if ``src`` has no sound)."""
    out = _target(src, out_dir, "audio-only")
    if out.is_file():
        return out
    try:
        return _ffmpeg(out, "-i", str(src), "-map", "0:a:0", "-vn", "-c:a", "copy")
    except RuntimeError:  # no audio stream in src
        return _ffmpeg(out, "-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-c:a", "aac")


def make_unsupported_codec(src: Path, out_dir: Path, duration_s: float = 1.0) -> Path:
    """``src`` re-encoded as ``a64_multi`` (Commodore 64 charset) in a ``.mov``.

    ffmpeg can write this codec but no build of FFmpeg (so neither PyAV) can decode it:
    the container opens, the video stream is there, and there is no decoder for it.
    """
    return _ffmpeg(
        _target(src, out_dir, "a64", ".mov"), "-t", str(duration_s), "-i", str(src),
        "-vf", "scale=320:-2", "-c:v", "a64multi", "-an",
    )


def make_corrupt_codec_header(src: Path, out_dir: Path) -> Path:
    """``src`` with its H.264 decoder set-up (the ``avcC`` box: SPS and PPS) overwritten.

    The container and its index are intact, but no frame can be decoded.
    """
    out = _target(src, out_dir, "bad-avcc")
    if out.is_file():
        return out
    data = bytearray(_ffmpeg(_target(src, out_dir, "remux+"), "-i", str(src), "-c", "copy",
                             "-movflags", "+faststart", "-an").read_bytes())
    at = data.index(b"avcC")
    size = int.from_bytes(data[at - 4 : at], "big")
    body = range(at + 4 + 5, at - 4 + size)  # keep version/profile/level and length size
    for i in body:
        data[i] = 0xFF
    return _write(out, bytes(data))


# -- real videos with a hard picture ----------------------------------------------------


def make_nobody(src: Path, out_dir: Path, crop: str = "iw/4:ih/4:iw*3/4:0") -> Path:
    """A crop of ``src`` that holds no person (default: the top-right sixteenth, for
    bridge_01 a curtain and wall), scaled back up to a normal size."""
    return _filter(src, _target(src, out_dir, "nobody"), f"crop={crop},scale=640:-2")


def make_blurred(src: Path, out_dir: Path, radius: int = 60) -> Path:
    """``src`` blurred until no body shape is left (a smeared or covered lens)."""
    return _filter(src, _target(src, out_dir, f"blur{radius}"), f"boxblur={radius}:3")


def make_half_body(src: Path, out_dir: Path, keep: str = "left") -> Path:
    """``src`` cropped to its ``left`` or ``right`` half, cutting the body in two."""
    x = "0" if keep == "left" else "iw/2"
    return _filter(src, _target(src, out_dir, f"half-{keep}"), f"crop=iw/2:ih:{x}:0")


def make_dark(src: Path, out_dir: Path, factor: float = 0.12) -> Path:
    """``src`` with every pixel value scaled by ``factor`` (a dim room)."""
    f = f"{factor:g}"
    return _filter(src, _target(src, out_dir, f"dark{f}"), f"lutrgb=r=val*{f}:g=val*{f}:b=val*{f}")


def make_rotated(src: Path, out_dir: Path, degrees: int) -> Path:
    """``src`` as a phone stores a rotated recording: pixels turned, plus the display
    rotation (``rotate`` tag, 90/180/270) that turns them back upright.

    ``ffmpeg -i OUT`` (which applies the display matrix) shows the original picture.
    """
    if degrees not in _UNDO_BY_ROTATE:
        raise ValueError(f"degrees must be one of {sorted(_UNDO_BY_ROTATE)}")
    stored = _filter(src, _target(src, out_dir, f"pixels{degrees}"), _UNDO_BY_ROTATE[degrees])
    return _ffmpeg(
        _target(src, out_dir, f"rotate{degrees}"), "-i", str(stored), "-c", "copy",
        "-metadata:s:v:0", f"rotate={degrees}",
    )


def make_portrait(src: Path, out_dir: Path) -> Path:
    """``src`` in a 9:16 portrait frame (black above and below), as a phone held upright
    films a landscape scene. The person's pixels are unchanged."""
    return _filter(src, _target(src, out_dir, "portrait"), "pad=iw:ceil(iw*16/9/2)*2:0:(oh-ih)/2")


def make_vfr(src: Path, out_dir: Path) -> Path:
    """``src`` with frames dropped irregularly (every 7th, every 5th, and 5-frame stalls
    every 50), each kept frame keeping its original time: a variable-frame-rate clip."""
    keep = "not(eq(mod(n,7),3))*not(eq(mod(n,5),1))*not(between(mod(n,50),20,24))"
    return _filter(src, _target(src, out_dir, "vfr"), f"select='{keep}'", "-fps_mode", "vfr")


def make_fps(src: Path, out_dir: Path, fps: float) -> Path:
    """``src`` resampled to a constant ``fps`` (frames dropped or repeated)."""
    return _filter(src, _target(src, out_dir, f"{fps:g}fps"), f"fps={fps:g}")


def make_slice(src: Path, out_dir: Path, start_s: float, duration_s: float) -> Path:
    """``duration_s`` seconds of ``src`` from ``start_s``, re-encoded (frame-exact)."""
    tag = f"slice{start_s:g}-{duration_s:g}"
    return _filter(src, _target(src, out_dir, tag), "null", "-ss", str(start_s), "-t", str(duration_s))


def make_4k(src: Path, out_dir: Path, start_s: float = 0.0, duration_s: float = 3.0) -> Path:
    """A ``duration_s`` slice of ``src`` scaled up to 3840 px wide (4K UHD for 16:9)."""
    tag = f"4k{start_s:g}-{duration_s:g}"
    return _filter(src, _target(src, out_dir, tag), "scale=3840:-2:flags=bicubic",
                   "-ss", str(start_s), "-t", str(duration_s))


def make_long(src: Path, out_dir: Path, duration_s: float = 1800.0, fps: float = 1.0, width: int = 640) -> Path:
    """``src`` looped to ``duration_s`` seconds (default 30 min) at a low ``fps`` and ``width``.

    The loop is stream-copied from one short re-encoded pass, so a 30-minute file takes a
    few seconds to make and is a few MB.
    """
    base = _filter(src, _target(src, out_dir, f"base{fps:g}fps{width}"), f"fps={fps:g},scale={width}:-2", "-g", "10")
    loops = str(int(duration_s // 5) + 1)  # more than enough for any src of 5 s or longer
    return _ffmpeg(
        _target(src, out_dir, f"long{duration_s:g}s-{fps:g}fps{width}"),
        "-stream_loop", loops, "-i", str(base), "-c", "copy", "-t", f"{duration_s:g}",
    )


__all__ = [
    "ffmpeg_binary",
    "have_ffmpeg",
    "make_4k",
    "make_audio_only",
    "make_blurred",
    "make_corrupt_codec_header",
    "make_dark",
    "make_empty",
    "make_fps",
    "make_half_body",
    "make_image_as_mp4",
    "make_long",
    "make_nobody",
    "make_portrait",
    "make_rotated",
    "make_slice",
    "make_text_as_mp4",
    "make_truncated",
    "make_unsupported_codec",
    "make_vfr",
]
