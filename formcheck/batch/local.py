"""Running the per-clip task on this machine: in this process, or in a pool of worker processes.

Each pool worker (``spawn``-started) imports the model library once (:func:`~formcheck.batch.jobs.warm_up`)
and then takes clips one after another, one clip per worker at a time. A worker that dies (a
crash in native code) breaks the pool: a new pool takes over, and each clip that was in flight
is tried again alone; a clip whose worker dies while it runs alone is reported as failed, so
one bad clip never stops the rest.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from formcheck.batch.jobs import ClipJob, ClipOutcome, crashed_outcome, run_clip, warm_up

Task = Callable[[ClipJob], ClipOutcome]
CRASH_MESSAGE = "the analysis process stopped unexpectedly on this clip"


def run_here(jobs: Iterable[ClipJob], task: Task | None = None) -> Iterator[ClipOutcome]:
    """The clips one after another in this process (``--workers 1``); ``task`` is :func:`run_clip`."""
    for job in jobs:
        yield (task or run_clip)(job)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=warm_up)


class _Scheduler:
    """Feeds a process pool one clip per worker; after a crash, runs the suspects one at a time."""

    def __init__(self, jobs: Iterable[ClipJob], workers: int, task: Task) -> None:
        self.queue, self.suspects = deque(jobs), deque()
        self.workers, self.task = workers, task
        self.pending: dict[Future, ClipJob] = {}
        self.alone: ClipJob | None = None  # the suspect running by itself
        self.pool = _new_pool(workers)

    def busy(self) -> bool:
        return bool(self.queue or self.suspects or self.pending)

    def fill(self) -> None:
        """Submit work: a suspect alone once nothing else runs, else one clip per idle worker."""
        if self.suspects or self.alone is not None:
            if not self.pending and self.suspects:
                self.alone = self.suspects.popleft()
                self.pending[self.pool.submit(self.task, self.alone)] = self.alone
            return
        while self.queue and len(self.pending) < self.workers:
            job = self.queue.popleft()
            self.pending[self.pool.submit(self.task, job)] = job

    def collect(self) -> Iterator[ClipOutcome]:
        """Outcomes of the clips that finished; on a crash, a new pool and the in-flight clips as suspects."""
        done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
        if not any(isinstance(f.exception(), BrokenProcessPool) for f in done):
            for future in done:
                job = self.pending.pop(future)
                if job is self.alone:
                    self.alone = None
                error = future.exception()
                yield future.result() if error is None else crashed_outcome(job, f"{CRASH_MESSAGE}: {error!r}")
            return
        in_flight, self.pending = self.pending, {}
        lost = []
        for future, job in in_flight.items():
            if future.done() and future.exception() is None:
                yield future.result()
            else:
                lost.append(job)
        if self.alone is not None and lost == [self.alone]:
            yield crashed_outcome(self.alone, CRASH_MESSAGE)
        else:
            self.suspects.extend(lost)
        self.alone = None
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = _new_pool(self.workers)

    def close(self, finished: bool) -> None:
        """Shut the pool down; on an interrupted run, end its workers still busy with a clip."""
        if not finished:
            processes = getattr(self.pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        self.pool.shutdown(wait=finished, cancel_futures=True)


def run_in_processes(jobs: Iterable[ClipJob], workers: int, task: Task = run_clip) -> Iterator[ClipOutcome]:
    """The clips on ``workers`` local processes; outcomes in the order they finish.

    ``task`` (a module-level function, run in the workers) is :func:`run_clip` but in tests."""
    scheduler, finished = _Scheduler(jobs, workers, task), False
    try:
        while scheduler.busy():
            scheduler.fill()
            yield from scheduler.collect()
        finished = True
    finally:
        scheduler.close(finished)


__all__ = ["CRASH_MESSAGE", "run_here", "run_in_processes"]
