"""/docs works offline: Swagger UI from this server's own files, no inline script; in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from matchmaker import errors
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT, Settings
from matchmaker.tools.liveserver import serve
from matchmaker.web.docs_pages import SWAGGER_UI
from tests.pagekit import Page, page

TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def _files(html: str) -> list[str]:
    """What a page loads: its scripts and its linked files (stylesheet, icon)."""
    p = Page(html)
    return [s.get("src", "") for s in p.find("script")] + [link["href"] for link in p.find("link")]


def test_docs_loads_every_file_from_this_server(visitor: TestClient) -> None:
    r = visitor.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    files = _files(r.text)
    assert len(files) == 4, files  # the bundle, our starter, the CSS, the icon
    for url in files:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/static/"), url
        got = visitor.get(url)
        assert got.status_code == 200, url
        assert got.headers["content-type"].startswith(TYPES[Path(parts.path).suffix]), url
    assert f"/static/{SWAGGER_UI}/swagger-ui-bundle.js" in files


def test_docs_has_no_inline_script_and_keeps_the_sites_csp(visitor: TestClient) -> None:
    r = visitor.get("/docs")
    assert r.headers["content-security-policy"] == errors.CSP
    assert "script-src 'self';" in errors.CSP  # no 'unsafe-inline': an inline script would not run
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", r.text, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+=", r.text) and " style=" not in r.text


def test_docs_asks_for_this_servers_openapi_document(visitor: TestClient) -> None:
    (root,) = page(visitor.get("/docs")).find("div", id="swagger-ui")
    config = json.loads(root["data-config"])
    assert config["url"] == "/openapi.json" and config["dom_id"] == "#swagger-ui"
    assert config["validatorUrl"] is None  # the badge would send the document to swagger.io
    doc = visitor.get(config["url"])
    assert doc.status_code == 200 and doc.headers["content-type"] == "application/json"
    assert "/api/listings" in doc.json()["paths"]


def test_the_licence_ships_with_the_files(visitor: TestClient) -> None:
    licence = visitor.get(f"/static/{SWAGGER_UI}/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text
    assert "SmartBear" in visitor.get(f"/static/{SWAGGER_UI}/NOTICE").text


def test_redoc_and_the_oauth2_redirect_are_not_served(visitor: TestClient) -> None:
    for url in ("/redoc", "/docs/oauth2-redirect"):
        assert visitor.get(url).status_code == 404, url
    paths = visitor.get("/openapi.json").json()["paths"]
    assert not any(p.startswith(("/docs", "/redoc")) for p in paths)  # pages, not the API


# -- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_docs_in_a_browser_shows_every_operation_and_asks_no_other_host(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'docs.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        scheduler=False,
    )
    app = create_app(settings, embedder=hash_embedder)
    with serve(app) as base:
        operations = sum(
            len([m for m in ops if m in ("get", "post", "put", "patch", "delete")])
            for ops in app.openapi()["paths"].values()
        )
        here = urlsplit(base)[:2]
        context = chromium.new_context(locale="en-GB")
        asked: list[str] = []
        elsewhere: list[str] = []
        problems: list[str] = []

        def offline(route: Any) -> None:
            # as if there were no network: anything for another host is refused, and noted
            if urlsplit(route.request.url)[:2] == here:
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        docs = context.new_page()
        docs.on("request", lambda request: asked.append(request.url))
        docs.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        docs.on("pageerror", lambda error: problems.append(str(error)))
        docs.goto(f"{base}/docs")
        expect(docs.locator(".opblock")).to_have_count(operations)
        suggestions = docs.locator(".opblock", has_text="/api/listings/{listing_id}/suggestions")
        expect(suggestions).to_be_visible()
        expect(docs.get_by_text("/api/listings", exact=True).first).to_be_visible()

        themes = docs.locator(".opblock", has_text="/api/themes").first  # try one out
        themes.locator(".opblock-summary").click()
        themes.get_by_role("button", name="Try it out").click()
        themes.get_by_role("button", name="Execute").click()
        status = themes.locator(".live-responses-table td.response-col_status:not(.col_header)")
        expect(status).to_have_text("200")
        docs.wait_for_load_state("networkidle")
        context.close()

    assert elsewhere == [] and problems == [], (elsewhere, problems)
    assert {urlsplit(url)[:2] for url in asked} == {here}, asked
    assert {urlsplit(url).path for url in asked} >= {
        "/docs",
        "/openapi.json",
        "/api/themes",
        f"/static/{SWAGGER_UI}/swagger-ui-bundle.js",
        "/static/swagger-init.js",
    }
