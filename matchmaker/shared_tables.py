"""What several workers share (issue 13): the change log each worker's index follows, the
learned weights, background jobs, rate-limit attempts and the scheduler's claims. db.py
registers them with the core's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import JSON, Field, SQLModel

from matchmaker.tables import utcnow


class Change(SQLModel, table=True):
    """The change log: a row per listing written (and per new set of ranker weights), added in
    the transaction that makes the change. `seq` grows with every commit in commit order (on
    PostgreSQL the writers take a transaction lock first), so a worker that has applied up to
    N needs the rows after N and nothing else."""

    seq: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=20)  # "listing" or "ranker"
    listing_id: int | None = None
    at: datetime = Field(default_factory=utcnow)


class EngineState(SQLModel, table=True):
    """What the matcher learns and every worker uses: the ranker's weights ("ranker")."""

    name: str = Field(primary_key=True, max_length=40)
    value: str
    at: datetime = Field(default_factory=utcnow)


class BackgroundJob(SQLModel, table=True):
    """Work a page started (an import) and its progress: any worker can answer the poll."""

    id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=40)
    total: int
    done: int = 0
    state: str = Field(default="running", max_length=10)  # running, done or failed
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RateHit(SQLModel, table=True):
    """One attempt counted by a rate limit (`bucket`: which limit; `key`: whose attempt)."""

    __table_args__ = (Index("ix_ratehit_bucket_key_at", "bucket", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=20)
    key: str = Field(max_length=400)
    at: datetime = Field(default_factory=utcnow)


class ScheduledRun(SQLModel, table=True):
    """A scheduled job's claim on one run ("expire" on 2026-12-02): the primary key lets one
    worker have it, so with several workers nothing runs twice."""

    job: str = Field(primary_key=True, max_length=40)
    slot: str = Field(primary_key=True, max_length=40)
    worker: str = Field(default="", max_length=120)
    at: datetime = Field(default_factory=utcnow)
