"""Work a page starts and then polls: a thread in the worker that started it, its progress and
result in the database (BackgroundJob), so that whichever worker gets the poll can answer it."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.shared_tables import BackgroundJob
from matchmaker.tables import utcnow

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

# A running job whose row has not moved for this long lost its worker (a restart, a crash):
# it is shown as failed rather than as running for ever. Progress is written every few seconds.
STALLED = timedelta(minutes=10)


@dataclass
class Job:
    id: str
    total: int
    done: int = 0
    state: str = "running"  # running, done or failed
    result: dict[str, Any] | None = None
    error: str = ""
    stalled: bool = False  # failed: the worker running it stopped
    _thread: threading.Thread | None = field(default=None, repr=False)

    def wait(self, timeout: float | None = None) -> None:
        """Until the work is done, when it runs in this process (else at once)."""
        if self._thread is not None:
            self._thread.join(timeout)


class Jobs:
    """The jobs of the database, started by this process or by any other."""

    def __init__(self, db_engine: Engine, kind: str = "import", every: float = 0.5) -> None:
        self._db_engine = db_engine
        self.kind = kind
        self.every = every  # seconds between two writes of the progress
        self._threads: dict[str, threading.Thread] = {}

    def start(
        self, total: int, work: Callable[[Progress], dict[str, Any]], *, wait: bool = False
    ) -> Job:
        """Run `work(progress)` in a thread; `progress(n)` says n more items are done. What
        `work` returns (plain JSON) is the job's result."""
        job = Job(secrets.token_urlsafe(12), total)
        with Session(self._db_engine) as session:
            session.add(BackgroundJob(id=job.id, kind=self.kind, total=total))
            session.commit()
        done, written = [0], [time.monotonic()]

        def advance(n: int) -> None:
            done[0] = min(total, done[0] + n)
            if time.monotonic() - written[0] >= self.every:
                written[0] = time.monotonic()
                self._write(job.id, done=done[0])

        def run() -> None:
            try:
                result = work(advance)
            except Exception as exc:  # the page shows it; the log keeps the traceback
                log.exception("job %s failed", job.id)
                self._write(job.id, state="failed", error=str(exc)[:500])
            else:
                self._write(job.id, state="done", done=total, result=result)
            finally:
                self._threads.pop(job.id, None)

        job._thread = threading.Thread(target=run, name=f"job-{job.id}", daemon=True)
        self._threads[job.id] = job._thread
        job._thread.start()
        if wait:
            job.wait()
        return job

    def _write(self, job_id: str, **values: Any) -> None:
        with Session(self._db_engine) as session:
            session.exec(
                update(BackgroundJob)
                .where(BackgroundJob.id == job_id)  # type: ignore[arg-type]
                .values(updated_at=utcnow(), **values)
            )
            session.commit()

    def get(self, job_id: str) -> Job | None:
        with Session(self._db_engine) as session:
            row = session.get(BackgroundJob, job_id)
        if row is None:
            return None
        job = Job(row.id, row.total, row.done, row.state, row.result, row.error)
        job._thread = self._threads.get(job_id)
        moved = row.updated_at.replace(tzinfo=row.updated_at.tzinfo or UTC)
        if job.state == "running" and job._thread is None and utcnow() - moved > STALLED:
            job.state, job.stalled = "failed", True
        return job
