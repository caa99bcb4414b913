"""Keep the pose model's native log lines (glog, absl, LiteRT) out of the user's terminal.

MediaPipe's C++ side writes straight to file descriptor 2 when a model is created, on
inferences (from its own threads, whenever tracking starts) and when it is closed
(``Creating LiteRT environment``, ``Sparsity tensors``, ``Logging before InitGoogle()``,
``DestroyAccelerator`` ...). No environment variable silences all of them on every
version, so the descriptor itself is redirected:

- :func:`route_native_stderr` (used when ``sys.stderr`` is the process's own stderr, as
  in the CLI and the app): descriptor 2 becomes a pipe read by a thread; Python's
  ``sys.stderr`` is re-opened on the real terminal, so formcheck's own messages are
  untouched. Native log lines go to the ``formcheck.native`` logger at DEBUG level
  (``formcheck --debug`` shows them); any other line is copied to the terminal.
- :func:`capture_native_stderr` (a fallback when ``sys.stderr`` was replaced, e.g. under
  a test runner): the same sorting, for the duration of a block.

``FORMCHECK_NATIVE_LOG=show`` leaves stderr alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

LOGGER = logging.getLogger("formcheck.native")

#: glog (``W0000 00:00:17.. file.cc:12] ...``), LiteRT/TFLite (``INFO: [file.cc:3] ...``,
#: ``INFO: Created TensorFlow Lite ...``) and absl's pre-init banner.
NATIVE_LINE = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"
    r"|(?:INFO|WARNING|ERROR|VERBOSE): "
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|WARNING: Logging before InitGoogle\(\))"
)

_lock = threading.RLock()
_routed = False
_depth = 0
_saved_fd: int | None = None
_sink: tempfile._TemporaryFileWrapper | None = None  # type: ignore[type-arg]


def split_native_lines(text: str) -> tuple[list[str], list[str]]:
    """Split captured stderr text into (native log lines, other lines)."""
    native: list[str] = []
    other: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        (native if NATIVE_LINE.match(line) else other).append(line)
    return native, other


def _stderr_fd() -> int | None:
    try:
        return sys.__stderr__.fileno() if sys.__stderr__ is not None else None
    except (AttributeError, OSError, ValueError):
        return None


def _begin(fd: int) -> None:
    global _saved_fd, _sink
    for stream in (sys.stderr, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    _sink = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed by _end
    _saved_fd = os.dup(fd)
    os.dup2(_sink.fileno(), fd)


def _end(fd: int) -> str:
    global _saved_fd, _sink
    assert _saved_fd is not None and _sink is not None
    os.dup2(_saved_fd, fd)
    os.close(_saved_fd)
    _sink.seek(0)
    text = _sink.read().decode("utf-8", "replace")
    _sink.close()
    _saved_fd, _sink = None, None
    return text


def _release(text: str) -> None:
    native, other = split_native_lines(text)
    for line in native:
        LOGGER.debug("%s", line)
    if other:
        sys.stderr.write("\n".join(other) + "\n")
        sys.stderr.flush()


def _pump(read_fd: int, terminal) -> None:  # noqa: ANN001 - a text file
    """Sort what arrives on the pipe: native lines to the logger, the rest to the terminal."""
    pending = b""
    while True:
        try:
            chunk = os.read(read_fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        *lines, pending = (pending + chunk).split(b"\n")
        native, other = split_native_lines(b"\n".join(lines).decode("utf-8", "replace"))
        for line in native:
            LOGGER.debug("%s", line)
        if other:
            with contextlib.suppress(Exception):
                terminal.write("\n".join(other) + "\n")
                terminal.flush()


def route_native_stderr() -> bool:
    """Send descriptor 2 through the sorting thread for the rest of the process.

    Returns ``True`` when routing is (now) in place, ``False`` when it cannot be: stderr
    was replaced by a test runner or notebook, has no descriptor, or the user asked to
    see native lines (``FORMCHECK_NATIVE_LOG=show``).
    """
    global _routed
    with _lock:
        if _routed:
            return True
        fd = _stderr_fd()
        if fd is None or sys.stderr is not sys.__stderr__ or os.environ.get("FORMCHECK_NATIVE_LOG") == "show":
            return False
        sys.stderr.flush()
        terminal = os.fdopen(os.dup(fd), "w", buffering=1, encoding="utf-8", errors="backslashreplace")
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, fd)
        os.close(write_fd)
        sys.stderr = terminal
        threading.Thread(target=_pump, args=(read_fd, terminal), name="formcheck-native-log", daemon=True).start()
        _routed = True
        return True


@contextlib.contextmanager
def capture_native_stderr() -> Iterator[None]:
    """Redirect descriptor 2 while the block runs; re-entrant and shared across threads.

    Native log lines go to the ``formcheck.native`` logger (DEBUG); anything else written
    meanwhile is copied back to stderr when the outermost block ends.
    """
    global _depth
    fd = _stderr_fd()
    if fd is None or route_native_stderr() or os.environ.get("FORMCHECK_NATIVE_LOG") == "show":
        yield
        return
    with _lock:
        if _depth == 0:
            _begin(fd)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            text = _end(fd) if _depth == 0 else None
        if text:
            _release(text)
