"""The JSON API as a client sees it: status codes, messages, and nothing half-written."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.accounts import auth
from matchmaker.app import create_app
from matchmaker.engine import ranker
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import SEARCH_FLOOR
from matchmaker.settings import Settings
from matchmaker.tables import ApiToken, utcnow
from tests.world import Factory, login


def count(client: TestClient, **params: Any) -> int:
    return int(client.get("/api/listings", params={"status": "all", **params}).json()["total"])


def test_themes_are_seeded_in_three_languages(client: TestClient) -> None:
    themes = {t["slug"]: t for t in client.get("/api/themes").json()}
    assert {"construction", "plastics", "textiles", "food", "electronics"} <= set(themes)
    assert themes["textiles"]["name_fi"] == "Tekstiilit"
    assert themes["construction"]["name_sv"] == "Byggande"


def test_a_new_theme_needs_no_code(client: TestClient, make: Factory) -> None:
    r = client.post(
        "/api/themes",
        json={
            "slug": "biomass",
            "name_fi": "Biomassa",
            "name_sv": "Biomassa",
            "name_en": "Biomass",
        },
    )
    assert r.status_code == 201
    org = make.org()
    made = make.listing(org["id"], theme="biomass", title="Bark from a sawmill")
    assert made["theme"] == "biomass"
    again = client.post(
        "/api/themes", json={"slug": "biomass", "name_fi": "B", "name_sv": "B", "name_en": "B"}
    )
    assert again.status_code == 422 and "exists already" in again.json()["detail"]


def test_create_read_update_close(client: TestClient, make: Factory) -> None:
    org = make.org()
    made = make.listing(org["id"])
    assert made["organisation_name"] == "Porvoon Puutuote Oy" and made["status"] == "active"
    got = client.get(f"/api/listings/{made['id']}").json()
    assert got["title"] == "Oak sawdust, 40 t/year"
    r = client.patch(f"/api/listings/{made['id']}", json={"quantity": 55, "version": 1})
    assert r.status_code == 200 and r.json()["quantity"] == 55
    assert r.json()["title"] == "Oak sawdust, 40 t/year"  # untouched fields stay
    closed = client.post(f"/api/listings/{made['id']}/close").json()
    assert closed["status"] == "closed"
    assert count(client, status="active") == 0 and count(client, status="closed") == 1


def test_list_filters(client: TestClient, make: Factory) -> None:
    org = make.org()
    make.listing(org["id"])
    make.listing(org["id"], kind="need", title="Sawmill seeks fuel chips", theme="food")
    make.listing(org["id"], category="equipment", title="Shared shredder", municipality="Lohja")
    assert count(client, kind="need") == 1
    assert count(client, theme="construction") == 2
    assert count(client, category="equipment") == 1
    assert count(client, municipality="Lohja") == 1
    page = client.get("/api/listings", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1


VISITOR = {"Authorization": ""}  # the same app, asked without credentials


def test_anonymous_listing_hides_its_organisation(client: TestClient, make: Factory) -> None:
    org = make.org("Salainen Purku Oy")
    made = make.listing(org["id"], visibility="anonymous")
    assert made["organisation_name"] == "Salainen Purku Oy"  # the admin may know
    seen = client.get(f"/api/listings/{made['id']}", headers=VISITOR).json()
    assert seen["organisation_id"] is None and seen["organisation_name"] is None
    listed = client.get("/api/listings", headers=VISITOR).json()["items"][0]
    assert "Salainen" not in str(listed)
    need = make.listing(
        make.org("Avoin Puusepät Oy")["id"], kind="need", title="Oak sawdust wanted"
    )
    suggested = client.get(
        f"/api/listings/{need['id']}/suggestions", params={"min_score": 0}, headers=VISITOR
    ).json()
    assert suggested and "Salainen" not in str(suggested)
    everything: dict[str, str | int] = {"q": "oak sawdust", "min_similarity": 0}
    found = client.get("/api/search", params=everything, headers=VISITOR).json()
    assert found and "Salainen" not in str([h for h in found if h["listing"]["id"] == made["id"]])


def test_unknown_ids_are_404(client: TestClient) -> None:
    for url in ("/api/listings/999", "/api/listings/999/suggestions", "/api/organisations/999"):
        r = client.get(url)
        assert r.status_code == 404 and "999 does not exist" in r.json()["detail"]
    assert client.patch("/api/listings/999", json={"title": "x", "version": 1}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "   "}, "title", "must not be empty"),
        ({"theme": "aerospace"}, "theme", "unknown theme 'aerospace'; known themes: construction"),
        ({"quantity": -3}, "quantity", "greater than 0"),
        ({"description": "x" * 5001}, "description", "at most 5000 characters"),
        ({"municipality": "Gotham"}, "municipality", "unknown municipality 'Gotham'"),
        ({"ewc_code": "17-01"}, "ewc_code", "'17-01' is not a waste code: write six digits"),
        ({"ewc_code": "17 01 99"}, "ewc_code", "17 01 99 is not in the European Waste Catalogue"),
        ({"ewc_code": "17 01 01*"}, "ewc_code", "not a hazardous entry of the list"),
        (
            {"kind": "need", "accepted_codes": ["17 01 01", "17 01 98"]},
            "accepted_codes",
            "17 01 98 is not in the European Waste Catalogue; sub-chapter 17 01 has 17 01 01",
        ),
        ({"accepted_codes": ["170101"]}, "body", "only a need names the codes it accepts"),
        ({"kind": "gift"}, "kind", "'offer' or 'need'"),
        ({"title": "nul\x00byte"}, "title", "control characters"),
        ({"organisation_id": 4242}, "organisation_id", "organisation 4242 does not exist"),
        (
            {"available_from": "2027-05-01", "available_until": "2027-01-01"},
            "body",
            "available_until must not be before available_from",
        ),
        ({"quantity": 5, "unit": None}, "body", "a quantity needs a unit"),
    ],
)
def test_bad_listing_gets_a_readable_422_and_writes_nothing(
    client: TestClient, make: Factory, change: dict[str, Any], field: str, words: str
) -> None:
    org = make.org()
    body = {
        "organisation_id": org["id"],
        "theme": "construction",
        "kind": "offer",
        "category": "material",
        "title": "Crushed concrete",
        "quantity": 5,
        "unit": "t",
        **change,
    }
    r = client.post("/api/listings", json=body)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert words in r.json()["detail"]
    assert count(client) == 0


def test_bad_update_changes_nothing(client: TestClient, make: Factory) -> None:
    made = make.listing(make.org()["id"])
    for change in (
        {"title": ""},
        {"theme": "nope"},
        {"quantity": -1},
        {"title": None},
        {"available_from": "2030-01-01", "available_until": "2029-01-01"},
        {"title": "no version sent"},
    ):
        version = {} if "no version sent" in change.values() else {"version": 1}
        r = client.patch(f"/api/listings/{made['id']}", json={**change, **version})
        assert r.status_code == 422, (change, r.text)
    assert client.get(f"/api/listings/{made['id']}").json() == made


def test_the_second_of_two_concurrent_edits_gets_a_conflict(
    client: TestClient, make: Factory
) -> None:
    made = make.listing(make.org()["id"])
    first = client.patch(f"/api/listings/{made['id']}", json={"quantity": 50, "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(f"/api/listings/{made['id']}", json={"quantity": 70, "version": 1})
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    assert client.get(f"/api/listings/{made['id']}").json()["quantity"] == 50


def test_a_one_megabyte_description_is_refused_before_it_is_read(
    client: TestClient, make: Factory
) -> None:
    org = make.org()
    body = {
        "organisation_id": org["id"],
        "theme": "construction",
        "kind": "offer",
        "category": "material",
        "title": "Big",
        "description": "ä" * 1_000_000,
    }
    r = client.post("/api/listings", json=body)
    assert r.status_code == 413
    assert "larger than the limit" in r.json()["detail"]
    assert count(client) == 0


def test_invalid_utf8_and_broken_json_get_a_4xx(client: TestClient, make: Factory) -> None:
    org = make.org()
    raw = (
        b'{"organisation_id": %d, "theme": "construction", "kind": "offer", '
        b'"category": "material", "title": "Betoni\xff\xfe"}' % org["id"]
    )
    r = client.post("/api/listings", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"] == "the request body could not be read: send UTF-8 encoded JSON"
    r = client.post(
        "/api/listings", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]
    assert count(client) == 0


def test_language_is_guessed_when_left_out(client: TestClient, make: Factory) -> None:
    org = make.org()
    made = make.listing(
        org["id"],
        language=None,
        title="Vi erbjuder betongkross från rivning",
        description="Cirka 300 ton per år från våra rivningsplatser i Esbo.",
    )
    assert made["language"] == "sv"


def test_suggestions_are_ranked_explained_and_of_the_other_kind(
    client: TestClient, make: Factory
) -> None:
    org = make.org()
    need = make.listing(
        make.org("Porvoon Briketti Oy")["id"],
        kind="need",
        title="Joinery seeks oak sawdust for briquettes",
        description="Dry oak sawdust wanted, 30 t a year, Porvoo.",
        municipality="Porvoo",
        quantity=30,
    )
    near = make.listing(
        org["id"],
        title="Oak sawdust from joinery",
        description="Dry oak sawdust, 40 t a year.",
        municipality="Porvoo",
    )
    make.listing(
        org["id"],
        title="Broken roof tiles",
        description="Clay roof tiles, 5 t.",
        municipality="Hanko",
    )
    make.listing(org["id"], kind="need", title="Oak sawdust wanted too")  # same kind: never
    make.listing(org["id"], theme="food", title="Oak sawdust for smoking")  # other theme
    r = client.get(f"/api/listings/{need['id']}/suggestions", params={"min_score": 0})
    assert r.status_code == 200
    got = r.json()
    assert [s["listing"]["kind"] for s in got] == ["offer", "offer"]
    assert got[0]["listing"]["id"] == near["id"] and got[0]["rank"] == 1
    assert got[0]["score"] >= got[1]["score"]
    parts = {p["name"]: p for p in got[0]["parts"]}
    assert {"semantic", "language", "wording", "category", "distance", "quantity", "codes"} <= set(
        parts
    )
    assert parts["distance"]["text"] == "same municipality (Porvoo)"
    assert "offer is 1.3× the need" in parts["quantity"]["text"]
    assert parts["wording"]["value"] > 0.3  # "oak sawdust" in both, in one language
    assert "text similarity" in got[0]["explanation"]
    assert [s["band"] for s in got] == [ranker.band(s["score"]) for s in got]
    wide = client.get(
        f"/api/listings/{need['id']}/suggestions", params={"all_themes": True, "min_score": 0}
    )
    assert len(wide.json()) == 3
    # by default only what reaches the "possible" floor: the roof tiles are not a suggestion
    default = client.get(f"/api/listings/{need['id']}/suggestions").json()
    assert default and all(s["score"] >= ranker.POSSIBLE for s in default)
    assert len(default) < len(got)


def test_closed_listings_leave_the_suggestions(client: TestClient, make: Factory) -> None:
    org = make.org()
    need = make.listing(make.org("Sahanpuru Oy")["id"], kind="need", title="Need sawdust")
    offer = make.listing(org["id"], title="Sawdust")
    assert len(client.get(f"/api/listings/{need['id']}/suggestions").json()) == 1
    client.post(f"/api/listings/{offer['id']}/close")
    assert client.get(f"/api/listings/{need['id']}/suggestions").json() == []
    client.patch(f"/api/listings/{offer['id']}", json={"status": "active", "version": 2})
    assert len(client.get(f"/api/listings/{need['id']}/suggestions").json()) == 1


def test_another_worker_behind_the_change_log_answers_once_it_has_caught_up(
    client: TestClient, make: Factory, settings: Settings, db_engine: Any, hash_embedder: Embedder
) -> None:
    """A second app on the same database is a second worker: its matcher is behind what the
    first wrote, so its answer waits for it to catch up (in a worker thread) and then holds
    the new listing; once in step it answers the same as the first (on the event loop)."""
    folder = settings.instance_dir.parent / "other-worker"
    other = create_app(
        settings.model_copy(update={"instance_dir": folder}),
        db_engine=db_engine,
        embedder=hash_embedder,
    )
    with TestClient(other) as elsewhere:
        need = make.listing(make.org("Sahanpuru Oy")["id"], kind="need", title="Need sawdust")
        url = f"/api/listings/{need['id']}/suggestions"
        assert elsewhere.get(url).json() == []
        offer = make.listing(make.org()["id"], title="Sawdust")  # written through the first
        with Session(db_engine) as s:
            assert not other.state.matcher.in_step(s)
        answer = elsewhere.get(url)
        assert answer.status_code == 200
        assert [s["listing"]["id"] for s in answer.json()] == [offer["id"]]
        with Session(db_engine) as s:
            assert other.state.matcher.in_step(s)
        assert elsewhere.get(url).json() == client.get(url).json()


def test_a_token_whose_use_is_due_is_noted_in_a_worker_thread_not_on_the_event_loop(
    client: TestClient, make: Factory, db_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Noting an API token's use is a commit, which may wait seconds for another writer's lock:
    the suggestions, answered on the event loop, write it in a worker thread, and answer the
    same; once it is noted, nothing is written."""
    need = make.listing(make.org("Sahanpuru Oy")["id"], kind="need", title="Need sawdust")
    offer = make.listing(make.org()["id"], title="Sawdust")
    url = f"/api/listings/{need['id']}/suggestions"
    assert [s["listing"]["id"] for s in client.get(url).json()] == [offer["id"]]
    with Session(db_engine) as s:
        token = s.exec(select(ApiToken).where(ApiToken.name == "tests")).one()
        token.last_used_at = utcnow() - timedelta(hours=2)
        s.add(token)
        s.commit()

    where: list[str] = []
    note = auth.note_use

    def noting(session: Session, token: ApiToken) -> None:
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append("worker thread")
        note(session, token)

    monkeypatch.setattr(auth, "note_use", noting)
    assert [s["listing"]["id"] for s in client.get(url).json()] == [offer["id"]]
    assert where == ["worker thread"]
    with Session(db_engine) as s:
        noted = s.exec(select(ApiToken.last_used_at).where(ApiToken.name == "tests")).one()
    assert noted is not None  # now, in UTC (naive on SQLite)
    assert utcnow().replace(tzinfo=None) - noted.replace(tzinfo=None) < timedelta(minutes=5)
    assert [s["listing"]["id"] for s in client.get(url).json()] == [offer["id"]]
    assert where == ["worker thread"]  # noted an hour ago at most: nothing to write


def test_suggestions_leave_out_the_listings_own_and_the_viewers_organisation(
    client: TestClient, make: Factory
) -> None:
    buyer, mine, other = make.org("Ostaja Oy"), make.org("Oma Oy"), make.org("Muu Oy")
    need = make.listing(buyer["id"], kind="need", title="Oak sawdust wanted")
    own = make.listing(buyer["id"], title="Oak sawdust")  # the need's own organisation's
    viewers = make.listing(mine["id"], title="Oak sawdust too")
    theirs = make.listing(other["id"], title="Oak sawdust as well")
    url = f"/api/listings/{need['id']}/suggestions"
    assert [s["listing"]["id"] for s in client.get(url).json()] != []
    seen = {s["listing"]["id"] for s in client.get(url).json()}
    assert own["id"] not in seen and {viewers["id"], theirs["id"]} <= seen
    login(client, "member", org_id=mine["id"])
    seen = {s["listing"]["id"] for s in client.get(url).json()}
    assert seen == {theirs["id"]}
    page = client.get(f"/listings/{need['id']}/matches?lang=en").text
    assert "Oak sawdust as well" in page and "Oak sawdust too" not in page


def test_search_ranks_listings_by_text(client: TestClient, make: Factory) -> None:
    org = make.org()
    make.listing(org["id"], title="Crushed concrete aggregate", description="From demolition.")
    make.listing(org["id"], title="Used denim fabric", theme="textiles", description="Jeans.")
    hits = client.get("/api/search", params={"q": "denim fabric"}).json()
    assert hits[0]["listing"]["title"] == "Used denim fabric"
    nearest: dict[str, str | int] = {"q": "denim", "theme": "construction", "min_similarity": 0}
    only = client.get("/api/search", params=nearest).json()
    assert [h["listing"]["theme"] for h in only] == ["construction"]
    # by default a search stops at its relevance cut: concrete is nothing like denim
    cut = client.get("/api/search", params={"q": "denim", "theme": "construction"}).json()
    assert cut == [] and only[0]["similarity"] < SEARCH_FLOOR
    assert client.get("/api/search", params={"q": " "}).status_code == 422
    assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_an_embedder_failure_writes_nothing(settings: Any, db_engine: Any) -> None:
    from matchmaker.app import create_app
    from tests.world import login

    class Broken:
        name, dim = "broken", 4

        def embed(self, texts: Any) -> Any:
            raise RuntimeError("model crashed")

    app = create_app(settings, db_engine=db_engine, embedder=Broken())
    with TestClient(app, raise_server_exceptions=False) as c:
        login(c, "admin")
        org = Factory(c).org()
        r = c.post(
            "/api/listings",
            json={
                "organisation_id": org["id"],
                "theme": "food",
                "kind": "offer",
                "category": "material",
                "title": "Bread",
            },
        )
        assert r.status_code == 500
        assert count(c) == 0


@pytest.mark.parametrize(
    "path",
    [
        ["closed", "active"],  # a pending listing withdrawn, then reopened
        ["draft", "active"],
        ["closed", "draft", "active"],
    ],
)
def test_with_approval_on_no_path_makes_an_unapproved_listing_active_by_a_members_hand(
    client: TestClient, make: Factory, path: list[str]
) -> None:
    from tests.world import app_of, login

    org = make.org()
    app_of(client).state.settings.approval_required = True
    login(client, "member", org_id=org["id"])
    made = make.listing(org["id"])
    assert made["status"] == "pending"
    version = made["version"]
    for status in path:
        r = client.patch(f"/api/listings/{made['id']}", json={"status": status, "version": version})
        assert r.status_code == 200, r.text
        version = r.json()["version"]
    assert r.json()["status"] == "pending"  # waits for a facilitator, as a new listing does
    assert (
        client.get(f"/api/listings/{made['id']}", headers={"Authorization": ""}).status_code == 404
    )


def test_a_null_description_clears_it_rather_than_failing(
    client: TestClient, make: Factory
) -> None:
    made = make.listing(make.org()["id"])
    r = client.patch(
        f"/api/listings/{made['id']}", json={"description": None, "version": made["version"]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["description"] == ""
