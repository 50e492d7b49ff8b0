"""Introduction messages to both parties of a match, each in its own language; reveal on accept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from matchmaker.accounts import links, mail
from matchmaker.accounts.auth import VISITOR, Principal
from matchmaker.errors import InputError
from matchmaker.listings import visibility
from matchmaker.settings import Settings
from matchmaker.tables import (
    Introduction,
    Listing,
    Match,
    Organisation,
    OutboxMessage,
    User,
    saved_id,
)
from matchmaker.vocab import Language, MatchStatus, Role
from matchmaker.web.i18n import Translator
from matchmaker.workspace import pipeline, reasons

SUBJECT = {
    Language.fi: "Esittely: {other_title}",
    Language.sv: "Presentation: {other_title}",
    Language.en: "Introduction: {other_title}",
}
BODY = {
    Language.fi: (
        "Hei {own_org},\n\nIlmoituksenne ”{own_title}” näyttää sopivan yhteen tämän "
        "kanssa: ”{other_title}” ({other_org}).\n\nMiksi ehdotamme: {why}\n\n"
        "{next_step}\n\nTerveisin\n{facilitator}\nKiertotalouslaakso Uusimaa"
    ),
    Language.sv: (
        "Hej {own_org},\n\ner annons ”{own_title}” verkar passa ihop med denna: "
        "”{other_title}” ({other_org}).\n\nVarför vi föreslår det: {why}\n\n"
        "{next_step}\n\nHälsningar\n{facilitator}\nCirkulärekonomidalen Nyland"
    ),
    Language.en: (
        "Hello {own_org},\n\nyour listing “{own_title}” looks like a fit for this one: "
        "“{other_title}” ({other_org}).\n\nWhy we suggest it: {why}\n\n"
        "{next_step}\n\nBest regards\n{facilitator}\nUusimaa Circular Economy Valley"
    ),
}
HIDDEN = {
    Language.fi: "organisaatio, joka on toistaiseksi halunnut pysyä nimettömänä",
    Language.sv: "en organisation som tills vidare vill vara anonym",
    Language.en: "an organisation that has chosen to stay anonymous for now",
}
CONTACT = {
    Language.fi: "Yhteyshenkilö: {contact} ({email}). Olkaa suoraan yhteydessä toisiinne.",
    Language.sv: "Kontaktperson: {contact} ({email}). Kontakta varandra direkt.",
    Language.en: "Contact: {contact} ({email}). Please get in touch with each other directly.",
}
WAIT = {
    Language.fi: "Kerromme yhteystiedot heti, kun toinen osapuoli hyväksyy esittelyn.",
    Language.sv: "Vi skickar kontaktuppgifterna så snart den andra parten godkänner "
    "presentationen.",
    Language.en: "We will send their contact details as soon as they accept the introduction.",
}
ACCEPT = {
    Language.fi: "Ilmoituksenne on nimetön: toinen osapuoli saa nimenne vasta, kun hyväksytte "
    "esittelyn. Hyväksykää tai kieltäytykää tästä linkistä (tunnuksia ei tarvita): {url}",
    Language.sv: "Er annons är anonym: den andra parten får ert namn först när ni godkänner "
    "presentationen. Godkänn eller tacka nej via länken (inget konto behövs): {url}",
    Language.en: "Your listing is anonymous: the other party learns who you are only once you "
    "accept the introduction. Accept or decline it here, no account needed: {url}",
}
LINK = "answer"  # the purpose of the signed link an anonymous side answers by
# The history notes of sending: "sent" only when the SMTP server took every letter.
SENT, WAITING = "introduction sent", "introduction waiting in the outbox"
SIDES = ("offer", "need")
_ANSWER_LINK = re.compile(r"\S*/introductions/answer\?token=[A-Za-z0-9_.\-]+")


@dataclass
class Draft:
    side: str
    to: str
    language: Language
    subject: str
    body: str
    link: str = ""  # the signed answer link in the body, for the addressee only


def answer_url(settings: Settings, match: Match, side: str) -> str:
    """The signed link by which an anonymous side accepts or declines, without an account."""
    token = links.make(settings, LINK, m=saved_id(match), s=side)
    return f"{settings.base_url}/introductions/answer?token={token}"


def _party(session: Session, match: Match, side: str) -> tuple[Listing, Organisation]:
    listing = session.get(Listing, match.offer_id if side == "offer" else match.need_id)
    assert listing is not None
    org = session.get(Organisation, listing.organisation_id)
    assert org is not None
    return listing, org


def _address(session: Session, org: Organisation) -> tuple[str, str]:
    if org.contact_email:
        return org.contact_email, org.contact_name or org.name
    member = session.exec(
        select(User).where(User.organisation_id == org.id, User.role == Role.member)
    ).first()
    if member is None:
        raise InputError("organisation", f"{org.name} has no contact e-mail and no members")
    return member.email, member.name or member.email


def drafts(session: Session, settings: Settings, match: Match, by: User) -> list[Draft]:
    """One message per party, in the party's language; an unrevealed side stays unnamed.

    The reasons are the match page's sentences in the party's language, never the scorer's
    English explanation.
    """
    offer, _ = _party(session, match, "offer")
    need, _ = _party(session, match, "need")
    for side, listing in (("offer", offer), ("need", need)):
        if not visibility.may_see(VISITOR, listing):  # its content is no longer for the other
            raise InputError("listing", f"the {side} listing is {listing.status}: not available")
    accepted = visibility.acceptances(session, [saved_id(match)])
    out = []
    for side in SIDES:
        other = "need" if side == "offer" else "offer"
        own_listing, own_org = _party(session, match, side)
        other_listing, other_org = _party(session, match, other)
        lang = Language(own_org.language)
        to, _ = _address(session, own_org)
        if visibility.named_to_other_party(match, other, other_listing, accepted):
            email, contact = _address(session, other_org)
            other_name = other_org.name
            next_step = CONTACT[lang].format(contact=contact, email=email)
        else:
            other_name, next_step = HIDDEN[lang], WAIT[lang]
        link = ""
        if visibility.awaits_owner(match, side, own_listing, accepted):
            link = answer_url(settings, match, side)
            next_step += "\n\n" + ACCEPT[lang].format(url=link)
        body = BODY[lang].format(
            own_org=own_org.name,
            own_title=own_listing.title,
            other_title=other_listing.title,
            other_org=other_name,
            why=reasons.in_words(match, offer, need, Translator(lang)),
            next_step=next_step,
            facilitator=by.name or by.email,
        )
        out.append(
            Draft(side, to, lang, SUBJECT[lang].format(other_title=other_listing.title), body, link)
        )
    return out


def send(
    session: Session,
    settings: Settings,
    match: Match,
    by: User,
    edited: dict[str, tuple[str, str]] | None = None,
) -> list[Introduction]:
    """Send both messages (edited subject and body where given) and mark the match introduced."""
    if match.status != MatchStatus.shortlisted:
        raise InputError(
            "status", f"only a shortlisted match is introduced; this one is {match.status}"
        )
    sent = []
    for draft in drafts(session, settings, match, by):
        subject, body = (edited or {}).get(draft.side, (draft.subject, draft.body))
        # the answer link as the page showed it (signed then, so not byte-equal to draft.link)
        found = _ANSWER_LINK.search(body) if draft.link else None
        secret = found.group(0) if found else None
        message = mail.send(
            session, settings, to=draft.to, subject=subject, body=body, secret=secret
        )
        intro = Introduction(
            match_id=saved_id(match),
            side=draft.side,
            outbox_id=saved_id(message),
            language=draft.language,
        )
        session.add(intro)
        sent.append(intro)
    session.flush()
    note = SENT if delivered(session, sent) else WAITING
    pipeline.move(session, match, MatchStatus.introduced, by=by, note=note)
    return sent


def listings_of(
    session: Session, match: Match, side: str
) -> tuple[tuple[Listing, Organisation], tuple[Listing, Organisation]]:
    """This side's listing and organisation, then the other side's."""
    other = "need" if side == "offer" else "offer"
    return _party(session, match, side), _party(session, match, other)


def delivered(session: Session, sent: list[Introduction]) -> bool:
    """Whether the SMTP server accepted every one of these messages (none wait in the outbox)."""
    messages = [session.get(OutboxMessage, intro.outbox_id) for intro in sent]
    return bool(messages) and all(m is not None and m.sent_at is not None for m in messages)


def by_link(session: Session, settings: Settings, token: str) -> tuple[Match, str] | None:
    """The match and side a signed answer link is for, while that side may still answer."""
    payload = links.read(settings, LINK, token)
    if payload is None or payload.get("s") not in SIDES or not isinstance(payload.get("m"), int):
        return None
    match = session.get(Match, payload["m"])
    if match is None or not awaits_acceptance(match):
        return None
    side = str(payload["s"])
    accepted = visibility.acceptances(session, [saved_id(match)])
    if not visibility.awaits_owner(match, side, _party(session, match, side)[0], accepted):
        return None
    return match, side


def decline(session: Session, match: Match, side: str) -> Match:
    """The anonymous side declines by its link: the match is dropped, and stays unnamed."""
    return pipeline.move(
        session, match, MatchStatus.dropped, by=None, note=pipeline.DECLINED[side], reason="other"
    )


def owned_sides(session: Session, match: Match, principal: Principal) -> list[str]:
    """The sides of the match whose listing this viewer's organisation owns."""
    return [side for side in SIDES if principal.owns(_party(session, match, side)[0])]


def awaits_acceptance(match: Match) -> bool:
    """Whether the introduction has gone out and the match is still open."""
    return match.status in pipeline.OPEN and match.status != MatchStatus.shortlisted


def accepting_side(session: Session, match: Match, principal: Principal) -> str | None:
    """The anonymous side this viewer's organisation owns and may now reveal, if any."""
    if not awaits_acceptance(match):
        return None
    accepted = visibility.acceptances(session, [saved_id(match)])
    for side in owned_sides(session, match, principal):
        if visibility.awaits_owner(match, side, _party(session, match, side)[0], accepted):
            return side
    return None


def accept_as(session: Session, settings: Settings, match: Match, principal: Principal) -> Match:
    """The owner of a side accepts the introduction; InputError when there is none to accept."""
    sides = owned_sides(session, match, principal)
    if not sides or principal.user is None:
        raise InputError("side", "only the anonymous listing's organisation accepts")
    if not awaits_acceptance(match):
        raise InputError("status", "there is no introduction to accept yet")
    return accept(
        session,
        settings,
        match,
        accepting_side(session, match, principal) or sides[0],
        principal.user,
    )


def accept(session: Session, settings: Settings, match: Match, side: str, by: User | None) -> Match:
    """The anonymous owner accepts: the other party now learns who they are."""
    own_listing, _ = _party(session, match, side)
    accepted = visibility.acceptances(session, [saved_id(match)])
    if not visibility.awaits_owner(match, side, own_listing, accepted):
        raise InputError("side", "this side is not anonymous, or has accepted already")
    setattr(match, f"{side}_revealed", True)
    session.add(match)
    session.commit()
    other = "need" if side == "offer" else "offer"
    _, other_org = _party(session, match, other)
    own_listing, own_org = _party(session, match, side)
    lang = Language(other_org.language)
    to, _ = _address(session, other_org)
    email, contact = _address(session, own_org)
    mail.send(
        session,
        settings,
        to=to,
        subject=SUBJECT[lang].format(other_title=own_listing.title),
        body=f"{own_org.name}: " + CONTACT[lang].format(contact=contact, email=email),
    )
    pipeline.note(session, match, by=by, note=visibility.ACCEPTED[side])
    return match
