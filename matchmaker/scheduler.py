"""The server's background jobs on APScheduler, one adapter: expiry, reminders, learning from
decisions once a day; alerts, digests and mailings every few minutes.

Started by the app's lifespan when the `scheduler` setting is on (never at import); the same
jobs run by hand as `python -m matchmaker expire`, `remind`, `train` and `notify`."""

from __future__ import annotations

import functools
import logging
import os
import socket
import time as _time
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from matchmaker.engine.matching import HELSINKI, Matcher
from matchmaker.settings import Settings
from matchmaker.shared_tables import ScheduledRun

log = logging.getLogger(__name__)


def expire_listings(db_engine: Engine, matcher: Matcher) -> None:
    from matchmaker.listings import service

    with Session(db_engine) as session:
        matcher.follow(session)
        gone = service.close_expired(session, matcher=matcher)
    log.info("daily: %d listings past their available_until closed", len(gone))


def remind_expiring(db_engine: Engine, settings: Settings) -> None:
    from matchmaker.listings import expiry

    with Session(db_engine) as session:
        sent = expiry.remind(session, settings)
    log.info("daily: %d expiry reminders sent", sent)


def learn_weights(db_engine: Engine, matcher: Matcher) -> None:
    from matchmaker.workspace import training

    with Session(db_engine) as session:
        matcher.follow(session)
        training.train(session, matcher)


def notify(db_engine: Engine, settings: Settings, matcher: Matcher) -> None:
    from matchmaker.alerts import notify as alerts

    with Session(db_engine) as session:
        matcher.follow(session)
        ran = alerts.run(session, settings, matcher)
    log.info("notify: %s", ran)


def claim(db_engine: Engine, job: str, slot: str) -> bool:
    """Take one run of a job (its `slot`: the day, or the interval's number) for this worker:
    False when another worker took it first, so that with several workers nothing runs twice."""
    worker = f"{socket.gethostname()}:{os.getpid()}"[:120]
    with Session(db_engine) as session:
        session.add(ScheduledRun(job=job, slot=slot, worker=worker))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True


class Daily:
    """A background scheduler running each job once a day at `at`, Helsinki time, and the
    frequent ones every few minutes; with an engine, a run is claimed in the database first."""

    def __init__(self, at: time, db_engine: Engine | None = None) -> None:
        self.at = at
        self._db_engine = db_engine
        self._scheduler: Any = None
        self._jobs: list[tuple[str, Callable[[], None], int]] = []
        self._frequent: list[tuple[str, Callable[[], None], int]] = []

    def add(self, name: str, job: Callable[[], None], *, minutes_after: int = 0) -> None:
        self._jobs.append((name, job, minutes_after))

    def every(self, name: str, job: Callable[[], None], *, minutes: int) -> None:
        self._frequent.append((name, job, minutes))

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler = BackgroundScheduler(timezone=HELSINKI)
        for name, job, later in self._jobs:
            minutes = self.at.hour * 60 + self.at.minute + later
            trigger = CronTrigger(hour=minutes // 60 % 24, minute=minutes % 60, timezone=HELSINKI)
            # a missed run (the server was down) runs once when it is back, within the hour
            self._scheduler.add_job(
                _logged(name, self._once(name, job, _today)),
                trigger,
                id=name,
                coalesce=True,
                misfire_grace_time=3600,
            )
        for name, job, minutes in self._frequent:
            # one run at a time: a slow run is not overtaken by the next; every worker's runs
            # fall on the same instants (multiples of the interval), so they claim one slot
            seconds = minutes * 60
            self._scheduler.add_job(
                _logged(name, self._once(name, job, functools.partial(_interval, seconds))),
                IntervalTrigger(
                    minutes=minutes,
                    timezone=HELSINKI,
                    start_date=datetime.fromtimestamp(_aligned(seconds), HELSINKI),
                ),
                id=name,
                coalesce=True,
                max_instances=1,
            )
        self._scheduler.start()

    def _once(
        self, name: str, job: Callable[[], None], slot: Callable[[], str]
    ) -> Callable[[], None]:
        if self._db_engine is None:
            return job
        db_engine = self._db_engine

        def run() -> None:
            if claim(db_engine, name, slot()):
                job()
            else:
                log.info("job %s: another worker has this run", name)

        return run

    def next_runs(self) -> dict[str, Any]:
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None


def _today() -> str:
    return datetime.now(HELSINKI).date().isoformat()


def _interval(seconds: int) -> str:
    """The number of the interval now running, counted from the epoch (rounded to the
    nearest start: a run fires a moment after its instant)."""
    return str(round(_time.time() / seconds))


def _aligned(seconds: int) -> float:
    """The next multiple of `seconds` since the epoch."""
    return (_time.time() // seconds + 1) * seconds


def _logged(name: str, job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failed night must not stop the next one
            log.exception("job %s failed", name)

    return run


def daily_jobs(
    at: time, db_engine: Engine, matcher: Matcher, settings: Settings | None = None
) -> Daily:
    daily = Daily(at, db_engine)
    daily.add("expire", lambda: expire_listings(db_engine, matcher))
    if settings is not None:
        remind = settings  # the reminders' e-mail needs the mail settings and the base URL
        daily.add("remind", lambda: remind_expiring(db_engine, remind), minutes_after=5)
        daily.every(
            "notify", lambda: notify(db_engine, remind, matcher), minutes=remind.notify_minutes
        )
    daily.add("train", lambda: learn_weights(db_engine, matcher), minutes_after=15)
    return daily
