"""The workshop pages end to end on the real solver and database: set up, register, request,
solve, edit, and each participant's agenda and calendar file."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.workshops.tables import Meeting
from tests.workshops.world import food_market, new_workshop, post, set_up, tomorrow
from tests.world import Factory, engine_of, login, logout


def meetings(client: TestClient, workshop: int) -> list[Meeting]:
    with Session(engine_of(client)) as s:
        return list(s.exec(select(Meeting).where(Meeting.workshop_id == workshop)))


def solved(client: TestClient, make: Factory) -> tuple[str, dict[str, int]]:
    market = food_market(make)
    csrf = login(client, "facilitator", browser=True)
    world = set_up(client, csrf, market)
    r = post(client, csrf, f"/workshops/{world['workshop']}/solve")
    assert r.status_code == 303, r.text
    return csrf, world


def test_a_facilitator_solves_and_the_schedule_shows_the_requested_meeting(
    client: TestClient, make: Factory
) -> None:
    _, world = solved(client, make)
    page = client.get(f"/workshops/{world['workshop']}?lang=en")
    assert page.status_code == 200
    assert "The schedule is proven to be the best possible." in page.text
    assert re.search(r"Paula Panimo \(Helsingin Panimo Oy\) – Tiina Tila", page.text)
    assert "requested" in page.text
    found = meetings(client, world["workshop"])
    pairs = {frozenset((m.first_id, m.second_id)) for m in found}
    assert frozenset((world["Paula Panimo"], world["Tiina Tila"])) in pairs
    for m in found:  # nobody twice in a round, no table twice
        same_round = [o for o in found if o.slot_id == m.slot_id]
        assert len({o.table_no for o in same_round}) == len(same_round)
        people = [p for o in same_round for p in (o.first_id, o.second_id)]
        assert len(people) == len(set(people))


def test_the_agenda_says_why_in_the_readers_language(client: TestClient, make: Factory) -> None:
    _, world = solved(client, make)
    url = f"/workshops/{world['workshop']}/participants/{world['Paula Panimo']}"
    fi = client.get(f"{url}?lang=fi")
    assert fi.status_code == 200
    assert "Tapaamiset: Paula Panimo" in fi.text
    assert "Pyysit tätä tapaamista." in fi.text
    assert "Tuusulan Kompostitila Oy" in fi.text
    en = client.get(f"{url}?lang=en")
    assert "You asked for this meeting." in en.text
    # without a choice of language, each agenda is in its participant's: Tiina's in Finnish
    tiina = client.get(f"/workshops/{world['workshop']}/participants/{world['Tiina Tila']}")
    assert "Paula Panimo pyysi tätä tapaamista." in tiina.text
    ben = client.get(f"/workshops/{world['workshop']}/participants/{world['Ben Baker']}")
    assert "Meetings: Ben Baker" in ben.text


def test_the_agenda_names_the_listings_that_fit(client: TestClient, make: Factory) -> None:
    _, world = solved(client, make)
    with Session(engine_of(client)) as s:
        ben = [
            m
            for m in s.exec(select(Meeting).where(Meeting.workshop_id == world["workshop"]))
            if world["Ben Baker"] in (m.first_id, m.second_id)
            and world["Paula Panimo"] in (m.first_id, m.second_id)
        ]
    assert ben, "the brewery and the bakery fit best of all: they meet"
    page = client.get(
        f"/workshops/{world['workshop']}/participants/{world['Ben Baker']}?lang=en"
    ).text
    assert "Their offer ‘Spent grain from brewing’ fits your need" in page
    assert "‘Bakery seeks spent grain for bread’" in page
    assert "Many words in common" in page  # the matcher's own explanation of the pair


def test_the_calendar_file_has_each_meeting_on_helsinki_time(
    client: TestClient, make: Factory
) -> None:
    _, world = solved(client, make)
    r = client.get(
        f"/workshops/{world['workshop']}/participants/{world['Tiina Tila']}/agenda.ics?lang=fi"
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    text = r.text
    day = tomorrow().strftime("%Y%m%d")
    assert re.search(
        rf"DTSTART;TZID=Europe/Helsinki:{day}T09[0-9]{{4}}|"
        rf"DTSTART;TZID=Europe/Helsinki:{day}T094000",
        text,
    )
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Helsinki" in text
    assert "SUMMARY:Tapaaminen: Paula Panimo\\, Helsingin Panimo Oy" in text
    assert text.count("BEGIN:VEVENT") == len(
        [
            m
            for m in meetings(client, world["workshop"])
            if world["Tiina Tila"] in (m.first_id, m.second_id)
        ]
    )


def test_locked_meetings_stay_when_solving_again(client: TestClient, make: Factory) -> None:
    csrf, world = solved(client, make)
    workshop = world["workshop"]
    first = meetings(client, workshop)[0]
    before = meetings(client, workshop)
    r = post(client, csrf, f"/workshops/{workshop}/meetings/{first.id}", action="lock")
    assert r.status_code == 303
    assert post(client, csrf, f"/workshops/{workshop}/solve").status_code == 303
    kept = [m for m in meetings(client, workshop) if m.id == first.id]
    assert kept and kept[0].locked and kept[0].slot_id == first.slot_id
    assert len(meetings(client, workshop)) == len(before)  # the rest is filled in again
    page = client.get(f"/workshops/{workshop}?lang=en")
    assert "locked" in page.text and "Unlock" in page.text


def test_a_move_onto_a_busy_person_is_refused_in_the_ui_language(
    client: TestClient, make: Factory
) -> None:
    csrf, world = solved(client, make)
    workshop = world["workshop"]
    found = meetings(client, workshop)
    paula = [m for m in found if world["Paula Panimo"] in (m.first_id, m.second_id)]
    if len(paula) < 2:  # Paula meets the farm and the bakery in two rounds
        raise AssertionError(f"expected two meetings for Paula, got {paula}")
    a, b = paula[0], paula[1]
    r = post(
        client,
        csrf,
        f"/workshops/{workshop}/meetings/{a.id}?lang=fi",
        action="move",
        slot=str(b.slot_id),
        table="2" if b.table_no == 1 else "1",
    )
    assert r.status_code == 409
    assert "Toisella osapuolista on jo tapaaminen sillä kierroksella." in r.text
    r = post(client, csrf, f"/workshops/{workshop}/meetings/{a.id}?lang=en", action="remove")
    assert r.status_code == 303
    assert a.id not in {m.id for m in meetings(client, workshop)}


def test_bad_input_gets_a_sentence_not_a_500(client: TestClient, make: Factory) -> None:
    food_market(make)
    csrf = login(client, "facilitator", browser=True)
    r = post(
        client,
        csrf,
        "/workshops?lang=en",
        title="Big",
        theme="food",
        day=tomorrow().isoformat(),
        tables="999",
    )
    assert r.status_code == 422
    assert "A workshop can have at most 40 tables." in r.text
    r = post(
        client, csrf, "/workshops?lang=sv", title="Igår", theme="food", day="2020-01-01", tables="3"
    )
    assert r.status_code == 422 and "Dagen har redan varit" in r.text
    r = post(
        client, csrf, "/workshops?lang=en", title="X", theme="food", day="next friday", tables="3"
    )
    assert r.status_code == 422 and "Give the day as yyyy-mm-dd." in r.text
    workshop = new_workshop(client, csrf)
    url = f"/workshops/{workshop}/slots?lang=fi"
    assert post(client, csrf, url, start="09:00", minutes="30", count="2").status_code == 303
    again = post(client, csrf, url, start="09:30", minutes="30", count="1")
    assert again.status_code == 422
    assert "Kierros menee päällekkäin klo 09:30 alkavan kierroksen kanssa." in again.text
    late = post(client, csrf, url, start="23:00", minutes="60", count="2")
    assert late.status_code == 422 and "yli puolenyön" in late.text
    unknown = post(
        client, csrf, f"/workshops/{workshop}/requests?lang=en", requester="99999", wanted="99998"
    )
    assert unknown.status_code == 422
    assert "That participant is not registered for this workshop." in unknown.text


def test_a_slot_in_the_past_is_refused(client: TestClient, make: Factory) -> None:
    csrf = login(client, "facilitator", browser=True)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    workshop = new_workshop(client, csrf, day=today.isoformat())
    r = post(
        client, csrf, f"/workshops/{workshop}/slots?lang=en", start="00:00", minutes="5", count="1"
    )
    if datetime.now(ZoneInfo("Europe/Helsinki")).strftime("%H:%M") == "00:00":
        return  # the one minute of the day where 00:00 is not yet past
    assert r.status_code == 422
    assert "That round would start in the past" in r.text


def test_members_register_their_own_people_and_see_only_their_agendas(
    client: TestClient, make: Factory
) -> None:
    market = food_market(make)
    csrf = login(client, "facilitator", browser=True)
    world = set_up(client, csrf, market)
    workshop = world["workshop"]
    assert post(client, csrf, f"/workshops/{workshop}/solve").status_code == 303
    mine = login(client, "member", org_id=market["bakery"]["id"], browser=True)
    page = client.get(f"/workshops/{workshop}?lang=en")
    assert page.status_code == 200
    assert "Ben Baker" in page.text and "Solve the schedule" not in page.text
    slot = re.search(r'name="slot" value="(\d+)"', page.text)
    assert slot
    r = client.post(
        f"/workshops/{workshop}/participants",
        data={
            "csrf_token": mine,
            "name": "Bea Baker",
            "language": "en",
            "slot": slot.group(1),
            "organisation_id": str(market["farm"]["id"]),
        },  # ignored: a member's own only
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Bea Baker" in client.get(f"/workshops/{workshop}").text
    own = client.get(f"/workshops/{workshop}/participants/{world['Ben Baker']}")
    assert own.status_code == 200
    other = client.get(f"/workshops/{workshop}/participants/{world['Tiina Tila']}")
    assert other.status_code == 404
    r = post(client, mine, f"/workshops/{workshop}/solve")
    assert r.status_code == 403
    r = post(
        client,
        mine,
        f"/workshops/{workshop}/requests?lang=en",
        requester=str(world["Tiina Tila"]),
        wanted=str(world["Ben Baker"]),
    )
    assert r.status_code == 403
    assert "You can register only your own organisation&#39;s people." in r.text


def test_the_workshops_link_is_in_the_facilitators_menu(client: TestClient) -> None:
    login(client, "facilitator", browser=True)
    page = client.get("/matches?lang=en")
    assert 'href="/workshops"' in page.text and "Workshops" in page.text


def test_ids_no_row_can_have_are_simply_not_found(client: TestClient, make: Factory) -> None:
    csrf, world = solved(client, make)
    huge = "9" * 30
    assert client.get(f"/workshops/{huge}").status_code == 404
    assert client.get(f"/workshops/{world['workshop']}/participants/{huge}").status_code == 404
    r = post(client, csrf, f"/workshops/{world['workshop']}/meetings/{huge}", action="lock")
    assert r.status_code == 404
    r = post(
        client,
        csrf,
        f"/workshops/{world['workshop']}/requests?lang=en",
        requester=huge,
        wanted=huge,
    )
    assert r.status_code == 422


def test_the_signed_link_opens_the_agenda_without_a_login(
    client: TestClient, make: Factory
) -> None:
    _, world = solved(client, make)
    page = client.get(
        f"/workshops/{world['workshop']}/participants/{world['Tiina Tila']}?lang=en"
    ).text
    found = re.search(
        r'id="agenda-link" readonly value="https?://[^/"]+(/workshops/agenda\?[^"]+)"', page
    )
    assert found, page
    link = html.unescape(found.group(1))
    logout(client)
    assert (
        client.get(
            f"/workshops/{world['workshop']}/participants/{world['Tiina Tila']}",
            follow_redirects=False,
        ).status_code
        == 303
    )  # without the link: the login page
    opened = client.get(link)
    assert opened.status_code == 200
    assert "Tapaamiset: Tiina Tila" in opened.text  # her language
    assert "Paula Panimo pyysi tätä tapaamista." in opened.text
    assert 'id="agenda-link"' not in opened.text  # the link is not handed on from itself
    ics = re.search(r'href="(/workshops/agenda\.ics\?[^"]+)"', opened.text)
    assert ics
    calendar = client.get(html.unescape(ics.group(1)))
    assert calendar.status_code == 200 and "BEGIN:VEVENT" in calendar.text
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert client.get(forged).status_code == 404
    assert client.get("/workshops/agenda").status_code == 404
