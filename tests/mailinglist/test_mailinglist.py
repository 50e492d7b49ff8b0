"""The valley's mailing list: anyone subscribes to themes without an account, confirms by the
link (double opt-in) and leaves by the link in every message; facilitators send, once each."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.alerts import notify
from matchmaker.mailinglist.tables import Subscriber
from tests.pagekit import csrf_of, get, page
from tests.world import app_of, engine_of, link_in, login, logout, outbox


def run(client: TestClient) -> notify.Ran:
    app = app_of(client)
    with Session(engine_of(client)) as s:
        return notify.run(s, app.state.settings, app.state.matcher)


def subscribe(client: TestClient, email: str, themes: list[str], lang: str = "en") -> Any:
    form = get(client, "/mailing-list", lang=lang)
    data: dict[str, Any] = {
        "email": email,
        "themes": themes,
        "language": lang,
        "csrf_token": csrf_of(form),
    }
    return client.post(f"/mailing-list?lang={lang}", data=data, follow_redirects=False)


def confirmed(client: TestClient, email: str) -> Subscriber | None:
    with Session(engine_of(client)) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == email)).first()
        return sub if sub is not None and sub.confirmed_at is not None else None


def test_subscribing_takes_the_confirmation_link(visitor: TestClient) -> None:
    r = subscribe(visitor, "Liisa@Example.fi", ["textiles", "plastics"], lang="fi")
    assert r.status_code == 303 and r.headers["location"] == "/mailing-list?sent=1"
    assert "Lähetimme vahvistuslinkin" in page(get(visitor, "/mailing-list?sent=1", "fi")).text
    assert confirmed(visitor, "liisa@example.fi") is None  # not on the list before the link
    [letter] = outbox(engine_of(visitor))
    assert letter.to == "liisa@example.fi"
    assert letter.subject == "Vahvista Kiertotalouslaakson postituslistan tilaus"
    assert "Muovit" in letter.body or "muovi" in letter.body.lower()
    assert "/mailing-list/confirm?token=" not in letter.body  # the addressee's link only
    link = link_in(visitor, letter, "/mailing-list/confirm")
    shown = get(visitor, link, lang="fi")
    assert shown.status_code == 200
    assert "Tilaus vahvistettu: liisa@example.fi" in page(shown).text
    sub = confirmed(visitor, "liisa@example.fi")
    assert sub is not None and sub.themes == ["plastics", "textiles"]


def test_bad_input_is_explained_in_the_ui_language(visitor: TestClient) -> None:
    r = subscribe(visitor, "not an address", ["textiles"], lang="sv")
    assert r.status_code == 422
    r = subscribe(visitor, "liisa@example.fi", [], lang="sv")
    assert r.status_code == 422
    assert "Välj minst ett tema." in page(r).text
    r = subscribe(visitor, "liisa@example.fi", ["space-travel"], lang="en")
    assert r.status_code == 422 and "Choose at least one theme." in page(r).text
    assert outbox(engine_of(visitor)) == []
    bad = get(visitor, "/mailing-list/confirm?token=forged", lang="en")
    assert bad.status_code == 400 and "This link is not valid" in page(bad).text


def test_a_facilitators_mailing_reaches_each_subscriber_of_its_themes_once(
    client: TestClient,
) -> None:
    for email, themes, lang in [
        ("liisa@example.fi", ["textiles"], "fi"),
        ("sven@example.fi", ["textiles", "food"], "sv"),
        ("pat@example.com", ["food"], "en"),
    ]:
        logout(client)
        subscribe(client, email, themes, lang)
        letter = [m for m in outbox(engine_of(client)) if m.to == email][-1]
        get(client, link_in(client, letter, "/mailing-list/confirm"))
    subscribe(client, "never@example.fi", ["textiles"])  # never confirms
    before = len(outbox(engine_of(client)))

    csrf = login(client, "facilitator", browser=True)
    compose = page(get(client, "/mailings"))
    assert "2 subscribers" in compose.text  # textiles: Liisa and Sven, confirmed
    r = client.post(
        "/mailings",
        data={
            "subject": "Tekstiilityöpaja 15.1. / Textilworkshop",
            "body": "Tervetuloa tekstiilien kiertotalouden työpajaan Espooseen.",
            "themes": ["textiles"],
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "queued" in page(get(client, "/mailings")).text
    assert run(client).mailings == 2
    assert run(client).mailings == 0  # nobody gets it twice
    sent = outbox(engine_of(client))[before:]
    assert sorted(m.to for m in sent) == ["liisa@example.fi", "sven@example.fi"]
    sven = next(m for m in sent if m.to == "sven@example.fi")
    assert "eftersom du prenumererar på Cirkulärekonomidalens e-postlista" in sven.body
    assert "sent to 2 subscribers" in page(get(client, "/mailings")).text

    # leaving: the page asks, the button does it, no login needed
    logout(client)
    leave = link_in(client, sven, "/mailing-list/leave")
    asked = get(client, leave, lang="sv")
    assert "Ska sven@example.fi tas bort från e-postlistan?" in page(asked).text
    assert confirmed(client, "sven@example.fi") is not None
    gone = client.post(leave, data={"csrf_token": csrf_of(asked)})  # the page's button
    assert gone.status_code == 200 and "har tagits bort" in page(gone).text
    with Session(engine_of(client)) as s:
        sub = s.exec(select(Subscriber).where(Subscriber.email == "sven@example.fi")).one()
        assert sub.unsubscribed_at is not None


def test_only_facilitators_send_and_a_bad_mailing_is_explained(client: TestClient) -> None:
    csrf = login(client, "member", browser=True)
    r = client.post(
        "/mailings", data={"subject": "Spam", "body": "x", "themes": ["food"], "csrf_token": csrf}
    )
    assert r.status_code == 403
    csrf = login(client, "facilitator", browser=True)
    r = client.post(
        "/mailings",
        data={"subject": "", "body": "Hei", "themes": ["food"], "csrf_token": csrf, "lang": "fi"},
    )
    assert r.status_code == 422
    r = client.post(
        "/mailings?lang=fi",
        data={"subject": "Hei", "body": "Tervetuloa", "csrf_token": csrf},
    )
    assert r.status_code == 422 and "Valitse vähintään yksi teema." in page(r).text


def test_the_compose_form_starts_from_the_info_points_news_since_the_last_mailing(
    client: TestClient,
) -> None:
    event = {
        "kind": "event",
        "title": "HSY:n työpaja purkumateriaaleista",
        "summary": "Betoni, tiilet ja teräs kiertoon.",
        "language": "fi",
        "themes": ["construction"],
        "event_date": "2099-01-28",
        "place": "Helsinki",
    }
    assert client.post("/api/info", json=event).status_code == 201
    csrf = login(client, "facilitator", browser=True)
    form = page(get(client, "/mailings", lang="en"))
    assert "A draft: the info point's new items since the last mailing." in form.text
    assert "- Event: HSY:n työpaja purkumateriaaleista" in form.text
    client.post(
        "/mailings",
        data={
            "subject": "Työpaja",
            "body": "Tervetuloa",
            "themes": ["construction"],
            "csrf_token": csrf,
        },
    )
    assert "HSY:n työpaja" not in page(get(client, "/mailings", lang="en")).find("textarea")[0].get(
        "value", ""
    )
