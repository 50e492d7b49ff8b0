"""Work a page starts and then polls: a thread per job, its progress kept in memory."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass
class Job:
    id: str
    total: int
    done: int = 0
    state: str = "running"  # running, done or failed
    result: Any = None
    error: str = ""
    _thread: threading.Thread | None = field(default=None, repr=False)

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class Jobs:
    """This process's jobs; past `keep`, the oldest finished ones are forgotten."""

    def __init__(self, keep: int = 50) -> None:
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, total: int, work: Callable[[Progress], Any], *, wait: bool = False) -> Job:
        """Run `work(progress)` in a thread; `progress(n)` says n more items are done."""
        job = Job(secrets.token_urlsafe(12), total)

        def advance(n: int) -> None:
            with self._lock:
                job.done = min(job.total, job.done + n)

        def run() -> None:
            try:
                result = work(advance)
            except Exception as exc:  # the page shows it; the log keeps the traceback
                log.exception("job %s failed", job.id)
                with self._lock:
                    job.state, job.error = "failed", str(exc)[:500]
            else:
                with self._lock:
                    job.result, job.done, job.state = result, job.total, "done"

        with self._lock:
            self._jobs[job.id] = job
            finished = [j.id for j in self._jobs.values() if j.state != "running"]
            for old in finished[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old]
        job._thread = threading.Thread(target=run, name=f"job-{job.id}", daemon=True)
        job._thread.start()
        if wait:
            job.wait()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)
