"""Decoding ahead: a frame source read on its own thread while the model works on the last frame.

The pose model runs on one core (MediaPipe releases the GIL while it works), so decoding the
next frames on the other core hides the decoder's time. :func:`prefetch` wraps any iterable:
items come out in order, an error in the source is raised in the consumer, and a consumer that
stops early (an exception, a closed tab) stops the reader too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
#: Frames decoded ahead of the model (a 1080p RGB frame is 6 MB: 8 of them stay small).
DEPTH = 8
_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _read(source: Iterable[T], out: queue.Queue, stop: threading.Event) -> None:
    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        for item in source:
            if not put(item):
                return
        put(_END)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
        put(_Failed(exc))


def prefetch(source: Iterable[T], depth: int = DEPTH) -> Iterator[T]:
    """Yield the items of ``source`` in order, read up to ``depth`` ahead on a thread."""
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    reader = threading.Thread(target=_read, args=(source, out, stop), name="formcheck-decode", daemon=True)
    reader.start()
    try:
        while True:
            item = out.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join()


__all__ = ["DEPTH", "prefetch"]
