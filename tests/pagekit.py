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


VOID = {"br", "hr", "img", "input", "link", "meta", "wbr"}  # elements that have no end tag


class Table(HTMLParser):
    """The rows of one table (by id): each cell's tag, attributes and text, headers included."""

    def __init__(self, html: str, ident: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ident = ident
        self.caption = ""
        self.rows: list[list[tuple[str, dict[str, str], str]]] = []
        self._depth = 0  # inside the table: how many of its elements are open
        self._cell: tuple[str, dict[str, str], list[str]] | None = None
        self._in_caption = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table" and found.get("id") == self.ident:
            self._depth = 1
        elif self._depth and tag not in VOID:
            self._depth += 1
            if tag == "tr":
                self.rows.append([])
            elif tag in ("th", "td"):
                self._cell = (tag, found, [])
            elif tag == "caption":
                self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if tag in ("th", "td") and self._cell is not None:
            name, attrs, words = self._cell
            self.rows[-1].append((name, attrs, " ".join(" ".join(words).split())))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2].append(data)
        elif self._in_caption:
            self.caption += data

    def texts(self) -> list[list[str]]:
        return [[text for _, _, text in row] for row in self.rows]

    def row(self, label: str) -> dict[str, tuple[str, dict[str, str], str]]:
        """The row whose first cell reads `label`: column heading -> its cell."""
        head = self.texts()[0]
        for row in self.rows[1:]:
            if row[0][2] == label:
                return dict(zip(head, row, strict=True))
        raise AssertionError(f"no row {label!r} in table {self.ident}: {self.texts()}")
