"""What a member's page shows: their listings with strong suggestions, matches, introductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from matchmaker.accounts.auth import Principal
from matchmaker.engine import ranker
from matchmaker.engine.matching import Matcher, expired
from matchmaker.listings import views
from matchmaker.members import service
from matchmaker.tables import Listing, Match
from matchmaker.vocab import MatchStatus, Status
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import N_, Translator
from matchmaker.workspace import views as match_views

SUGGESTED = 20  # strong suggestions counted per listing, at most
# What happens next at each stage, said to a member.
NEXT_STEP: dict[str, str] = {
    "requested": N_("my.next.requested"),
    MatchStatus.suggested: N_("my.next.requested"),
    MatchStatus.shortlisted: N_("my.next.shortlisted"),
    MatchStatus.introduced: N_("my.next.introduced"),
    MatchStatus.negotiating: N_("my.next.negotiating"),
    MatchStatus.pilot: N_("my.next.pilot"),
    MatchStatus.realised: N_("my.next.realised"),
    MatchStatus.rejected: N_("my.next.closed"),
    MatchStatus.dropped: N_("my.next.closed"),
}


PROFILE_LABELS = {
    "contact_name": N_("profile.contact_name"),
    "contact_email": N_("profile.contact_email"),
    "website": N_("profile.website"),
    "municipality": N_("profile.municipality"),
    "description": N_("profile.description"),
    "language": N_("profile.language"),
}
PROFILE_ERRORS = {
    "contact_name": N_("profile.error.contact_name"),
    "contact_email": N_("profile.error.contact_email"),
    "website": N_("profile.error.website"),
    "municipality": N_("profile.error.municipality"),
    "description": N_("profile.error.description"),
    "language": N_("profile.error.language"),
}
INTEREST_ERRORS = {
    "mine": N_("interest.error.mine"),
    "note": N_("interest.error.note"),
    "listing": N_("interest.error.listing"),
}


@dataclass
class MyListing:
    listing: views.ListingView
    expiry: str  # "until 31.12.2026", "expired 1.1.2026" or ""
    strong: int  # suggestions in the "strong" band
    new: int  # of them, posted or changed since the member's last visit
    new_label: str  # "New since your last visit: 2." or ""
    suggestions_url: str


@dataclass
class MyMatch:
    match: match_views.MatchView
    stage: str
    next_step: str
    requested: bool
    note: str  # our request's note


@dataclass
class ReceivedView:
    when: str
    match_url: str
    title: str  # "Match 12: Spent grain ↔ Bakery seeks spent grain"


def _strong(
    session: Session, matcher: Matcher, listing: Listing, since: datetime | None
) -> tuple[int, int]:
    if listing.status != Status.active or expired(listing):
        return 0, 0
    found = matcher.suggest(session, listing, k=SUGGESTED, min_score=ranker.STRONG)
    # on a first visit every one is new
    new = [s for s in found if since is None or s.listing.updated_at.replace(tzinfo=None) > since]
    return len(found), len(new)


def my_listings(
    session: Session,
    matcher: Matcher,
    viewer: Principal,
    t: Translator,
    since: datetime | None,
) -> list[MyListing]:
    rows = service.own_listings(session, viewer)
    out = []
    for listing, view in zip(rows, views.listing_views(session, rows, t, viewer), strict=True):
        strong, new = _strong(session, matcher, listing, since)
        end = listing.available_until
        expiry = (
            ""
            if end is None
            else t("my.expired", date=t.date(end))
            if view.expired
            else t("my.until", date=t.date(end))
        )
        label = t("my.new", count=new) if new else ""
        out.append(MyListing(view, expiry, strong, new, label, f"{view.url}/matches"))
    return out


def my_matches(
    session: Session, viewer: Principal, t: Translator, matches: list[Match]
) -> list[MyMatch]:
    asked = service.asked_by(session, viewer, matches)
    out = []
    for m, view in zip(matches, match_views.match_views(session, matches, t, viewer), strict=True):
        requested = view.id in asked
        if m.status == MatchStatus.suggested and requested:
            stage = t("my.stage.requested")
        else:
            stage = view.status_label
        out.append(
            MyMatch(view, stage, t(NEXT_STEP[str(m.status)]), requested, asked.get(view.id, ""))
        )
    return out


def received(
    session: Session, viewer: Principal, t: Translator, rows: list[service.Received]
) -> list[ReceivedView]:
    shown = match_views.match_views(session, [r.match for r in rows], t, viewer)
    return [
        ReceivedView(
            when=t.time(r.introduction.at),
            match_url=v.url,
            title=t("my.received_title", id=v.id, offer=v.offer.title, need=v.need.title),
        )
        for r, v in zip(rows, shown, strict=True)
    ]


def interest_form(
    t: Translator, choices: list[views.ListingView], mine: str, note: str, errors: dict[str, str]
) -> list[Field]:
    """The "ask for an introduction" form: which of our listings, and a short note."""
    options = [Option(str(v.id), v.title, str(v.id) == mine) for v in choices]
    if len(options) > 1:
        options = [Option("", t("form.choose"), not mine), *options]
    return [
        Field(
            "mine",
            t("interest.mine"),
            "select",
            options=options,
            required=True,
            error=errors.get("mine", ""),
        ),
        Field(
            "note",
            t("interest.note"),
            "textarea",
            value=note,
            hint=t("interest.note_hint"),
            error=errors.get("note", ""),
            attrs={"maxlength": "1000", "rows": "4"},
        ),
    ]


def profile_form(t: Translator, values: dict[str, str], errors: dict[str, str]) -> list[Field]:
    """The organisation's profile as a member edits it."""
    lang = values.get("language", "fi")

    def text(name: str, widget: str = "text", **attrs: str) -> Field:
        return Field(
            name,
            t(PROFILE_LABELS[name]),
            widget,
            value=values.get(name, ""),
            error=errors.get(name, ""),
            attrs=attrs,
        )

    return [
        text("contact_name", maxlength="200", autocomplete="name"),
        text("contact_email", "email", maxlength="254", autocomplete="email"),
        text("website", "url", maxlength="300", placeholder="https://"),
        text("municipality", maxlength="80"),
        text("description", "textarea", maxlength="2000", rows="5"),
        Field(
            "language",
            t(PROFILE_LABELS["language"]),
            "select",
            options=[
                Option(code, t.label("language", code), code == lang) for code in ("fi", "sv", "en")
            ],
            error=errors.get("language", ""),
        ),
    ]
