"""The info point as people use it: facilitators publish through the form and the API; members
and visitors read it on the home page, a theme's page and the info point's own page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.pagekit import VISITOR, get, page
from tests.world import login, logout

CALL: dict[str, Any] = {
    "kind": "funding",
    "title": "Business Finland: funding for circular economy pilots",
    "summary": "Support for piloting new circular solutions, up to 50 % of the costs.",
    "url": "https://www.businessfinland.fi/",
    "language": "en",
    "themes": ["construction", "plastics"],
    "deadline": "2099-03-12",
}
FORM: dict[str, Any] = {
    "kind": "event",
    "title": "HSY:n työpaja purkumateriaaleista",
    "summary": "Betoni, tiilet ja teräs kiertoon uusissa hankkeissa.",
    "url": "https://www.hsy.fi/",
    "language": "fi",
    "deadline": "",
    "event_date": "2099-01-28",
    "place": "Helsinki, Ilmalantori 1",
}


def publish(client: TestClient, **changes: Any) -> dict[str, Any]:
    r = client.post("/api/info", json={**CALL, **changes})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def post_form(client: TestClient, csrf: str, to: str = "/info", **changes: Any) -> Any:
    data = {**FORM, "csrf_token": csrf, **changes}
    return client.post(to, data=data, follow_redirects=False)


def test_a_facilitators_item_shows_on_the_home_page_in_every_language(
    visitor: TestClient,
) -> None:
    login(visitor, "facilitator")
    made = publish(visitor)
    logout(visitor)
    for lang, heading, deadline in (
        ("en", "Info point", "Deadline Mar 12, 2099"),
        ("fi", "Infopiste", "Haku päättyy 12.3.2099"),
        ("sv", "Infopunkt", "Sista dag 12 mars 2099"),
    ):
        home = page(get(visitor, "/", lang))
        box = home.text_of("info-point-h")
        assert box == heading
        assert CALL["title"] in home.text and deadline in home.text
        assert home.find("a", href=f"/info/{made['id']}")
        assert home.find("a", href="https://www.businessfinland.fi/")


def test_items_in_other_languages_come_after_and_say_their_language(visitor: TestClient) -> None:
    login(visitor, "facilitator")
    publish(visitor, title="Suomenkielinen haku", language="fi")
    publish(visitor, title="English call", language="en")
    logout(visitor)
    fi = get(visitor, "/info", "fi").text
    assert fi.index("Suomenkielinen haku") < fi.index("English call")
    assert "kieli: englanti" in fi
    en = get(visitor, "/info", "en").text
    assert en.index("English call") < en.index("Suomenkielinen haku")
    assert "in Finnish" in en and "in English" not in en


def test_a_themes_page_shows_its_items_and_those_for_every_theme(visitor: TestClient) -> None:
    login(visitor, "facilitator")
    publish(visitor, title="Plastics call", themes=["plastics"])
    publish(visitor, title="Textiles result", kind="research", themes=["textiles"])
    publish(visitor, title="For every theme", kind="research", themes=[])
    logout(visitor)
    plastics = get(visitor, "/listings?theme=plastics").text
    assert "Plastics call" in plastics and "For every theme" in plastics
    assert "Textiles result" not in plastics
    assert not page(get(visitor, "/listings")).find("h2", id="info-point-h")  # no theme: no box
    fragment = get(visitor, "/listings?theme=textiles", headers={"HX-Request": "true"}).text
    assert "Textiles result" in fragment and "Plastics call" not in fragment


def test_a_member_may_not_publish_in_the_api_or_the_pages(visitor: TestClient) -> None:
    login(visitor, "member")
    r = visitor.post("/api/info", json=CALL)
    assert r.status_code == 403
    assert r.json()["detail"] == "only facilitators and admins may do this"
    csrf = login(visitor, "member", browser=True)
    assert get(visitor, "/info/new", "fi").status_code == 403
    refused = post_form(visitor, csrf)
    assert refused.status_code == 403
    assert "Tämä sivu on alueen fasilitaattoreille." in page(refused).text
    assert CALL["title"] not in get(visitor, "/").text
    assert "/info/new" not in get(visitor, "/info").text


def test_a_facilitator_publishes_through_the_form_without_javascript(visitor: TestClient) -> None:
    csrf = login(visitor, "facilitator", browser=True)
    form = page(get(visitor, "/info/new", "fi"))
    assert form.find("form", action="/info", method="post")
    r = post_form(visitor, csrf, themes=["construction"])
    assert r.status_code == 303
    where = r.headers["location"]
    assert where.startswith("/info/") and where.endswith("?done=published")
    shown = page(get(visitor, where, "fi"))
    assert "Tiedote on julkaistu." in shown.text
    assert "Tapahtuma 28.1.2099, Helsinki, Ilmalantori 1" in shown.text
    logout(visitor)
    construction = page(get(visitor, "/listings?theme=construction", "fi"))
    assert FORM["title"] in construction.text
    assert FORM["title"] not in get(visitor, "/listings?theme=food", "fi").text


def test_a_funding_call_with_a_past_deadline_is_refused_in_finnish(visitor: TestClient) -> None:
    csrf = login(visitor, "facilitator", browser=True)
    visitor.get("/?lang=fi")
    r = post_form(visitor, csrf, kind="funding", deadline="2020-01-31", event_date="")
    assert r.status_code == 422
    form = page(r)
    assert "Hakuaika on jo päättynyt: anna tämä päivä tai myöhempi päivämäärä." in form.text
    assert form.find("input", name="deadline", value="2020-01-31")  # what was typed stays
    assert FORM["title"] not in get(visitor, "/", "fi").text
    login(visitor, "facilitator")  # the API with a token
    api = visitor.post("/api/info", json={**CALL, "deadline": "2020-01-31"})
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "deadline"


def test_bad_input_gets_a_message_beside_its_field(visitor: TestClient) -> None:
    csrf = login(visitor, "facilitator", browser=True)
    visitor.get("/?lang=fi")
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "title": ({"title": "   "}, "Kirjoita otsikko (enintään 200 merkkiä)."),
        "url": ({"url": "www.hsy.fi"}, "Anna kokonainen verkko-osoite"),
        "themes": ({"themes": ["wood"]}, "Tuntematon teema: valitse teemat listalta."),
        "event_date": ({"event_date": "28.1.2099"}, "Anna päivämäärä muodossa vvvv-kk-pp."),
        "kind": ({"kind": ""}, "Valitse tiedotteen laji."),
    }
    for name, (changes, message) in cases.items():
        r = post_form(visitor, csrf, **changes)
        assert r.status_code == 422, name
        assert message in page(r).text_of(f"f-{name}-error"), name
    both = page(post_form(visitor, csrf, url="www.hsy.fi", event_date="2020-01-28"))
    assert "Anna kokonainen verkko-osoite" in both.text_of("f-url-error")
    assert "Tapahtumapäivä on jo mennyt" in both.text_of("f-event_date-error")  # the same time
    login(visitor, "facilitator")  # the API with a token
    in_english = visitor.post("/api/info", json={**CALL, "url": "ftp://example.fi/x"})
    assert in_english.status_code == 422
    assert in_english.json()["errors"][0]["field"] == "url"
    unknown = visitor.post("/api/info", json={**CALL, "themes": ["wood"]})
    assert unknown.status_code == 422
    assert "unknown theme 'wood'" in unknown.json()["detail"]
    empty = visitor.post("/api/info", json={**CALL, "title": " "})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "title"


def test_edit_and_unpublish_through_the_pages(visitor: TestClient) -> None:
    csrf = login(visitor, "facilitator", browser=True)
    made = publish_with_form(visitor, csrf)
    edit = page(get(visitor, f"/info/{made}/edit"))
    assert edit.find("input", name="title", value=FORM["title"])
    saved = post_form(
        visitor, csrf, f"/info/{made}/edit", title="HSY:n työpaja (uusi sali)", url=""
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/info/{made}?done=saved"
    after = page(get(visitor, f"/info/{made}", "fi"))
    assert "HSY:n työpaja (uusi sali)" in after.text and not after.find("a", href=FORM["url"])
    gone = visitor.post(
        f"/info/{made}/unpublish", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/info?done=unpublished"
    listed = page(get(visitor, gone.headers["location"], "en"))
    assert "The item is hidden from readers." in listed.text
    assert "Unpublished" in listed.text  # the facilitators' list still has it
    logout(visitor)
    assert "HSY:n työpaja" not in get(visitor, "/").text
    assert get(visitor, f"/info/{made}").status_code == 404
    assert visitor.get(f"/api/info/{made}").status_code == 404


def publish_with_form(client: TestClient, csrf: str) -> int:
    r = post_form(client, csrf)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2].split("?")[0])


def test_the_api_reads_current_items_and_facilitators_edit_them(client: TestClient) -> None:
    made = publish(client)
    changed = client.patch(f"/api/info/{made['id']}", json={"title": "Call, extended"})
    assert changed.status_code == 200 and changed.json()["title"] == "Call, extended"
    cleared = client.patch(f"/api/info/{made['id']}", json={"url": None, "summary": None})
    assert cleared.json()["url"] is None and cleared.json()["summary"] == ""
    listed = client.get("/api/info?theme=plastics", headers=VISITOR).json()
    assert [i["title"] for i in listed["items"]] == ["Call, extended"]
    assert listed["items"][0]["current"] is True
    assert client.get("/api/info?theme=food", headers=VISITOR).json()["total"] == 0
    assert client.get("/api/info?theme=wood", headers=VISITOR).status_code == 422
    hidden = client.post(f"/api/info/{made['id']}/unpublish")
    assert hidden.status_code == 200 and hidden.json()["published"] is False
    assert client.get("/api/info", headers=VISITOR).json()["total"] == 0
    assert client.get(f"/api/info/{made['id']}").status_code == 200  # an admin still sees it
    again = client.post(f"/api/info/{made['id']}/publish")
    assert again.json()["published"] is True
    assert client.get("/api/info", headers=VISITOR).json()["total"] == 1
