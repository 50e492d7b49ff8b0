"""What the alert pages show: the period choice and the saved searches, in the UI language."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session

from matchmaker.listings import views as listing_views
from matchmaker.tables import SavedSearch, Theme
from matchmaker.vocab import AlertPeriod
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import Translator


@dataclass
class SearchRow:
    id: int
    text: str
    filters: str  # "Plastics · Offers · Porvoo", or empty
    url: str  # the search itself on the browse page


def period_field(t: Translator, current: AlertPeriod, error: str = "") -> Field:
    return Field(
        "alerts",
        t("alerts.how_often"),
        "radio",
        required=True,
        hint=t("alerts.how_often_hint"),
        error=error,
        options=[Option(p.value, t.label("alerts", p), p == current) for p in AlertPeriod],
    )


def search_rows(session: Session, t: Translator, searches: list[SavedSearch]) -> list[SearchRow]:
    rows = []
    for s in searches:
        theme = session.get(Theme, s.theme_id) if s.theme_id else None
        params = {
            "q": s.text,
            "theme": theme.slug if theme else "",
            "kind": s.kind.value if s.kind else "",
            "category": s.category.value if s.category else "",
            "municipality": s.municipality or "",
        }
        labels = [
            listing_views.theme_name(theme, t.lang) if theme else "",
            t.label("kind", s.kind) if s.kind else "",
            t.label("category", s.category) if s.category else "",
            listing_views.place_name(s.municipality, t.lang) if s.municipality else "",
        ]
        query = urlencode({k: v for k, v in params.items() if v})
        assert s.id is not None
        rows.append(
            SearchRow(s.id, s.text, " · ".join(x for x in labels if x), f"/listings?{query}")
        )
    return rows
