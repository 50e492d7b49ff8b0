"""Joining the valley: the form anyone sends, a facilitator's approval or decline, the ways in,
and the login that keeps what the visitor was doing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.tables import AuditEntry, JoinRequest, Organisation, User
from matchmaker.vocab import OrgKind
from tests.pagekit import csrf_of, get, page
from tests.world import PASSWORD, link_in, login, logout, outbox

FORM = {
    "organisation": "Keravan Kierrätys Oy",
    "kind": "company",
    "municipality": "Kerava",
    "contact_name": "Kaisa Kierto",
    "email": "kaisa@kierratys.example.fi",
    "about": "We sort construction waste and look for buyers of crushed brick.",
    "language": "sv",
}


def send(client: TestClient, lang: str = "en", **changes: str) -> Any:
    csrf = csrf_of(get(client, "/join", lang))
    data = {"csrf_token": csrf, **FORM, **changes}
    return client.post(f"/join?lang={lang}", data=data, follow_redirects=False)


def requests(db_engine: Any) -> list[JoinRequest]:
    with Session(db_engine) as s:
        return list(s.exec(select(JoinRequest)))


def test_anyone_sends_the_form_without_an_account(visitor: TestClient, db_engine: Any) -> None:
    r = send(visitor)
    assert r.status_code == 303 and r.headers["location"] == "/join?sent=1"
    assert (
        "Thank you: your request is with the facilitators."
        in page(get(visitor, r.headers["location"])).text
    )
    [made] = requests(db_engine)
    assert (made.organisation, made.email, made.status, made.language) == (
        "Keravan Kierrätys Oy",
        "kaisa@kierratys.example.fi",
        "pending",
        "sv",
    )


@pytest.mark.parametrize(
    "lang, required, email, kind",
    [
        ("en", "This field is required.", "Enter an e-mail address such as", "Choose one"),
        ("fi", "Tämä kenttä on pakollinen.", "Anna sähköpostiosoite", "Valitse jokin"),
        ("sv", "Fältet är obligatoriskt.", "Ange en e-postadress", "Välj ett"),
    ],
)
def test_bad_fields_answer_422_with_messages_beside_them(
    visitor: TestClient, db_engine: Any, lang: str, required: str, email: str, kind: str
) -> None:
    r = send(visitor, lang, organisation="", about="", email="kaisa at kerava", kind="wizard")
    assert r.status_code == 422
    shown = page(r)
    assert shown.text_of("f-organisation-error") == required
    assert shown.text_of("f-about-error") == required
    assert shown.text_of("f-email-error").startswith(email)
    assert shown.text_of("f-kind-error").startswith(kind)
    # what was typed stays in the form
    assert shown.find("input", name="contact_name")[0]["value"] == "Kaisa Kierto"
    assert requests(db_engine) == []


def test_a_second_request_from_the_same_address_waits_for_the_first(visitor: TestClient) -> None:
    assert send(visitor).status_code == 303
    again = send(visitor)
    assert again.status_code == 422
    assert "already waiting for a facilitator" in page(again).text_of("f-email-error")


def test_approval_creates_the_organisation_and_sends_the_invitation(
    visitor: TestClient, db_engine: Any
) -> None:
    send(visitor)
    [req] = requests(db_engine)
    csrf = login(visitor, "facilitator", browser=True)
    listed = page(get(visitor, "/joins"))
    assert "Keravan Kierrätys Oy" in listed.text_of(f"join-{req.id}")
    assert "kaisa@kierratys.example.fi" in listed.text_of(f"join-{req.id}")
    r = visitor.post(f"/joins/{req.id}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/joins?done=approved"
    with Session(db_engine) as s:
        org = s.exec(select(Organisation).where(Organisation.name == "Keravan Kierrätys Oy")).one()
        assert (org.municipality, org.contact_email, org.language) == (
            "Kerava",
            "kaisa@kierratys.example.fi",
            "sv",
        )
        actions = [a.action for a in s.exec(select(AuditEntry))]
    assert "approve join" in actions and "invite" in actions
    invitation = outbox(db_engine)[-1]
    assert invitation.to == "kaisa@kierratys.example.fi" and invitation.secret
    link = link_in(visitor, invitation, "/register")

    logout(visitor)  # the new member registers from the link and is in their organisation
    csrf = csrf_of(get(visitor, link))
    token = link.split("token=")[1]
    r = visitor.post(
        "/register",
        data={"csrf_token": csrf, "token": token, "name": "Kaisa", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session(db_engine) as s:
        user = s.exec(select(User).where(User.email == "kaisa@kierratys.example.fi")).one()
        assert user.organisation_id == org.id
    # decided once: a second approval is refused
    csrf = login(visitor, "facilitator", browser=True)
    again = visitor.post(f"/joins/{req.id}/approve", data={"csrf_token": csrf})
    assert again.status_code == 422
    assert "This request was decided already." in page(again).text


def test_a_namesake_is_linked_not_duplicated(visitor: TestClient, db_engine: Any) -> None:
    with Session(db_engine) as s:
        s.add(Organisation(name="Keravan kierrätys", kind=OrgKind.company))
        s.commit()
    send(visitor)
    [req] = requests(db_engine)
    csrf = login(visitor, "facilitator", browser=True)
    listed = page(get(visitor, "/joins"))
    assert "Keravan kierrätys is already in the service" in listed.text_of(f"join-{req.id}")
    namesake = listed.find("input", name="organisation_id")[0]["value"]
    # approving as a new organisation would make a duplicate: refused, in words
    r = visitor.post(f"/joins/{req.id}/approve", data={"csrf_token": csrf})
    assert r.status_code == 422
    assert "An organisation of this name exists already" in page(r).text_of(f"join-{req.id}")
    r = visitor.post(
        f"/joins/{req.id}/approve",
        data={"csrf_token": csrf, "organisation_id": namesake},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session(db_engine) as s:
        assert len(list(s.exec(select(Organisation)))) == 1  # the namesake only
        invited = s.exec(select(JoinRequest)).one()
        assert str(invited.organisation_id) == namesake


def test_decline_needs_a_reason_and_mails_it_in_the_applicants_language(
    visitor: TestClient, db_engine: Any
) -> None:
    send(visitor, language="fi")
    [req] = requests(db_engine)
    csrf = login(visitor, "facilitator", browser=True)
    r = visitor.post(f"/joins/{req.id}/decline?lang=en", data={"csrf_token": csrf, "reason": ""})
    assert r.status_code == 422
    assert "Say why the request is declined" in page(r).text_of(f"join-{req.id}-error")
    reason = "Toimipaikkanne on Uudenmaan ulkopuolella."
    r = visitor.post(
        f"/joins/{req.id}/decline",
        data={"csrf_token": csrf, "reason": reason},
        follow_redirects=False,
    )
    assert r.status_code == 303
    letter = outbox(db_engine)[-1]
    assert letter.to == "kaisa@kierratys.example.fi"
    assert letter.subject == "Liittymispyyntönne Circular Valley Matchmaker -palveluun"
    assert reason in letter.body and letter.body.startswith("Hei Kaisa Kierto,")
    assert "Declined" in page(get(visitor, "/joins")).text
    assert requests(db_engine)[0].status == "declined"


def test_members_and_visitors_do_not_see_the_requests(visitor: TestClient) -> None:
    assert get(visitor, "/joins", follow_redirects=False).headers["location"] == (
        "/login?next=%2Fjoins%3Flang%3Den"
    )
    login(visitor, "member", browser=True)
    assert get(visitor, "/joins").status_code == 403


def test_the_ways_in_name_the_join_form_and_who_runs_the_service(visitor: TestClient) -> None:
    app: Any = visitor.app
    login_page = page(get(visitor, "/login"))
    assert {"href": "/join"}.items() <= login_page.find("a", href="/join")[0].items()
    home = page(get(visitor, "/"))
    assert "The service is run by Uusimaa Circular Economy Valley" in home.text_of("contact")
    assert home.find("a", href="/join")
    register = page(get(visitor, "/register"))
    assert "The service is run by" in register.text_of("contact")
    app.state.settings.facilitator_email = "fasilitaattorit@kiertotalous.example.fi"
    home = page(get(visitor, "/", "fi"))
    assert "Palvelua ylläpitää" in home.text_of("contact")
    assert home.find("a", href="mailto:fasilitaattorit@kiertotalous.example.fi")


def test_the_login_keeps_the_exact_page_the_visitor_wanted(visitor: TestClient) -> None:
    r = visitor.get("/listings/new?kind=offer", follow_redirects=False)
    assert r.headers["location"] == "/login?next=%2Flistings%2Fnew%3Fkind%3Doffer"
    form = page(visitor.get(r.headers["location"]))
    next_url = form.find("input", name="next")[0]["value"]
    assert next_url == "/listings/new?kind=offer"
    login(visitor, "member")  # the person exists; now log in through the form
    logout(visitor)
    csrf = csrf_of(visitor.get(r.headers["location"]))
    email = "member.0@example.fi"
    with Session(app_engine(visitor)) as s:
        email = s.exec(select(User.email).where(User.role == "member")).one()
    done = visitor.post(
        "/login",
        data={"csrf_token": csrf, "email": email, "password": PASSWORD, "next": next_url},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/listings/new?kind=offer"
    shown = page(visitor.get(done.headers["location"] + "&lang=en"))
    offer = shown.find("input", name="kind", value="offer")[0]
    assert "checked" in offer


def app_engine(client: TestClient) -> Any:
    return client.app.state.db_engine  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "next_url",
    ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "java"],
)
def test_next_never_leaves_the_site(visitor: TestClient, next_url: str) -> None:
    form = page(visitor.get("/login", params={"next": next_url}))
    assert form.find("input", name="next")[0]["value"] == "/"


def test_the_headers_login_link_comes_back_here(visitor: TestClient) -> None:
    shown = page(visitor.get("/listings?kind=need&lang=en"))
    assert shown.find("a", href="/login?next=%2Flistings%3Fkind%3Dneed%26lang%3Den")
