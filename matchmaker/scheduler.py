"""The server's background jobs on APScheduler, one adapter: expiry, reminders, learning from
decisions once a day; alerts, digests and mailings every few minutes.

Started by the app's lifespan when the `scheduler` setting is on (never at import); the same
jobs run by hand as `python -m matchmaker expire`, `remind`, `train` and `notify`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.engine.matching import HELSINKI, Matcher
from matchmaker.settings import Settings

log = logging.getLogger(__name__)


def expire_listings(db_engine: Engine, matcher: Matcher) -> None:
    from matchmaker.listings import service

    with Session(db_engine) as session:
        gone = service.close_expired(session, matcher=matcher)
    log.info("daily: %d listings past their available_until closed", len(gone))


def remind_expiring(db_engine: Engine, settings: Settings) -> None:
    from matchmaker.listings import expiry

    with Session(db_engine) as session:
        sent = expiry.remind(session, settings)
    log.info("daily: %d expiry reminders sent", sent)


def learn_weights(db_engine: Engine, matcher: Matcher, instance_dir: Path) -> None:
    from matchmaker.workspace import training

    with Session(db_engine) as session:
        training.train(session, matcher, instance_dir)


def notify(db_engine: Engine, settings: Settings, matcher: Matcher) -> None:
    from matchmaker.alerts import notify as alerts

    with Session(db_engine) as session:
        ran = alerts.run(session, settings, matcher)
    log.info("notify: %s", ran)


class Daily:
    """A background scheduler running each job once a day at `at`, Helsinki time, and the
    frequent ones every few minutes."""

    def __init__(self, at: time) -> None:
        self.at = at
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
                _logged(name, job), trigger, id=name, coalesce=True, misfire_grace_time=3600
            )
        for name, job, minutes in self._frequent:
            # one run at a time: a slow run is not overtaken by the next
            self._scheduler.add_job(
                _logged(name, job),
                IntervalTrigger(minutes=minutes, timezone=HELSINKI),
                id=name,
                coalesce=True,
                max_instances=1,
            )
        self._scheduler.start()

    def next_runs(self) -> dict[str, Any]:
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None


def _logged(name: str, job: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failed night must not stop the next one
            log.exception("job %s failed", name)

    return run


def daily_jobs(
    at: time,
    db_engine: Engine,
    matcher: Matcher,
    instance_dir: Path,
    settings: Settings | None = None,
) -> Daily:
    daily = Daily(at)
    daily.add("expire", lambda: expire_listings(db_engine, matcher))
    if settings is not None:
        remind = settings  # the reminders' e-mail needs the mail settings and the base URL
        daily.add("remind", lambda: remind_expiring(db_engine, remind), minutes_after=5)
        daily.every(
            "notify", lambda: notify(db_engine, remind, matcher), minutes=remind.notify_minutes
        )
    daily.add("train", lambda: learn_weights(db_engine, matcher, instance_dir), minutes_after=15)
    return daily
