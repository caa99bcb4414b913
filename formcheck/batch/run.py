"""The batch driver: list the clips, skip those finished before, hand the rest to a runner, and
write every outcome (and the summary, whole, after each clip) as it comes back."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import ClipJob, ClipOutcome, list_clips
from formcheck.batch.outputs import OutputFolder
from formcheck.batch.progress import outcome_line, start_line
from formcheck.batch.request import BatchRequest
from formcheck.batch.resume import is_finished
from formcheck.batch.settings import ReviewSettings
from formcheck.batch.summary import write_summary

Say = Callable[[str], None]


@dataclass(frozen=True)
class BatchReport:
    """How a run went: clips found, skipped as done before, reviewed now, failed (now or before)."""

    clips: int
    skipped: int
    reviewed: int
    errors: int
    seconds: float
    summary: Path

    def text(self) -> str:
        return (f"{self.clips} clips: {self.reviewed} reviewed, {self.skipped} done before, "
                f"{self.errors} with errors, in {self.seconds:.1f} s. Summary: {self.summary}")


def _job(folder: Path, path: Path, settings: ReviewSettings) -> ClipJob:
    stat = path.stat()
    return ClipJob(path.relative_to(folder).as_posix(), str(path), stat.st_size, stat.st_mtime_ns, settings)


def _plan(request: BatchRequest, settings: ReviewSettings, out: OutputFolder
          ) -> tuple[list[ClipJob], dict[str, dict[str, Any] | None]]:
    """Every clip's job, and the records by clip (those finished before filled in, in folder order)."""
    jobs = [_job(request.folder, p, settings) for p in list_clips(request.folder, request.recursive, out.root)]
    records: dict[str, dict[str, Any] | None] = {}
    todo = []
    for job in jobs:
        record = out.load(job.clip)
        if record is not None and is_finished(record, job, out, request.retry_errors):
            records[job.clip] = record
        else:
            records[job.clip] = None
            todo.append(job)
    return todo, records


def _outcomes(request: BatchRequest, jobs: list[ClipJob]) -> Iterator[ClipOutcome]:
    if request.ray is not None:
        from formcheck.batch.ray_runner import run_on_ray

        return run_on_ray(jobs, request.ray)
    from formcheck.batch.local import run_here, run_in_processes

    return run_in_processes(jobs, request.workers) if request.workers > 1 else run_here(jobs)


def _how(request: BatchRequest) -> str:
    if request.ray is not None:
        return f"on the Ray cluster at {request.ray}"
    return "in this process" if request.workers == 1 else f"on {request.workers} local processes"


def _done(records: dict[str, dict[str, Any] | None]) -> list[dict[str, Any]]:
    return [r for r in records.values() if r is not None]


def run_batch(request: BatchRequest, say: Say | None = None) -> BatchReport:
    """Review every clip of ``request.folder`` not finished before; ``say`` gets the progress lines.

    Raises:
        FormcheckError: the request is wrong (folder, output folder, workers, exercise, model, Ray).
    """
    started = time.perf_counter()
    settings = request.check()
    out = OutputFolder(request.out)
    out.prepare()
    todo, records = _plan(request, settings, out)
    total, skipped = len(records), len(records) - len(todo)
    say = say or (lambda line: None)
    say(start_line(total, skipped, _how(request)))
    write_summary(out.summary, _done(records))
    with contextlib.closing(_outcomes(request, todo)) as outcomes:  # an interrupt stops the workers
        for done, outcome in enumerate(outcomes, start=skipped + 1):
            records[outcome.clip] = out.save(outcome)
            write_summary(out.summary, _done(records))
            say(outcome_line(done, total, records[outcome.clip]))
    finals = [out.load(clip) for clip in records]  # the summary, at last, from the files themselves
    write_summary(out.summary, [r for r in finals if r is not None])
    errors = sum(1 for r in finals if r is None or r["batch"].get("error"))
    return BatchReport(total, skipped, len(todo), errors, time.perf_counter() - started, out.summary)


__all__ = ["BatchReport", "run_batch"]
