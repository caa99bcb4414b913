"""Running the per-clip task on a Ray cluster (``--ray ADDRESS`` or ``auto``).

The driver (this process) reads each video and sends its bytes with the task, so the nodes
need no shared folder: a node keeps a clip only in a private temporary folder while it reviews
it. Results come back to the driver as they finish (``ray.wait``), and the driver alone writes
them. At most two clips per CPU of the cluster (and 2 GiB of video) are in flight, so the
driver never holds the whole folder in memory. Ray is imported only here, and only when ``--ray`` is given.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import ClipJob, ClipOutcome, crashed_outcome, run_clip
from formcheck.errors import FormcheckError

#: Clips in flight per CPU of the cluster.
IN_FLIGHT_PER_CPU = 2
#: Video bytes in flight at most (one clip is always sent, however large).
IN_FLIGHT_BYTES = 2 * 1024**3
#: The environment every task runs with on a node: never download (nodes need no internet).
NODE_ENV = {"FORMCHECK_OFFLINE": "1"}


def import_ray() -> Any:
    """The ``ray`` module, or one clear line saying how to install it."""
    try:
        import ray
    except ImportError:
        raise FormcheckError('--ray needs Ray: pip install "formcheck[cluster]"') from None
    return ray


def connect(ray: Any, address: str) -> bool:
    """Join the cluster at ``address`` unless this process already has one; True when joined here."""
    if ray.is_initialized():
        return False
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
                 runtime_env={"env_vars": NODE_ENV})
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise FormcheckError(f"--ray {address}: could not join a Ray cluster there ({exc})") from None
    return True


def _with_video(job: ClipJob) -> ClipJob:
    """The job carrying its video's bytes (read now, just before it is sent)."""
    return dataclasses.replace(job, data=Path(job.path).read_bytes())


def _lost(job: ClipJob, exc: Exception) -> ClipOutcome:
    return crashed_outcome(job, f"the Ray task for this clip failed ({exc.__class__.__name__}: {exc})"[:500])


def _finished(ray: Any, pending: dict[Any, ClipJob]) -> Iterator[ClipOutcome]:
    """Wait for at least one task; the outcomes of those done."""
    ready, _ = ray.wait(list(pending), num_returns=1)
    for ref in ready:
        job = pending.pop(ref)
        try:
            yield ray.get(ref)
        except ray.exceptions.RayError as exc:
            yield _lost(job, exc)


def run_on_ray(jobs: Iterable[ClipJob], address: str) -> Iterator[ClipOutcome]:
    """The clips as Ray tasks (one CPU each) on the cluster at ``address``; outcomes as they finish."""
    ray = import_ray()
    joined = connect(ray, address)
    try:
        task = ray.remote(num_cpus=1, max_retries=1)(run_clip)
        limit = max(1, IN_FLIGHT_PER_CPU * int(ray.cluster_resources().get("CPU", 1)))
        pending: dict[Any, ClipJob] = {}
        for job in jobs:
            while pending and (len(pending) >= limit
                               or sum(j.size for j in pending.values()) + job.size > IN_FLIGHT_BYTES):
                yield from _finished(ray, pending)
            try:
                pending[task.remote(_with_video(job))] = job
            except OSError as exc:  # the video went away since the folder was listed
                yield crashed_outcome(job, f"{job.path}: cannot be read ({exc.strerror})")
        while pending:
            yield from _finished(ray, pending)
    finally:
        if joined:
            ray.shutdown()


__all__ = ["IN_FLIGHT_BYTES", "IN_FLIGHT_PER_CPU", "NODE_ENV", "connect", "import_ray", "run_on_ray"]
