"""The admins' screens in fi/sv/en: themes, users, organisations (merge), listings waiting."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.tables import (
    AuditEntry,
    Listing,
    Match,
    Organisation,
    Theme,
    User,
    UserSession,
    saved_id,
)
from matchmaker.vocab import Category, Language, ListingKind, Status
from tests.pagekit import get, page
from tests.world import Factory, login, person

LANGS = ["fi", "sv", "en"]


def post(client: TestClient, url: str, csrf: str, lang: str = "en", **data: str) -> Any:
    return client.post(
        f"{url}?lang={lang}", data={"csrf_token": csrf, **data}, follow_redirects=False
    )


def audit(db_engine: Any) -> list[str]:
    with Session(db_engine) as s:
        return [a.action for a in s.exec(select(AuditEntry))]


@pytest.mark.parametrize(
    "lang, themes, users, organisations, factors",
    [
        ("fi", "Teemat", "Käyttäjät", "Organisaatiot", "Päästökertoimet"),
        ("sv", "Teman", "Användare", "Organisationer", "Utsläppsfaktorer"),
        ("en", "Themes", "Users", "Organisations", "Emission factors"),
    ],
)
def test_the_admins_menu_has_the_admin_screens(
    visitor: TestClient, lang: str, themes: str, users: str, organisations: str, factors: str
) -> None:
    login(visitor, "admin", browser=True)
    menu = page(get(visitor, "/", lang))
    labels = {a["href"]: a for a in menu.find("a") if a.get("href", "").startswith("/admin/")}
    assert set(labels) == {
        "/admin/approvals",
        "/admin/themes",
        "/admin/users",
        "/admin/organisations",
        "/admin/factors",
    }
    for url, title in (
        ("/admin/themes", themes),
        ("/admin/users", users),
        ("/admin/organisations", organisations),
        ("/admin/factors", factors),
    ):
        shown = get(visitor, url, lang)
        assert shown.status_code == 200
        assert f"<h1>{title}</h1>" in shown.text
    login(visitor, "facilitator", browser=True)  # the facilitator's menu: approvals, no admin
    hrefs = {a.get("href") for a in page(get(visitor, "/", lang)).find("a")}
    assert "/admin/approvals" in hrefs and "/joins" in hrefs and "/admin/themes" not in hrefs
    assert get(visitor, "/admin/themes", lang).status_code == 403


@pytest.mark.parametrize(
    "lang, required, slug_hint",
    [
        ("fi", "Tämä kenttä on pakollinen.", "Pieniä kirjaimia"),
        ("sv", "Fältet är obligatoriskt.", "Små bokstäver"),
        ("en", "This field is required.", "Lower-case letters"),
    ],
)
def test_a_theme_is_added_renamed_and_translated(
    visitor: TestClient, db_engine: Any, lang: str, required: str, slug_hint: str
) -> None:
    csrf = login(visitor, "admin", browser=True)
    bad = post(
        visitor,
        "/admin/themes",
        csrf,
        lang,
        slug="Wood!",
        name_fi="",
        name_sv="Trä",
        name_en="Wood",
    )
    assert bad.status_code == 422
    shown = page(bad)
    assert shown.text_of("f-slug-error").startswith(slug_hint)
    assert shown.text_of("f-name_fi-error") == required
    assert shown.find("input", name="name_sv")[-1]["value"] == "Trä"
    ok = post(
        visitor,
        "/admin/themes",
        csrf,
        lang,
        slug="wood",
        name_fi="Puu",
        name_sv="Trä",
        name_en="Wood",
    )
    assert ok.status_code == 303
    taken = post(
        visitor,
        "/admin/themes",
        csrf,
        lang,
        slug="wood",
        name_fi="Puu",
        name_sv="Trä",
        name_en="Wood",
    )
    assert taken.status_code == 422 and page(taken).text_of("f-slug-error")
    with Session(db_engine) as s:
        wood = s.exec(select(Theme).where(Theme.slug == "wood")).one()
    renamed = post(
        visitor,
        f"/admin/themes/{wood.id}",
        csrf,
        lang,
        name_fi="Puu ja puutuotteet",
        name_sv="Trä och träprodukter",
        name_en="Wood and wood products",
    )
    assert renamed.status_code == 303
    # the home page's theme card is named in each language
    assert "Trä och träprodukter" in page(get(visitor, "/", "sv")).text
    assert "Puu ja puutuotteet" in page(get(visitor, "/", "fi")).text
    empty = post(
        visitor, f"/admin/themes/{wood.id}", csrf, lang, name_fi="", name_sv="x", name_en="y"
    )
    assert empty.status_code == 422 and page(empty).text_of(f"theme-{wood.id}-error")
    assert {"create theme", "rename theme"} <= set(audit(db_engine))


@pytest.mark.parametrize("lang", LANGS)
def test_an_admin_changes_a_role_and_deactivates_a_user(
    visitor: TestClient, db_engine: Any, make: Factory, lang: str
) -> None:
    org = make.org("Porvoon Puutuote Oy")
    member = person(db_engine, "member", org_id=org["id"])
    login(visitor, "member", org_id=org["id"], browser=True)  # the member has a session
    csrf = login(visitor, "admin", browser=True)
    listed = page(get(visitor, "/admin/users", lang))
    assert member.email in listed.text_of(f"user-{member.id}")
    r = post(
        visitor,
        f"/admin/users/{member.id}",
        csrf,
        lang,
        role="facilitator",
        organisation_id="",
        active="",
    )
    assert r.status_code == 303
    with Session(db_engine) as s:
        changed = s.get(User, member.id)
        assert changed is not None and changed.role == "facilitator" and not changed.active
        assert not list(s.exec(select(UserSession).where(UserSession.user_id == member.id)))
    # a member needs an organisation: refused beside the row, in the UI language
    r = post(
        visitor,
        f"/admin/users/{member.id}",
        csrf,
        lang,
        role="member",
        organisation_id="",
        active="1",
    )
    assert r.status_code == 422 and page(r).text_of(f"user-{member.id}-error")
    with Session(db_engine) as s:
        me = s.exec(select(User).where(User.role == "admin")).first()
        assert me is not None
    mine = post(
        visitor, f"/admin/users/{me.id}", csrf, lang, role="admin", organisation_id="", active=""
    )
    assert mine.status_code == 422
    expected = {"fi": "Et voi", "sv": "Du kan inte", "en": "You cannot"}[lang]
    assert page(mine).text_of(f"user-{me.id}-error").startswith(expected)


@pytest.mark.parametrize(
    "lang, taken", [("fi", "Toisella organisaatiolla"), ("sv", "En annan"), ("en", "Another")]
)
def test_organisations_are_created_edited_and_a_duplicate_merged(
    visitor: TestClient, db_engine: Any, make: Factory, lang: str, taken: str
) -> None:
    keep = make.org("Porvoon Puutuote Oy", contact_email="puutuote@example.fi")
    need = make.listing(keep["id"], kind="need", title="Oak offcuts wanted")
    csrf = login(visitor, "admin", browser=True)
    made = post(
        visitor,
        "/admin/organisations",
        csrf,
        lang,
        name="Porvoo Puutuote",
        kind="company",
        municipality="Porvoo",
    )
    assert made.status_code == 303
    same = post(
        visitor, "/admin/organisations", csrf, lang, name="PORVOON PUUTUOTE", kind="company"
    )
    assert same.status_code == 422 and page(same).text_of("f-name-error").startswith(taken)
    with Session(db_engine) as s:
        dup = s.exec(select(Organisation).where(Organisation.name == "Porvoo Puutuote")).one()
        dup_id = saved_id(dup)
    edit = get(visitor, f"/admin/organisations/{dup_id}", lang)
    assert edit.status_code == 200
    bad = post(
        visitor,
        f"/admin/organisations/{dup_id}",
        csrf,
        lang,
        name="Porvoo Puutuote",
        kind="company",
        website="puutuote.fi",
    )
    assert bad.status_code == 422 and page(bad).text_of("f-website-error")
    saved = post(
        visitor,
        f"/admin/organisations/{dup_id}",
        csrf,
        lang,
        name="Porvoo Puutuote",
        kind="company",
        municipality="Porvoo",
        website="https://puutuote.example.fi",
    )
    assert saved.status_code == 303
    # the duplicate has a listing, a member and a match with the kept one's need
    member = person(db_engine, "member", org_id=dup_id)
    with Session(db_engine) as s:
        made_offer = Listing(
            organisation_id=dup_id,
            theme_id=need_theme(db_engine, need["id"]),
            kind=ListingKind.offer,
            category=Category.material,
            title="Oak sawdust, 40 t/year",
            language=Language.en,
        )
        s.add(made_offer)
        s.commit()
        offer = {"id": made_offer.id}
        s.add(
            Match(
                offer_id=saved_id(made_offer),
                need_id=need["id"],
                theme_id=made_offer.theme_id,
                score=40.0,
            )
        )
        s.commit()
    itself = post(visitor, f"/admin/organisations/{dup_id}/merge", csrf, lang, into=str(dup_id))
    assert itself.status_code == 422
    merged = post(visitor, f"/admin/organisations/{dup_id}/merge", csrf, lang, into=str(keep["id"]))
    assert merged.status_code == 303
    with Session(db_engine) as s:
        assert s.get(Organisation, dup_id) is None
        moved = s.get(Listing, offer["id"])
        assert moved is not None and moved.organisation_id == keep["id"]
        user = s.get(User, member.id)
        assert user is not None and user.organisation_id == keep["id"]
        kept = s.get(Organisation, keep["id"])
        assert kept is not None and kept.website == "https://puutuote.example.fi"
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "merge organisations")).one()
        assert entry.detail["listings"] == 1 and entry.detail["users"] == 1
        assert entry.detail["matches"] == 1
    # the match is now the kept organisation's, on its page too
    listed = page(get(visitor, f"/organisations/{keep['id']}", lang)).text
    assert "Oak sawdust, 40 t/year" in listed


def need_theme(db_engine: Any, listing_id: int) -> int:
    with Session(db_engine) as s:
        found = s.get(Listing, listing_id)
        assert found is not None
        return found.theme_id


@pytest.mark.parametrize(
    "lang, none", [("fi", "Yksikään ilmoitus"), ("sv", "Ingen annons"), ("en", "No listing")]
)
def test_the_listings_waiting_for_approval_are_approved_from_the_list(
    visitor: TestClient, db_engine: Any, make: Factory, lang: str, none: str
) -> None:
    org = make.org("Porvoon Puutuote Oy")
    waiting = make.listing(org["id"], title="Oak sawdust, 40 t/year", status="pending")
    csrf = login(visitor, "facilitator", browser=True)
    listed = page(get(visitor, "/admin/approvals", lang))
    assert "Oak sawdust, 40 t/year" in listed.text_of(f"pending-{waiting['id']}")
    assert "Porvoon Puutuote Oy" in listed.text_of(f"pending-{waiting['id']}")
    r = post(visitor, f"/admin/approvals/{waiting['id']}", csrf, lang)
    assert r.status_code == 303 and r.headers["location"] == "/admin/approvals?approved=1"
    with Session(db_engine) as s:
        approved = s.get(Listing, waiting["id"])
        assert approved is not None and approved.status == Status.active
    assert none in page(get(visitor, "/admin/approvals", lang)).text
    assert "approve listing" in audit(db_engine)
