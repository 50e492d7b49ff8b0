"""The UI language (?lang=, then a cookie, then Accept-Language, else Finnish) and its catalogue."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_time, get_timezone
from babel.numbers import format_decimal, format_percent
from starlette.requests import Request

from matchmaker.vocab import (
    AlertPeriod,
    Category,
    Frequency,
    Language,
    ListingKind,
    MatchStatus,
    OrgKind,
    Role,
    Status,
    Unit,
    Visibility,
)

LANGUAGES: tuple[str, ...] = tuple(lang.value for lang in Language)
DEFAULT = Language.fi.value
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Labels of closed vocabularies are looked up as "<prefix>.<value>": the completeness test
# cannot see these keys in the source, so it asks this table for them.
VOCABS: dict[str, type[StrEnum]] = {
    "kind": ListingKind,
    "category": Category,
    "frequency": Frequency,
    "unit": Unit,
    "status": Status,
    "visibility": Visibility,
    "orgkind": OrgKind,
    "role": Role,
    "language": Language,
    "matchstatus": MatchStatus,
    "alerts": AlertPeriod,
}


def N_(key: str) -> str:
    """Marks a key used indirectly (gettext's no-op), so the completeness test finds it."""
    return key


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of one language: key -> text with {named} placeholders."""
    text = resources.files("matchmaker.web").joinpath(f"locales/{lang}.json").read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"locales/{lang}.json: expected an object of key -> text")
    return {str(k): str(v) for k, v in data.items()}


def vocab_keys() -> set[str]:
    return {f"{prefix}.{member.value}" for prefix, enum in VOCABS.items() for member in enum}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(catalogues: Mapping[str, Mapping[str, str]], used: Iterable[str]) -> list[str]:
    """Every way the catalogues fall short of the keys the UI uses; empty when complete."""
    used = set(used)
    found: list[str] = []
    for lang, cat in sorted(catalogues.items()):
        found += [f"{lang}: missing {key!r}" for key in sorted(used - set(cat))]
        blank = {key for key in used & set(cat) if not cat[key].strip()}
        found += [f"{lang}: empty {key!r}" for key in sorted(blank)]
        found += [f"{lang}: unused {key!r}" for key in sorted(set(cat) - used)]
    langs = sorted(catalogues)
    for key in sorted(used):
        shapes = {
            lang: placeholders(catalogues[lang][key]) for lang in langs if key in catalogues[lang]
        }
        if len({frozenset(s) for s in shapes.values()}) > 1:
            found.append(f"placeholders of {key!r} differ: {shapes}")
    return found


HELSINKI = get_timezone("Europe/Helsinki")  # the valley's clock, whatever the server's


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


class Translator:
    """`t("key", name=value)` in one language; also formats numbers and dates for it."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._messages = catalogue(self.lang)
        self._locale = _locale(self.lang)  # parsed once: a page formats hundreds of numbers

    def __call__(self, key: str, /, **params: object) -> str:
        text = self._messages.get(key)
        if text is None:  # a test keeps this from happening; show something readable meanwhile
            text = catalogue("en").get(key, key)
        return text.format(**params) if params else text

    def label(self, prefix: str, value: object) -> str:
        """The label of a vocabulary value, e.g. label("category", Category.material)."""
        if value is None:
            return ""
        return self(f"{prefix}.{getattr(value, 'value', value)}")

    def number(self, value: float, digits: int = 1) -> str:
        """At most `digits` decimals, in the language's notation (2,5 in fi and sv)."""
        return format_decimal(round(value, digits), locale=self._locale)

    def fixed(self, value: float, digits: int = 2) -> str:
        """Exactly `digits` decimals: 0,80 rather than 0,8."""
        return format_decimal(value, format="#,##0." + "0" * digits, locale=self._locale)

    def percent(self, share: float) -> str:
        """A share as whole per cent in the language's notation: 60 % in fi and sv, 60% in en."""
        return format_percent(share, locale=self._locale)

    def date(self, value: date | None) -> str:
        return format_date(value, format="medium", locale=self._locale) if value else ""

    def time(self, at: datetime) -> str:
        """A stored (UTC) time as Finland's clock shows it: the date as `date` writes it, then
        the time."""
        local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(HELSINKI)
        clock = format_time(local, format="short", locale=self._locale)
        return f"{self.date(local.date())} {clock}"


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header, by its q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].casefold()
        if primary == "nb" or primary == "no":  # Norwegian readers get Swedish, not Finnish
            primary = "sv"
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose(request: Request) -> tuple[str, bool]:
    """The UI language of a request, and whether it was just chosen (so the cookie is set)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered, False
    return from_accept_language(request.headers.get("accept-language")) or DEFAULT, False
