"""schemathesis against the OpenAPI document: every endpoint, with and without a token.

Each answer must be no server error and must match what the document says of it: a status code
it lists, the content type it lists, the declared headers, and a body of the declared shape.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.world import Factory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# "operation (who)" -> status counts, and -> its failures, one line each; checks run in all.
# conftest prints them at the end of the run.
SUMMARY: dict[str, Counter[int]] = {}
FAILURES: dict[str, list[str]] = {}
CHECKED = Counter[str]()
LAST = ["DELETE /api/session", "PATCH /api/users/{user_id}", "DELETE /api/tokens/{token_id}"]


@pytest.fixture
def api_schema(client: TestClient, make: Factory) -> Any:
    org = make.org("Fuzz Oy")
    make.listing(org["id"])
    other = make.org("Pellettitehdas Oy")
    make.listing(other["id"], kind="need", title="Sawdust wanted", visibility="anonymous")
    queued = client.post("/api/matches/refresh", json={"threshold": 0})  # a match to read
    assert queued.json()["added"] >= 1, queued.text
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


def _lines(failure: BaseException) -> list[str]:
    if isinstance(failure, FailureGroup):
        return [line for inner in failure.exceptions for line in _lines(inner)]
    if isinstance(failure, Failure):
        first = failure.message.strip().splitlines()[:2]
        return [f"{failure.title}: {' / '.join(first)}"]
    return [repr(failure)]


def fuzz(schema: Any, client: TestClient, who: str) -> list[str]:
    """Every operation, a bounded number of generated requests each; returns what failed."""
    headers = (
        {"Authorization": client.headers["Authorization"]}
        if who == "token"
        else {"Authorization": ""}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not a corner of it
    # what can revoke or demote the token itself goes last, so the rest runs with it
    operations.sort(key=lambda op: (LAST.index(op.label) if op.label in LAST else -1, op.label))
    failed: list[str] = []

    for operation in operations:
        label = f"{operation.label} ({who})"

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
            SUMMARY.setdefault(label, Counter())[response.status_code] += 1  # noqa: B023
            CHECKED["checks"] += len(CHECKS)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as failure:
                # counted, not raised: hypothesis would spend the run shrinking one failure
                for line in _lines(failure):
                    FAILURES.setdefault(label, []).append(line)  # noqa: B023
                    failed.append(f"{label}: {line}")  # noqa: B023

        run()
    return failed


def test_the_api_answers_as_documented_to_a_visitor(api_schema: Any, client: TestClient) -> None:
    assert fuzz(api_schema, client, "visitor") == []


def test_the_api_answers_as_documented_to_an_admin_token(
    api_schema: Any, client: TestClient
) -> None:
    assert fuzz(api_schema, client, "token") == []
