"""The facilitators' pages: queue, board, match, dashboard, outbox, import; who may see them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import Settings
from matchmaker.tables import Match, utcnow
from matchmaker.transfer.sheets import COLUMNS
from matchmaker.workspace import pipeline
from matchmaker.workspace.views import REASONS
from tests.pagekit import HTMX, get, page
from tests.transfer.test_sheets import sheet_rows, xlsx
from tests.world import Factory, brewery_and_bakery, link_in, login, logout, matches, outbox


@pytest.fixture
def world(client: TestClient, make: Factory) -> dict[str, Any]:
    """A brewery's spent grain (offer, Finnish organisation) and a bakery's need, in the queue."""
    brewery, bakery, offer, need = brewery_and_bakery(make)
    glass = make.org("Lohjan Lasi Oy", municipality="Lohja")  # no part in the match
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] == 1
    return {
        "brewery": brewery,
        "bakery": bakery,
        "glass": glass,
        "offer": offer,
        "need": need,
        "match": client.get("/api/matches").json()[0]["id"],
    }


def post(client: TestClient, url: str, csrf: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)


# -- who may see the workspace ---------------------------------------------------------------

PAGES = [
    "/matches",
    "/matches/board",
    "/matches/{match}",
    "/dashboard",
    "/outbox",
    "/import",
    "/invite",
]


@pytest.mark.parametrize("url", PAGES)
def test_workspace_pages_are_for_facilitators_and_admins(
    client: TestClient, db_engine: Any, world: dict[str, Any], url: str
) -> None:
    url = url.format(match=world["match"])
    logout(client)
    visitor = client.get(url, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login?next=")
    login(client, "member", org_id=world["glass"]["id"], browser=True)
    member = client.get(url + "?lang=en")
    if url.startswith("/matches/") and url != "/matches/board":
        assert member.status_code == 404  # a match of other organisations does not exist for them
    else:
        assert member.status_code == 403 and "This page is for the region's facilitators." in (
            page(member).text
        )
    for role in ("facilitator", "admin"):
        login(client, role, browser=True)
        assert client.get(url).status_code == 200, role


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("/matches", "matches/_queue.html"),
        ("/matches/board", "matches/_board.html"),
        ("/matches/{match}", "matches/_detail.html"),
        ("/dashboard", "dashboard/_content.html"),
        ("/outbox", "outbox/_list.html"),
        ("/import", "imports/_upload.html"),
        ("/invite", "account/_invite.html"),
        ("/account/tokens", "account/_tokens.html"),
    ],
)
def test_one_url_gives_the_page_or_the_fragment(
    client: TestClient, db_engine: Any, world: dict[str, Any], url: str, fragment: str
) -> None:
    login(client, "facilitator", browser=True)
    url = url.format(match=world["match"])
    full, part = client.get(url), client.get(url, headers=HTMX)
    assert full.status_code == part.status_code == 200
    assert "HX-Request" in full.headers["vary"] and "HX-Request" in part.headers["vary"]
    assert full.text.startswith("<!doctype html>") and "<html" not in part.text
    assert part.template.name == fragment  # type: ignore[attr-defined]
    assert " ".join(page(part).text.split()) in page(full).text


def test_the_workspace_links_are_shown_to_curators_only(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    logout(client)
    assert not page(get(client, "/")).find("a", href="/matches")
    login(client, "member", org_id=world["bakery"]["id"], browser=True)
    p = page(get(client, "/"))
    assert not p.find("a", href="/matches") and not p.find("a", href="/dashboard")
    assert p.find("a", href="/account/tokens")  # every user has their API tokens
    login(client, "facilitator", browser=True)
    p = page(get(client, "/matches/board"))
    assert p.find("nav", **{"aria-label": "Facilitator workspace"})
    for url in ("/matches", "/matches/board", "/dashboard", "/import", "/outbox", "/invite"):
        assert p.find("a", href=url), url
    assert p.find("a", href="/matches/board", **{"aria-current": "page"})


# -- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_each_suggestion_with_its_reasons_and_filters(
    client: TestClient, db_engine: Any, make: Factory, world: dict[str, Any]
) -> None:
    login(client, "facilitator", browser=True)
    p = page(get(client, "/matches"))
    item = p.text_of(f"match-{world['match']}")
    assert "Spent grain from brewing" in item and "Bakery seeks spent grain for bread" in item
    assert "Helsingin Panimo Oy" in item and "Espoo Bakery Ltd" in item
    assert "Same category: Material or side-stream." in item  # explain.py's plain words
    assert "km apart (Helsinki – Espoo)" in item
    assert "Suggestions waiting for a decision: 1" in p.text
    fi = page(get(client, "/matches", "fi")).text_of(f"match-{world['match']}")
    assert "Sama luokka" in fi
    assert "waiting for a decision: 0" in page(get(client, "/matches?theme=textiles")).text
    score = matches(db_engine)[0].score
    high = page(get(client, f"/matches?min_score={score + 1:.0f}")).text
    assert "waiting for a decision: 0" in high
    assert (
        "waiting for a decision: 1" in page(get(client, f"/matches?min_score={score - 1:.0f}")).text
    )
    junk = get(client, "/matches?min_score=lots&theme=nope")  # unknown filters are dropped
    assert junk.status_code == 200 and "waiting for a decision: 1" in page(junk).text


def test_shortlisting_inline_with_htmx(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    r = client.post(
        f"/matches/{world['match']}/decide",
        headers=HTMX,
        data={"csrf_token": csrf, "status": "shortlisted", "next": "/matches"},
    )
    assert r.status_code == 200 and r.template.name == "matches/_decided.html"  # type: ignore[attr-defined]
    assert page(r).text.startswith("Shortlisted")
    assert matches(db_engine)[0].status == "shortlisted"
    with Session(db_engine) as s:
        steps = pipeline.history(s, matches(db_engine)[0])
    assert steps[-1].user_id is not None and steps[-1].to_status == "shortlisted"


def test_rejecting_needs_a_reason_with_and_without_javascript(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    url = f"/matches/{world['match']}/decide"
    r = client.post(
        url,
        headers=HTMX,
        data={"csrf_token": csrf, "status": "rejected", "note": "wet grain", "next": "/matches"},
    )
    assert r.status_code == 422 and r.template.name == "matches/_queue_item.html"  # type: ignore[attr-defined]
    assert "Choose a reason from the list." in page(r).text
    assert page(r).find("input", value="wet grain")  # what was typed stays
    plain = post(client, url, csrf, status="rejected", next="/matches?theme=food")
    assert plain.status_code == 422 and plain.text.startswith("<!doctype html>")
    assert "Choose a reason from the list." in page(plain).text
    assert page(plain).find("input", name="next", value="/matches?theme=food")  # still going back
    done = post(
        client,
        url,
        csrf,
        status="rejected",
        reason="too far apart",
        note="Espoo is too far for wet grain",
        next="/matches?theme=food",
    )
    assert done.status_code == 303 and done.headers["location"] == "/matches?theme=food"
    m = matches(db_engine)[0]
    assert (m.status, m.reason) == ("rejected", "too far apart")
    with Session(db_engine) as s:
        last = pipeline.history(s, m)[-1]
    assert last.note == "Espoo is too far for wet grain" and last.user_id is not None
    assert "waiting for a decision: 0" in page(get(client, "/matches")).text


def test_the_refresh_button_fills_the_queue(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    brewery_and_bakery(make)
    csrf = login(client, "facilitator", browser=True)
    client.app.state.settings.queue_threshold = 0  # type: ignore[attr-defined]
    r = post(client, "/matches/refresh", csrf)
    assert r.status_code == 303 and r.headers["location"] == "/matches?refreshed=1"
    p = page(get(client, r.headers["location"]))
    assert "New suggestions in the queue: 1." in p.text
    assert "Spent grain from brewing" in p.text


# -- one match, from the queue to its impact --------------------------------------------------


def test_a_match_walked_through_the_pages_to_the_dashboard(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    url = f"/matches/{world['match']}"
    post(client, f"{url}/decide", csrf, status="shortlisted", next="/matches")

    p = page(get(client, url))
    assert p.find("input", id="f-offer_subject")[0]["value"].startswith("Esittely:")  # Finnish
    assert p.find("input", id="f-need_subject")[0]["value"].startswith("Introduction:")
    assert "Hei Helsingin Panimo Oy" in p.text_of("f-offer_body")
    assert "Same category" in p.text_of("f-need_body")  # the reasons in plain words
    assert "Sama luokka" in p.text_of("f-offer_body")  # ... in each party's language
    bad = post(
        client,
        f"{url}/introduction",
        csrf,
        offer_subject="",
        offer_body="x",
        need_subject="y",
        need_body="z",
    )
    assert bad.status_code == 422 and "This field is required." in page(bad).text_of(
        "f-offer_subject-error"
    )
    offer_body = p.text_of("f-offer_body")
    r = post(
        client,
        f"{url}/introduction",
        csrf,
        offer_subject="Esittely: leipomo",
        offer_body=offer_body,
        need_subject="Spent grain for your bread",
        need_body="Hello Espoo Bakery Ltd,\nthey deliver on Tuesdays.",
    )
    # no SMTP server is set: the page says the letters wait in the outbox, never "sent"
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=outbox"
    notice = page(get(client, r.headers["location"])).text
    assert "waiting in the outbox" in notice and "are sent" not in notice
    sent = {m.to: m for m in outbox(db_engine)}
    assert sent["bakery@example.com"].subject == "Spent grain for your bread"
    assert "Tuesdays" in sent["bakery@example.com"].body
    assert sent["panimo@example.fi"].subject == "Esittely: leipomo"
    box = page(get(client, "/outbox")).text
    assert "Spent grain for your bread" in box and "Held here" in box

    assert post(client, f"{url}/status", csrf, status="introduced").status_code == 422
    for step in ("negotiating", "pilot", "realised"):
        r = post(client, f"{url}/status", csrf, status=step, note=f"now {step}")
        assert r.status_code == 303, page(r).text
    p = page(get(client, url))
    assert "Realised" in p.text and "Impact" in p.text
    assert post(client, f"{url}/impact", csrf, amount="lots", unit="t").status_code == 422
    r = post(client, f"{url}/impact", csrf, amount="520", unit="t")
    assert r.status_code == 303
    p = page(get(client, f"{url}?done=impact"))
    assert "Impact saved." in p.text
    assert "520 t a year" in p.text and "312 t CO2e a year" in p.text
    assert "DESNZ" in p.text  # the factor's source
    history = p.text_of("history")
    assert "Fanni Fasilitaattori Suggested → Shortlisted" in history
    assert "Negotiating → Pilot now pilot" in history
    assert "Shortlisted → Introduced Introduction waiting in the outbox" in history
    assert "The matchmaker Suggested Suggested by the matcher" in history

    d = page(get(client, "/dashboard"))
    totals = d.text
    assert "Diverted from disposal 520 t/yr" in totals and "CO2e avoided 312 t CO2e/yr" in totals
    assert "Realised exchanges 1" in totals
    assert len(d.find("svg")) == 4
    food = page(get(client, "/dashboard?theme=food")).text
    assert "Diverted from disposal 520 t/yr" in food
    other = page(get(client, "/dashboard?theme=textiles")).text
    assert "Diverted from disposal 0 t/yr" in other
    fi = page(get(client, "/dashboard", "fi")).text
    assert "Toteutuneet vaihdot 1" in fi and "312 t CO2e/v" in fi


def test_dropping_needs_a_reason_from_the_list(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    url = f"/matches/{world['match']}"
    post(client, f"{url}/decide", csrf, status="shortlisted", next="/matches")
    r = post(client, f"{url}/status", csrf, status="dropped", note="they went quiet")
    assert r.status_code == 422
    p = page(r)
    assert p.text_of("f-reason-error") == "Choose a reason from the list."
    assert "they went quiet" in p.text_of("f-note")
    r = post(client, f"{url}/status", csrf, status="dropped", reason="no answer")
    assert r.status_code == 303
    assert matches(db_engine)[0].status == "dropped"
    assert "Dropped" in page(get(client, url)).text and "No answer" in page(get(client, url)).text


def test_the_board_shows_columns_and_flags_stale_matches(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    post(client, f"/matches/{world['match']}/decide", csrf, status="shortlisted", next="/")
    p = page(get(client, "/matches/board"))
    for column in ("Shortlisted", "Introduced", "Negotiating", "Pilot", "Realised"):
        assert p.text_of(f"col-{column.lower()}").startswith(column)
    assert "Spent grain from brewing" in p.text_of("column-shortlisted")
    assert "Spent grain" not in p.text_of("column-introduced")
    assert "Needs attention" not in p.text
    with Session(db_engine) as s:
        m = s.get(Match, world["match"])
        assert m is not None
        m.updated_at = utcnow() - timedelta(days=20)
        s.add(m)
        s.commit()
    p = page(get(client, "/matches/board"))
    assert "Needs attention" in p.text and "unchanged for 20 d" in p.text
    assert p.find("a", href=f"/matches/{world['match']}")
    assert "Rejected: 0 · Dropped: 0" in p.text
    reminders = page(get(client, "/dashboard")).text
    assert "Reminders" in reminders and "Spent grain from brewing" in reminders
    assert "Spent grain" not in page(get(client, "/matches/board?theme=textiles")).text


# -- anonymous owners ------------------------------------------------------------------------


def test_an_anonymous_owner_appears_in_no_page_before_accepting(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    brewery, bakery, offer, need = brewery_and_bakery(make, anonymous_offer=True)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    secret = "Helsingin Panimo"
    csrf = login(client, "facilitator", browser=True)
    assert secret in page(get(client, "/matches")).text  # facilitators see who it is
    post(client, f"/matches/{match_id}/decide", csrf, status="shortlisted", next="/")
    p = page(get(client, f"/matches/{match_id}"))
    assert "Anonymous until accepted" in p.text
    bakery_draft = p.text_of("f-need_body")
    assert secret not in bakery_draft and "chosen to stay anonymous" in bakery_draft
    post(
        client,
        f"/matches/{match_id}/introduction",
        csrf,
        offer_subject=p.find("input", id="f-offer_subject")[0]["value"],
        offer_body=p.text_of("f-offer_body"),
        need_subject=p.find("input", id="f-need_subject")[0]["value"],
        need_body=bakery_draft,
    )
    letter = next(m for m in outbox(db_engine) if m.to == "panimo@example.fi")
    assert "/introductions/answer?token=" in link_in(client, letter, "/introductions/answer")
    assert "token=" not in letter.body  # the signed link is the addressee's alone

    surfaces = {
        "home": "/",
        "listing": f"/listings/{offer['id']}",
        "browse": "/listings?theme=food",
        "search": "/listings?q=spent+grain",
        "suggestions panel": f"/listings/{need['id']}/matches?all_themes=1",
        "match page": f"/matches/{match_id}",
    }
    logout(client)
    for name, url in surfaces.items():
        if name != "match page":
            r = get(client, url)
            assert r.status_code == 200 and secret not in r.text, name
    # the organisation's own page names it, so the anonymous listing must not be there
    organisation = get(client, f"/organisations/{brewery['id']}").text
    assert "Spent grain from brewing" not in organisation
    login(client, "member", org_id=bakery["id"], browser=True)  # the other party
    for name, url in surfaces.items():
        r = get(client, url)
        assert r.status_code == 200 and secret not in r.text, name
    assert "Spent grain from brewing" not in get(client, f"/organisations/{brewery['id']}").text
    other_side = page(get(client, f"/matches/{match_id}"))
    assert "Anonymous organisation" in other_side.text
    assert not other_side.find("section", **{"aria-labelledby": "accept-h"})
    assert not other_side.find("section", id="history")  # the facilitators' notes stay theirs

    csrf = login(client, "member", org_id=brewery["id"], browser=True)  # the owner accepts
    ask = get(client, f"/matches/{match_id}/accept")
    assert ask.status_code == 200 and "Accept and reveal our name" in page(ask).text
    r = post(client, f"/matches/{match_id}/accept", csrf)
    assert r.status_code == 303 and r.headers["location"] == f"/matches/{match_id}?done=accepted"
    assert "the other party now knows who you are" in page(get(client, r.headers["location"])).text
    login(client, "member", org_id=bakery["id"], email="second@bakery.example.com", browser=True)
    assert secret in get(client, f"/matches/{match_id}").text
    assert secret not in get(client, f"/listings/{offer['id']}").text  # the listing stays anonymous


def test_the_accept_link_asks_for_a_login_first(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    logout(client)
    r = client.get(f"/matches/{world['match']}/accept", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=%2Fmatches%2F{world['match']}%2Faccept"
    login(client, "member", org_id=world["bakery"]["id"], browser=True)
    r = get(client, f"/matches/{world['match']}/accept")  # nothing to accept: the page says so
    assert r.status_code == 200 and "no introduction for your organisation" in page(r).text


# -- hostile input ---------------------------------------------------------------------------

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_a_hostile_text_renders_escaped_on_every_page(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    org = make.org(XSS, contact_name=XSS, description=XSS, contact_email="xss@example.fi")
    other = make.org("Espoo Bakery Ltd", contact_email="bakery@example.com", municipality="Espoo")
    offer = make.listing(org["id"], theme="food", title=XSS, description=XSS, language="en")
    need = make.listing(
        other["id"], theme="food", kind="need", title=XSS + " need", description=XSS, language="en"
    )
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    csrf = login(client, "facilitator", browser=True)
    pages = {"/matches": get(client, "/matches").text}  # while the match is in the queue
    # the intro messages carry the payload into the outbox
    post(client, f"/matches/{match_id}/decide", csrf, status="shortlisted", next="/", note=XSS)
    p = page(get(client, f"/matches/{match_id}"))
    post(
        client,
        f"/matches/{match_id}/introduction",
        csrf,
        offer_subject=XSS,
        offer_body=p.text_of("f-offer_body"),
        need_subject=XSS,
        need_body=p.text_of("f-need_body"),
    )
    with Session(db_engine) as s:
        m = s.get(Match, match_id)
        assert m is not None
        m.updated_at = utcnow() - timedelta(days=30)  # a reminder on the dashboard too
        s.add(m)
        s.commit()
    sheet = io.StringIO()
    sheet.write(",".join(COLUMNS) + "\n")
    sheet.write(f"{XSS.replace(chr(34), '')},{XSS.replace(chr(34), '')},offer,material,t\n")
    upload = client.post(
        "/import",
        files={"file": ("x.csv", sheet.getvalue().encode())},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    urls = [
        "/",
        f"/listings/{offer['id']}",
        f"/listings/{need['id']}",
        "/listings",
        "/listings?q=" + quote(XSS),
        f"/listings/{need['id']}/matches",
        f"/organisations/{org['id']}",
        "/matches/board",
        f"/matches/{match_id}",
        "/dashboard",
        "/outbox",
        upload.headers["location"],
    ]
    for url in urls:
        r = get(client, url)
        assert r.status_code == 200, url
        pages[url] = r.text
    for url, html in pages.items():
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    assert ESCAPED in get(client, f"/listings/{offer['id']}").text


def test_every_reason_of_the_workspace_is_translated() -> None:
    assert set(pipeline.REJECT_REASONS) | set(pipeline.DROP_REASONS) <= set(REASONS)


# -- the outbox and the friendly 403 ---------------------------------------------------------


def test_a_form_without_its_csrf_token_gets_a_page_not_json(
    client: TestClient, db_engine: Any, world: dict[str, Any]
) -> None:
    login(client, "facilitator", browser=True)
    r = client.post("/matches/refresh", data={"csrf_token": "forged"})
    assert r.status_code == 403 and r.text.startswith("<!doctype html>")
    p = page(r)
    assert "The form has expired" in p.text and "reload the page" in p.text
    assert "Fanni Fasilitaattori" in p.text  # still shown as logged in
    api = client.post("/api/matches/refresh", json={})
    assert api.status_code == 403 and "form has expired" in api.json()["detail"]
    assert matches(db_engine)[0].status == "suggested"


# -- import ----------------------------------------------------------------------------------


def test_import_dry_run_then_commit_without_javascript(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    rows, bad = sheet_rows()
    data = xlsx(rows[:60])
    bad_here = {row: why for row, why in bad.items() if row <= 61}
    csrf = login(client, "facilitator", browser=True)
    r = client.post(
        "/import",
        files={"file": ("workshop.xlsx", data)},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/import?upload=")
    report = page(get(client, r.headers["location"]))
    assert "Rows: 60, of which can be added: 57." in report.text
    assert "Rows with problems, left out: 3." in report.text
    table = report.text.split("Rows that will be left out, and why", 1)[1]
    for row, (_field, why) in bad_here.items():
        assert f"{row} " in table and why in table, (row, why)
    assert "Title" in table  # the field, in the UI language
    upload = report.find("input", name="upload")[0]["value"]
    before = client.app.state.db_engine  # type: ignore[attr-defined]
    assert before is db_engine
    done = post(client, "/import/commit", csrf, upload=upload, name="workshop.xlsx")
    assert done.status_code == 303 and done.headers["location"].startswith("/import/jobs/")
    result = page(get(client, done.headers["location"]))
    assert "Added 57 listings." in result.text
    assert "New organisations:" in result.text
    again = post(client, "/import/commit", csrf, upload=upload, name="workshop.xlsx")
    assert again.status_code == 404 and "upload the sheet again" in page(again).text
    second = client.post(
        "/import",
        files={"file": ("workshop.xlsx", data)},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert "Already imported, skipped: 57." in page(get(client, second.headers["location"])).text


@pytest.fixture
def on_disk(settings: Settings, tmp_path: Path, hash_embedder: Embedder) -> Iterator[TestClient]:
    """The app on a database file: the import's thread gets a connection of its own, as in
    production (the in-memory test database shares one connection between all sessions)."""
    disk = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'pages.db'}"})
    with TestClient(create_app(disk, embedder=hash_embedder)) as c:
        yield c


def test_import_commit_with_htmx_shows_progress_until_done(on_disk: TestClient) -> None:
    client = on_disk
    rows, _ = sheet_rows()
    good = [r for i, r in enumerate(rows[:30]) if i % 25 != 7]
    csrf = login(client, "facilitator", browser=True)
    r = client.post(
        "/import",
        files={"file": ("w.xlsx", xlsx(good))},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    upload = page(get(client, r.headers["location"])).find("input", name="upload")[0]["value"]
    started = client.post(
        "/import/commit",
        headers=HTMX,
        data={"csrf_token": csrf, "upload": upload, "name": "w.xlsx"},
    )
    assert started.status_code == 200
    assert started.template.name == "imports/_job.html"  # type: ignore[attr-defined]
    job_url = page(started).find("div", id="job")[0]["hx-get"]
    job = client.app.state.jobs.get(job_url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    polled = client.get(job_url, headers=HTMX)
    assert polled.status_code == 200 and page(polled).find("div", id="job")
    job.wait(60)
    finished = client.get(job_url, headers=HTMX)
    assert "hx-trigger" not in finished.text  # done: the polling stops
    assert f"Added {len(good)} listings." in page(finished).text
    assert get(client, "/import/jobs/nope").status_code == 404


def test_an_upload_that_is_not_a_sheet_is_refused_with_words(
    client: TestClient, db_engine: Any
) -> None:
    csrf = login(client, "facilitator", browser=True)
    for name, data, words in (
        ("notes.txt", b"hello", "Upload a .csv or an .xlsx file."),
        ("sheet.csv", b"a,b\n1,2\n", "lacks the columns: category"),
    ):
        r = client.post("/import", files={"file": (name, data)}, data={"csrf_token": csrf})
        assert r.status_code == 422 and words in page(r).text, name
    assert get(client, "/import?upload=../../secret_key").status_code == 404
    p = page(get(client, "/import"))
    assert p.find("a", href="/api/export/listings.csv") and p.find(
        "a", href="/api/export/matches.xlsx"
    )
    assert client.get("/api/export/matches.csv").status_code == 200  # the session opens it


def test_the_queue_never_pairs_an_organisation_with_itself(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    bakery = make.org("Espoo Bakery Ltd", contact_email="bakery@example.com", municipality="Espoo")
    make.listing(
        bakery["id"],
        theme="food",
        title="Day-old bread for brewing",
        description="Unsold bread, 2 t a week.",
        municipality="Espoo",
    )
    make.listing(
        bakery["id"],
        theme="food",
        kind="need",
        title="Bread wanted for our kvass",
        description="Day-old bread, 2 t a week.",
        municipality="Espoo",
    )
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] == 0
