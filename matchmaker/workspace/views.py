"""What the workspace pages show of matches: both sides, the reasons, the history, worded."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import Session, col, select

from matchmaker.accounts.auth import Principal
from matchmaker.engine import explanations
from matchmaker.listings import views, visibility
from matchmaker.tables import Listing, Match, MatchEvent, Organisation, Theme, User, utcnow
from matchmaker.vocab import MatchStatus
from matchmaker.web import paging
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import N_, Translator
from matchmaker.workspace import pipeline
from matchmaker.workspace import reasons as match_reasons

# workspace.REJECT_REASONS and DROP_REASONS are stored in English; a test checks each has a key.
REASONS: dict[str, str] = {
    "not the same material": N_("reason.not_same_material"),
    "quality or contamination": N_("reason.quality_contamination"),
    "too far apart": N_("reason.too_far"),
    "quantities do not fit": N_("reason.quantities"),
    "timing does not fit": N_("reason.timing"),
    "parties already in contact": N_("reason.in_contact"),
    "duplicate": N_("reason.duplicate"),
    "other": N_("reason.other"),
    "no answer": N_("reason.no_answer"),
    "price": N_("reason.price"),
    "logistics": N_("reason.logistics"),
    "regulation or permits": N_("reason.regulation"),
    "quality": N_("reason.quality"),
    "found another partner": N_("reason.other_partner"),
}
# Notes the product writes itself, worded in the UI language; a person's note is shown as typed.
SYSTEM_NOTES: dict[str, str] = {
    "suggested by the matcher": N_("history.suggested"),
    "introduction sent": N_("history.introduced"),
    "introduction waiting in the outbox": N_("history.introduced_outbox"),
    pipeline.AGREED["offer"]: N_("history.offer_agreed"),
    pipeline.AGREED["need"]: N_("history.need_agreed"),
    pipeline.DECLINED["offer"]: N_("history.offer_declined"),
    pipeline.DECLINED["need"]: N_("history.need_declined"),
    "offer side accepted and was revealed": N_("history.offer_accepted"),
    "need side accepted and was revealed": N_("history.need_accepted"),
    pipeline.REQUESTED: N_("history.requested"),
}


def reason_label(t: Translator, reason: str | None) -> str:
    if not reason:
        return ""
    return t(REASONS[reason]) if reason in REASONS else reason


def idle_days(match: Match) -> int:
    updated = match.updated_at.replace(tzinfo=None)
    return max(0, (utcnow().replace(tzinfo=None) - updated).days)


@dataclass
class MatchView:
    id: int
    url: str
    status: str
    status_label: str
    reason: str  # why it was rejected or dropped, worded
    score: int
    score_label: str
    theme_name: str
    offer: views.ListingView
    need: views.ListingView
    offer_hidden: bool  # anonymous to the other party until its owner accepts
    need_hidden: bool
    offer_gone: bool  # withdrawn for this viewer (draft, pending, closed): nothing of it shown
    need_gone: bool
    reasons: list[explanations.Reason]
    updated: str
    idle_label: str
    stale: bool


def match_views(
    session: Session,
    matches: Sequence[Match],
    t: Translator,
    viewer: Principal,
    *,
    stale_ids: Collection[int] = (),
) -> list[MatchView]:
    """Views of the matches, each side as visibility.match_side says (as the JSON): an
    anonymous side is named only to those who may know it, or to the other party once its
    owner has accepted the introduction; a side withdrawn for this viewer is only "no longer
    available", and the reasons, worded from the listings as they are now, are left out."""
    ids = sorted({m.offer_id for m in matches} | {m.need_id for m in matches})
    rows = list(session.exec(select(Listing).where(col(Listing.id).in_(ids)))) if ids else []
    rows.sort(key=lambda lst: lst.id or 0)
    listings = {lst.id: lst for lst in rows}
    shown = dict(zip(ids, views.listing_views(session, rows, t, viewer), strict=True))
    org_ids = {lst.organisation_id for lst in rows}
    orgs = (
        {
            o.id: o
            for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        }
        if org_ids
        else {}
    )
    names = views.theme_names(session, t)
    slugs = {th.id: th.slug for th in session.exec(select(Theme))}
    accepted = visibility.acceptances(session, [m.id for m in matches if m.id is not None])
    out = []
    for m in matches:
        assert m.id is not None
        offer, need = listings[m.offer_id], listings[m.need_id]
        sides, gone = {}, {}
        for side, listing_id in (("offer", m.offer_id), ("need", m.need_id)):
            listing = listings[listing_id]
            seen = visibility.match_side(viewer, m, side, listing, accepted)
            org = orgs.get(listing.organisation_id)
            if not seen.shown:
                sides[side] = _withdrawn(shown[listing_id], t)
            elif seen.named and org:
                sides[side] = replace(  # a copy: two matches may reveal it differently
                    shown[listing_id],
                    organisation_name=org.name,
                    organisation_url=f"/organisations/{org.id}",
                )
            else:
                sides[side] = replace(
                    shown[listing_id], organisation_name=None, organisation_url=None
                )
            gone[side] = not seen.shown
        days = idle_days(m)
        score = round(m.score)
        out.append(
            MatchView(
                id=m.id,
                url=f"/matches/{m.id}",
                status=str(m.status),
                status_label=t.label("matchstatus", m.status),
                reason=reason_label(t, m.reason),
                score=score,
                score_label=t("suggest.score", score=score),
                theme_name=names.get(slugs.get(m.theme_id, ""), ""),
                offer=sides["offer"],
                need=sides["need"],
                offer_hidden=visibility.awaits_owner(m, "offer", offer, accepted),
                need_hidden=visibility.awaits_owner(m, "need", need, accepted),
                offer_gone=gone["offer"],
                need_gone=gone["need"],
                reasons=[] if any(gone.values()) else match_reasons.of_match(m, offer, need, t),
                updated=t.date(m.updated_at.date()),
                idle_label=t("match.idle", days=days),
                stale=m.id in stale_ids,
            )
        )
    return out


def _withdrawn(view: views.ListingView, t: Translator) -> views.ListingView:
    """A side the viewer may no longer see: its kind, and that it is no longer available."""
    return replace(
        view,
        url="",
        edit_url="",
        title=t("match.withdrawn"),
        description="",
        language="",
        language_name="",
        category_label="",
        organisation_name=None,
        organisation_url=None,
        place="",
        amount="",
        status="",
        status_label="",
        created="",
        editable=False,
        approvable=False,
        facts=[],
    )


@dataclass
class HistoryStep:
    when: str
    who: str
    change: str
    reason: str
    note: str


def history(session: Session, events: Sequence[MatchEvent], t: Translator) -> list[HistoryStep]:
    """Each step: when, who (or the product itself), from which status to which, why."""
    user_ids = {e.user_id for e in events if e.user_id is not None}
    users = (
        {
            u.id: u.name or u.email
            for u in session.exec(select(User).where(col(User.id).in_(user_ids)))
        }
        if user_ids
        else {}
    )
    steps = []
    for e in events:
        to = t.label("matchstatus", e.to_status)
        if e.from_status is None or e.from_status == e.to_status:
            change = to
        else:
            change = t("history.change", before=t.label("matchstatus", e.from_status), after=to)
        steps.append(
            HistoryStep(
                when=t.time(e.at),
                who=users.get(e.user_id, "") if e.user_id else t("history.system"),
                change=change,
                reason=reason_label(t, e.reason),
                note=t(SYSTEM_NOTES[e.note]) if e.note in SYSTEM_NOTES else e.note,
            )
        )
    return steps


@dataclass
class Column:
    status: str
    label: str
    cards: list[MatchView]


@dataclass
class Closed:
    label: str
    count: int


def columns(
    cards: Sequence[MatchView], statuses: Sequence[MatchStatus], t: Translator
) -> list[Column]:
    """One column per status, its cards in the order given."""
    return [
        Column(str(s), t.label("matchstatus", s), [c for c in cards if c.status == s])
        for s in statuses
    ]


def theme_choice(session: Session, theme: str) -> tuple[str, int | None]:
    """A theme filter as asked: its slug and id, or none when unknown (dropped, not refused)."""
    found = session.exec(select(Theme).where(Theme.slug == theme)).first() if theme else None
    return (found.slug, found.id) if found else ("", None)


def theme_field(session: Session, t: Translator, chosen: str) -> Field:
    options = [Option("", t("browse.all_themes"), not chosen)] + [
        Option(slug, name, slug == chosen) for slug, name in views.theme_names(session, t).items()
    ]
    return Field("theme", t("field.theme"), "select", options=options)


@dataclass
class Asked:
    """A member's request for an introduction, as the queue shows it."""

    who: str  # "Requested by a member of …"
    note: str  # the member's note, as typed
    when: str


def requests(session: Session, matches: Sequence[Match], t: Translator) -> dict[int, list[Asked]]:
    """The members' requests on these matches, worded for the facilitators' queue."""
    found = pipeline.requesters(session, [m.id for m in matches if m.id is not None])
    org_ids = {org_id for by_org in found.values() for org_id in by_org}
    names = (
        {
            o.id: o.name
            for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        }
        if org_ids
        else {}
    )
    return {
        match_id: [
            Asked(
                t("queue.requested_by", organisation=names.get(r.organisation_id, "")),
                r.note,
                t.time(r.at),
            )
            for r in by_org.values()
        ]
        for match_id, by_org in found.items()
    }


@dataclass
class QueueItem:
    match: MatchView
    reasons: list[Option]
    note: str = ""
    error: str = ""
    asked: list[Asked] = field(default_factory=list)  # members' requests: first in the queue


@dataclass
class Queue:
    items: list[QueueItem]
    waiting: str  # how many wait, with these filters (a decision's answer updates it)
    shown: str  # which of them this page shows, when there are several pages
    empty: str
    back: str  # this queue's URL, where a decision made without JavaScript returns
    pages: paging.Pages
    pending: list[views.ListingView] = field(default_factory=list)


def queue_items(
    session: Session,
    matches: Sequence[Match],
    t: Translator,
    viewer: Principal,
    *,
    reason: str = "",
    note: str = "",
    error: str = "",
) -> list[QueueItem]:
    """The queue's cards of these matches, in as many queries for one card as for a page of
    them; `reason`, `note` and `error` are a failed decision's, for a card shown alone."""
    asked = requests(session, matches, t)
    return [
        queue_item(m, t, reason, note, error, asked=asked.get(m.id, []))
        for m in match_views(session, matches, t, viewer)
    ]


def queue_item(
    m: MatchView,
    t: Translator,
    reason: str = "",
    note: str = "",
    error: str = "",
    *,
    asked: Sequence[Asked] = (),
) -> QueueItem:
    """A suggestion in the queue with its reject reasons (`reason` chosen), `note`, `error`,
    and the members' requests for it."""
    options = [Option("", t("form.choose"), not reason)] + [
        Option(r, reason_label(t, r), r == reason) for r in pipeline.REJECT_REASONS
    ]
    return QueueItem(m, options, note, error, list(asked))


def reason_field(t: Translator, reasons: Sequence[str], chosen: str = "", error: str = "") -> Field:
    options = [Option("", t("form.choose"), not chosen)] + [
        Option(r, reason_label(t, r), r == chosen) for r in reasons
    ]
    return Field("reason", t("match.reason"), "select", options=options, error=error)
