"""Helpers of the page tests: an HTML reader, requests in a language, the forms' CSRF token."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

if TYPE_CHECKING:  # the TestClient's responses are httpx2's (starlette.testclient says so)
    from httpx2 import Response


HTMX = {"HX-Request": "true"}
VISITOR = {"Authorization": ""}  # the `client` fixture is an admin; this drops the token


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: its elements, texts by id, visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self.words: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if tag not in ("input", "meta", "link", "br", "img", "option"):
            self._open.append((tag, found.get("id")))
            if "id" in found:
                self.texts.setdefault(found["id"], [])

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag in ("script", "style", "title") for tag, _ in self._open):
            return
        self.words.append(data)
        for _, ident in self._open:
            if ident:
                self.texts[ident].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())

    def text_of(self, ident: str) -> str:
        return " ".join(" ".join(self.texts[ident]).split())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


def page(r: Response) -> Page:
    return Page(r.text)


def get(client: TestClient, url: str, lang: str = "en", **kw: Any) -> Response:
    sep = "&" if "?" in url else "?"
    return client.get(f"{url}{sep}lang={lang}", **kw)


def csrf_of(r: Response) -> str:
    return page(r).find("input", name="csrf_token")[0]["value"]
