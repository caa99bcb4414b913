"""Per-browser-session temporary files and background work, and their end.

Streamlit has no "session ended" callback. A tab's session is *active* while its websocket
is connected; after the tab closes, Streamlit keeps the session for
``server.disconnectedSessionTTL`` seconds (120 by default) so that a tab that reconnects
gets its state back, then forgets it. formcheck follows the same two steps:

- **Work stops at once.** Long loops (the pose model over a clip, drawing the annotated
  video) call :meth:`SessionFiles.check` between frames; once the session has no
  connection it raises :class:`SessionEnded` (a Streamlit ``StopException``, so the run
  ends quietly). Streamlit itself also asks the script to stop when the tab disconnects.
- **Files go when the session can no longer come back.** A janitor thread (one per server
  process, started with the first session that keeps anything) looks at every session's
  :class:`SessionFiles` every :data:`JANITOR_EVERY_S` seconds. Once a session has been
  disconnected for longer than the TTL it runs the session's closers (e.g. the live
  camera's model thread), deletes the session's folder and drops Streamlit's in-memory
  copies of its uploads and media.

Each session's files (its upload, the annotated video while it is drawn) live in one
folder, ``session-*`` (mode 0700), inside one folder per server process,
``formcheck-app-<pid>-*`` in ``$FORMCHECK_TMP_DIR`` or the system's temporary folder.
That folder is removed when the process exits; the folders of a server that was killed
are removed by the next server when it makes its first session folder. Nothing here is shown to any session: the
registry only lets the janitor find folders.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import StopException, get_script_run_ctx

log = logging.getLogger(__name__)

#: Parent folder of the per-process temporary folder (default: the system's temporary folder).
TMP_ENV = "FORMCHECK_TMP_DIR"
ROOT_PREFIX = "formcheck-app-"
#: How often the janitor looks for sessions that have ended (seconds).
JANITOR_EVERY_S = 2.0
STATE_KEY = "_formcheck_session_files"
TTL_OPTION = "server.disconnectedSessionTTL"


class SessionEnded(StopException):
    """The browser session of a running analysis is gone: Streamlit ends the run quietly."""


class SessionFiles:
    """One browser session's temporary folder and the things to close when it ends."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.ended = threading.Event()
        #: When the janitor first saw the session without a connection (monotonic seconds).
        self.disconnected_since: float | None = None
        self._folder: Path | None = None
        self._closers: list[Callable[[], Any]] = []
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        """The session's folder (made on first use)."""
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="session-", dir=_root_folder()))
            return self._folder

    def has_folder(self) -> bool:
        return self._folder is not None and self._folder.is_dir()

    def owns(self, path: str | Path) -> bool:
        """Whether ``path`` is inside this session's folder."""
        return self._folder is not None and Path(path).resolve().parent == self._folder.resolve()

    def new_path(self, suffix: str, prefix: str = "") -> Path:
        """A new empty file in the session's folder."""
        fd, name = tempfile.mkstemp(suffix=suffix, prefix=prefix, dir=self.folder)
        os.close(fd)
        return Path(name)

    def on_end(self, closer: Callable[[], Any]) -> None:
        """Call ``closer`` (once) when the session ends."""
        with self._lock:
            if closer not in self._closers:
                self._closers.append(closer)

    def alive(self) -> bool:
        """False once the session has ended or its browser tab has no connection."""
        if self.ended.is_set():
            return False
        runtime = real_runtime()
        return runtime is None or bool(runtime.is_active_session(self.session_id))

    def check(self) -> None:
        """Between frames of long work: stop the run if the session is gone."""
        if not self.alive():
            log.info("stopped an analysis: its browser session ended")
            raise SessionEnded()

    def end(self) -> None:
        """Run the closers and delete the folder (idempotent)."""
        with self._lock:
            if self.ended.is_set():
                return
            self.ended.set()
            closers, self._closers = self._closers, []
            folder = self._folder
        for closer in closers:
            try:
                closer()
            except Exception:  # noqa: BLE001 - one failing closer must not keep the files
                log.exception("closing a session's work failed")
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        with _registry_lock:
            _registry.discard(self)


# -- the registry and the janitor -------------------------------------------------------
_registry: set[SessionFiles] = set()
_registry_lock = threading.Lock()
_root: Path | None = None
_janitor: threading.Thread | None = None


def real_runtime() -> Runtime | None:
    """The server's runtime; None without one (AppTest installs a mock, which does not count)."""
    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return runtime if type(runtime) is Runtime else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_stale_roots(parent: Path) -> None:
    """Remove the per-process folders of formcheck servers that are no longer running."""
    for folder in parent.glob(f"{ROOT_PREFIX}*"):
        match = re.match(rf"{re.escape(ROOT_PREFIX)}(\d+)-", folder.name)
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _root_folder() -> Path:
    """This process's folder of session folders (made on first use, removed at exit)."""
    global _root
    with _registry_lock:
        if _root is None or not _root.is_dir():
            parent = Path(os.environ.get(TMP_ENV) or tempfile.gettempdir()).expanduser()
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_roots(parent)
            _root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-", dir=parent))
            atexit.register(shutil.rmtree, _root, True)
        return _root


def session_files() -> SessionFiles:
    """This browser session's :class:`SessionFiles` (kept in ``st.session_state``)."""
    files = st.session_state.get(STATE_KEY)
    if not isinstance(files, SessionFiles) or files.ended.is_set():
        ctx = get_script_run_ctx()
        files = SessionFiles(ctx.session_id if ctx is not None else "no-session")
        st.session_state[STATE_KEY] = files
        with _registry_lock:
            _registry.add(files)
    _start_janitor()
    return files


def disconnected_ttl() -> float:
    """Seconds Streamlit keeps a disconnected session for a reconnecting tab."""
    with contextlib.suppress(Exception):
        return float(st.get_option(TTL_OPTION))
    return 120.0


def reap(runtime: Any, now: float, ttl: float) -> list[SessionFiles]:
    """End every registered session that has been disconnected for ``ttl`` seconds or more.

    ``runtime`` needs only ``is_active_session(session_id)``; a session seen active again
    (a tab that reconnected) starts over. Returns the sessions ended.
    """
    with _registry_lock:
        candidates = list(_registry)
    ended = []
    for files in candidates:
        if runtime.is_active_session(files.session_id):
            files.disconnected_since = None
            continue
        if files.disconnected_since is None:
            files.disconnected_since = now
        if now - files.disconnected_since >= ttl:
            files.end()
            _drop_streamlit_copies(runtime, files.session_id)
            ended.append(files)
    if ended:
        log.info("ended %d browser session(s): work stopped, temporary files removed", len(ended))
    return ended


def _drop_streamlit_copies(runtime: Any, session_id: str) -> None:
    """Streamlit's own in-memory copies of the session's uploads and media (what
    ``AppSession.shutdown`` would drop; the session can no longer be resumed)."""
    try:
        runtime.uploaded_file_mgr.remove_session_files(session_id)
        runtime.media_file_mgr.clear_session_refs(session_id)
        runtime.media_file_mgr.remove_orphaned_files()
    except Exception:  # noqa: BLE001 - a fake runtime in tests, or a Streamlit change
        log.debug("could not drop Streamlit's copies of a session's files", exc_info=True)


def _janitor_loop() -> None:
    while True:
        time.sleep(JANITOR_EVERY_S)
        runtime = real_runtime()
        if runtime is None:
            continue
        try:
            reap(runtime, time.monotonic(), disconnected_ttl())
        except Exception:  # noqa: BLE001 - the janitor must keep running
            log.exception("the session janitor failed")


def _start_janitor() -> None:
    global _janitor
    if real_runtime() is None:
        return
    with _registry_lock:
        if _janitor is None or not _janitor.is_alive():
            _janitor = threading.Thread(target=_janitor_loop, name="formcheck-janitor", daemon=True)
            _janitor.start()


__all__ = [
    "JANITOR_EVERY_S", "TMP_ENV", "SessionEnded", "SessionFiles", "disconnected_ttl", "real_runtime", "reap",
    "session_files",
]
