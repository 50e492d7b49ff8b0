"""What several workers share lives in the database: a rate limit counts the attempts made
through any worker, an import's progress reads the same from any worker, and a scheduled run
is claimed by one worker only. Each worker is played here by objects of its own on one
database (the two-process test is tests/test_workers.py)."""

from __future__ import annotations

import threading
from datetime import time, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from matchmaker.accounts.auth import RateLimiter
from matchmaker.scheduler import Daily
from matchmaker.shared_tables import BackgroundJob, RateHit
from matchmaker.tables import utcnow
from matchmaker.transfer.jobs import STALLED, Jobs


def test_a_rate_limit_counts_the_attempts_of_every_worker(db_engine: Any) -> None:
    one, other = (RateLimiter(db_engine, "login", 3, 900) for _ in range(2))
    key = "10.0.0.5|sora@example.fi"
    assert [one.allow(key), other.allow(key), one.allow(key)] == [True, True, True]
    assert not other.allow(key) and not one.allow(key)  # the fourth, through either
    assert RateLimiter(db_engine, "reset-address", 3, 900).allow(key)  # another limit's count
    one.forget(key)  # a success through one worker wipes the count for all
    assert other.allow(key)


def test_attempts_older_than_the_window_no_longer_count(db_engine: Any) -> None:
    limiter = RateLimiter(db_engine, "login", 2, 900)
    assert limiter.allow("k") and limiter.allow("k") and not limiter.allow("k")
    with Session(db_engine) as s:  # the two counted attempts, 901 seconds ago
        s.exec(update(RateHit).values(at=utcnow() - timedelta(seconds=901)))
        s.commit()
    assert limiter.allow("k") and limiter.allow("k") and not limiter.allow("k")


def test_any_text_a_client_sends_is_counted_and_no_address_is_stored(db_engine: Any) -> None:
    """A login's key is its client and the address typed: a NUL (which PostgreSQL's text
    refuses) or a lone surrogate is counted like any other, and the table keeps digests."""
    limiter = RateLimiter(db_engine, "login", 1, 900)
    for key in ("testclient|\x00", "testclient|\ud800", "testclient|anna@example.fi"):
        assert limiter.allow(key) and not limiter.allow(key), key
    with Session(db_engine) as s:
        stored = [hit.key for hit in s.exec(select(RateHit))]
    assert len(stored) == 3 and not any("example" in k or "testclient" in k for k in stored)


def test_refused_attempts_do_not_stretch_the_window(db_engine: Any) -> None:
    limiter = RateLimiter(db_engine, "login", 1, 900)
    assert limiter.allow("k")
    for _ in range(5):
        assert not limiter.allow("k")
    with Session(db_engine) as s:
        assert len(s.exec(select(RateHit)).all()) == 1


def test_an_import_started_on_one_worker_is_followed_on_another(db_engine: Any) -> None:
    here, there = Jobs(db_engine, every=0), Jobs(db_engine, every=0)
    step, go_on = threading.Event(), threading.Event()

    def work(progress: Any) -> dict[str, Any]:
        progress(40)
        step.set()
        go_on.wait(10)
        progress(60)
        return {"added": 100}

    job = here.start(100, work)
    assert step.wait(10)
    seen = there.get(job.id)
    assert seen is not None and (seen.state, seen.done, seen.total) == ("running", 40, 100)
    go_on.set()
    job.wait(10)
    seen = there.get(job.id)
    assert seen is not None and (seen.state, seen.done, seen.result) == (
        "done",
        100,
        {"added": 100},
    )
    assert there.get("nope") is None


def test_a_failed_job_says_why_and_a_job_whose_worker_stopped_says_so(db_engine: Any) -> None:
    jobs = Jobs(db_engine)

    def broken(progress: Any) -> dict[str, Any]:
        raise ValueError("row 7: unknown theme 'aerospace'")

    failed = jobs.start(10, broken, wait=True)
    seen = Jobs(db_engine).get(failed.id)
    assert seen is not None and seen.state == "failed" and "aerospace" in seen.error
    assert not seen.stalled

    step = threading.Event()

    def waiting(progress: Any) -> dict[str, Any]:
        step.wait(10)
        return {}

    running = jobs.start(10, waiting)
    with Session(db_engine) as s:  # its row has not moved for longer than a job ever waits
        s.exec(
            update(BackgroundJob)
            .where(BackgroundJob.id == running.id)  # type: ignore[arg-type]
            .values(updated_at=utcnow() - STALLED - timedelta(minutes=1))
        )
        s.commit()
    here = jobs.get(running.id)
    assert here is not None and here.state == "running"  # here its thread lives
    elsewhere = Jobs(db_engine).get(running.id)  # another worker: nobody is running it
    assert elsewhere is not None and elsewhere.state == "failed" and elsewhere.stalled
    step.set()
    running.wait(10)


def test_a_scheduled_run_is_claimed_by_one_worker_only(db_engine: Any) -> None:
    ran: list[str] = []
    workers = [Daily(time(3, 0), db_engine) for _ in range(3)]
    slot = iter(["2026-12-02", "2026-12-02", "2026-12-02", "2026-12-03"])
    runs = [w._once("expire", lambda: ran.append("expire"), lambda: next(slot)) for w in workers]
    for run in runs:
        run()
    assert ran == ["expire"]  # three workers, one run
    runs[1]()  # the next night: a new slot
    assert ran == ["expire", "expire"]
