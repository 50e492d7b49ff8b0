"""The info point's rules: what is current, what published_since returns, what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from matchmaker.accounts.auth import Principal
from matchmaker.errors import InputError
from matchmaker.infopoint import service
from matchmaker.infopoint.schemas import InfoCreate, InfoUpdate
from matchmaker.settings import ROOT
from matchmaker.tables import InfoItem
from matchmaker.transfer import seeding
from tests.world import person

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 11:00 in Helsinki


@pytest.fixture
def curator(session: Session, db_engine: Any) -> Principal:
    seeding.ensure_themes(session, ROOT / "seeds")
    return Principal(user=person(db_engine, "facilitator"))


def add(session: Session, by: Principal, *, at: datetime = NOW, **fields: Any) -> InfoItem:
    data = {"kind": "research", "title": "Textile sorting results", "language": "en", **fields}
    return service.create(session, data=InfoCreate.model_validate(data), by=by, now=at)


def titles(items: list[InfoItem]) -> list[str]:
    return [i.title for i in items]


def test_published_since_is_newest_first_and_drops_closed_calls_past_events_and_hidden_items(
    session: Session, curator: Principal
) -> None:
    add(session, curator, title="VTT: textile recycling", at=NOW - timedelta(days=3))
    add(
        session,
        curator,
        kind="funding",
        title="Business Finland call",
        deadline="2027-03-12",
        at=NOW - timedelta(days=2),
    )
    add(  # made in January, closed in February: gone now
        session,
        curator,
        kind="funding",
        title="Old call",
        deadline="2026-02-01",
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    add(
        session,
        curator,
        kind="event",
        title="HSY workshop",
        event_date="2026-11-30",
        at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    hidden = add(session, curator, title="Draft pilot", kind="pilot", at=NOW - timedelta(days=1))
    service.set_published(session, hidden, False, by=curator)

    assert titles(service.published_since(session, since=None, now=NOW)) == [
        "Business Finland call",
        "VTT: textile recycling",
    ]
    since = NOW - timedelta(days=2, hours=12)
    assert titles(service.published_since(session, since=since, now=NOW)) == [
        "Business Finland call"
    ]
    # the deadline day itself still counts, Helsinki's day
    last_day = datetime(2027, 3, 12, 21, 59, tzinfo=UTC)  # 23:59 in Helsinki
    assert "Business Finland call" in titles(
        service.published_since(session, since=None, now=last_day)
    )
    next_day = datetime(2027, 3, 12, 22, 1, tzinfo=UTC)  # 00:01 on the 13th in Helsinki
    assert "Business Finland call" not in titles(
        service.published_since(session, since=None, now=next_day)
    )


def test_published_since_by_theme_counts_an_item_without_themes_for_every_theme(
    session: Session, curator: Principal
) -> None:
    add(session, curator, title="Plastics pilot", themes=["plastics"], at=NOW - timedelta(hours=3))
    add(session, curator, title="Textiles result", themes=["textiles"], at=NOW - timedelta(hours=2))
    add(session, curator, title="For everyone", at=NOW - timedelta(hours=1))

    def of(themes: list[str] | None) -> list[str]:
        return titles(service.published_since(session, since=None, themes=themes, now=NOW))

    assert of(["plastics"]) == ["For everyone", "Plastics pilot"]
    assert of(["textiles", "plastics"]) == ["For everyone", "Textiles result", "Plastics pilot"]
    assert of(["food"]) == ["For everyone"]
    assert of(None) == ["For everyone", "Textiles result", "Plastics pilot"]


def test_published_since_takes_a_naive_utc_time_as_well(
    session: Session, curator: Principal
) -> None:
    add(session, curator, title="Later", at=NOW)
    naive = (NOW - timedelta(minutes=1)).replace(tzinfo=None)
    assert titles(service.published_since(session, since=naive, now=NOW)) == ["Later"]
    assert service.published_since(session, since=NOW.replace(tzinfo=None), now=NOW) == []


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "funding"}, "deadline"),
        ({"kind": "funding", "deadline": "2026-12-01"}, "deadline"),
        ({"kind": "event"}, "event_date"),
        ({"kind": "event", "event_date": "2026-11-15"}, "event_date"),
        ({"themes": ["plastics", "wood"]}, "themes"),
    ],
)
def test_a_new_item_is_refused_when_it_is_already_past_or_names_an_unknown_theme(
    session: Session, curator: Principal, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as refused:
        add(session, curator, **fields)
    assert refused.value.field == field
    assert session.get(InfoItem, 1) is None


def test_a_call_closing_today_may_be_published(session: Session, curator: Principal) -> None:
    item = add(session, curator, kind="funding", title="Closes today", deadline="2026-12-02")
    assert item.deadline == date(2026, 12, 2) and item.published


def test_an_old_item_can_be_corrected_but_not_moved_into_the_past(
    session: Session, curator: Principal
) -> None:
    item = add(
        session,
        curator,
        kind="event",
        title="HSY workshop",
        event_date="2026-11-30",
        at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    fixed = service.update(
        session, item, data=InfoUpdate(title="HSY workshop (slides)"), by=curator, now=NOW
    )
    assert fixed.title == "HSY workshop (slides)"
    with pytest.raises(InputError) as refused:
        service.update(
            session, item, data=InfoUpdate(event_date=date(2026, 11, 20)), by=curator, now=NOW
        )
    assert refused.value.field == "event_date"


def test_unpublishing_and_publishing_again_keeps_the_first_publication_time(
    session: Session, curator: Principal
) -> None:
    item = add(session, curator, at=NOW - timedelta(days=5))
    first = item.published_at
    service.set_published(session, item, False, by=curator)
    assert service.published_since(session, since=None) == []
    service.set_published(session, item, True, by=curator)
    assert item.published_at == first
    assert titles(service.published_since(session, since=None)) == ["Textile sorting results"]


def test_the_readers_language_comes_first(session: Session, curator: Principal) -> None:
    add(session, curator, title="Svensk", language="sv", at=NOW - timedelta(hours=1))
    add(session, curator, title="Suomeksi", language="fi", at=NOW - timedelta(hours=2))
    add(session, curator, title="English", language="en", at=NOW - timedelta(hours=3))
    items = service.published_since(session, since=None, now=NOW)
    assert titles(service.language_first(items, "fi")) == ["Suomeksi", "Svensk", "English"]
    assert titles(service.language_first(items, "en")) == ["English", "Svensk", "Suomeksi"]


def test_the_demo_seeds_load_once(session: Session, curator: Principal) -> None:
    import json

    rows = json.loads((ROOT / "seeds" / "info.json").read_text("utf-8"))
    assert service.seed(session, rows) == len(rows) >= 3
    session.commit()
    assert service.seed(session, rows) == 0
    kinds = {row["kind"] for row in rows}
    assert {"funding", "research", "event"} <= kinds


def test_an_items_view_for_an_e_mail_has_absolute_addresses(
    session: Session, curator: Principal
) -> None:
    from matchmaker.infopoint import views
    from matchmaker.web.i18n import Translator

    item = add(session, curator, kind="funding", title="Call", deadline="2027-03-12", at=NOW)
    [view] = views.item_views(
        session, [item], Translator("sv"), on=NOW.date(), base="https://valley.example.fi/"
    )
    assert view.page_url == f"https://valley.example.fi/info/{item.id}"
    assert view.when == "Sista dag 12 mars 2027" and view.other_language
    # the partial renders from the item, `t` and `lang` alone, as an e-mail's template has them
    from matchmaker.web.render import make_templates

    html = (
        make_templates()
        .env.get_template("infopoint/_item.html")
        .render(item=view, t=Translator("sv"), lang="sv")
    )
    assert f'href="https://valley.example.fi/info/{item.id}"' in html
    assert "Sista dag 12 mars 2027" in html and "språk: engelska" in html
