"""schemathesis against the OpenAPI schema: every endpoint, with and without a token, no 5xx."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.world import Factory

# (operation, who) -> status counts; printed at the end of the run (see conftest).
SUMMARY: dict[str, Counter[int]] = {}
LAST = ["DELETE /api/session", "PATCH /api/users/{user_id}", "DELETE /api/tokens/{token_id}"]


@pytest.fixture
def api_schema(client: TestClient, make: Factory) -> Any:
    org = make.org("Fuzz Oy")
    make.listing(org["id"])
    make.listing(org["id"], kind="need", title="Sawdust wanted", visibility="anonymous")
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


def fuzz(schema: Any, client: TestClient, who: str) -> None:
    """Every operation, a bounded number of generated requests each; none may get a 5xx."""
    headers = (
        {"Authorization": client.headers["Authorization"]}
        if who == "token"
        else {"Authorization": ""}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not a corner of it
    # what can revoke or demote the token itself goes last, so the rest runs with it
    operations.sort(key=lambda op: (LAST.index(op.label) if op.label in LAST else -1, op.label))

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            label = f"{operation.label} ({who})"  # noqa: B023  (run() is called right below)
            SUMMARY.setdefault(label, Counter())[response.status_code] += 1
            assert response.status_code < 500, (case.as_curl_command(), response.text)

        run()


def test_no_server_errors_as_a_visitor(api_schema: Any, client: TestClient) -> None:
    fuzz(api_schema, client, "visitor")


def test_no_server_errors_with_an_admin_token(api_schema: Any, client: TestClient) -> None:
    fuzz(api_schema, client, "token")
