"""The server's daily jobs: scheduled in Helsinki time when the setting is on, and a failing
night does not stop the next."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import HELSINKI
from matchmaker.scheduler import Daily, _logged
from matchmaker.settings import Settings


def test_the_server_schedules_expiry_and_training_each_night(
    settings: Settings, db_engine: Any, hash_embedder: Embedder
) -> None:
    on = settings.model_copy(
        update={"scheduler": True, "daily_at": time(2, 50), "notify_minutes": 3}
    )
    app = create_app(on, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app):
        runs = app.state.daily.next_runs()
        assert set(runs) == {"expire", "remind", "train", "notify"}
        local = {name: when.astimezone(HELSINKI) for name, when in runs.items()}
        assert (local["expire"].hour, local["expire"].minute) == (2, 50)
        assert (local["remind"].hour, local["remind"].minute) == (2, 55)
        assert (local["train"].hour, local["train"].minute) == (3, 5)
        # alerts, digests and mailings: every few minutes, the first run within that time
        wait = runs["notify"] - datetime.now(UTC)
        assert timedelta(0) < wait <= timedelta(minutes=3)
    assert app.state.daily.next_runs() == {}  # stopped with the server


def test_with_the_setting_off_nothing_is_scheduled(
    settings: Settings, db_engine: Any, hash_embedder: Embedder
) -> None:
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app):
        assert app.state.daily.next_runs() == {}


def test_a_failing_job_is_logged_and_the_scheduler_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise RuntimeError("disk full")

    with caplog.at_level(logging.ERROR):
        _logged("expire", broken)()  # does not raise
    assert "job expire failed" in caplog.text
    assert Daily(time(3, 30)).next_runs() == {}
