"""The app as a whole: its documents and the headers every answer carries."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/listings/{listing_id}/suggestions" in paths and "/api/search" in paths


def test_security_headers_on_every_response(visitor: TestClient) -> None:
    r = visitor.get("/api/themes")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
