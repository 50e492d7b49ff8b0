"""What the templates show of listings and organisations, worded in the UI language."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from matchmaker.accounts.auth import Principal
from matchmaker.engine import ewc, explanations, geo, matching, ranker
from matchmaker.engine.matching import Suggestion
from matchmaker.listings import public, visibility
from matchmaker.listings.schemas import ListingPublic
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.vocab import ListingKind, Role, Status
from matchmaker.web.i18n import N_, Translator


@dataclass
class CodeView:
    """A waste code as the pages show it: as the list writes it, described, its hazard said."""

    code: str  # 17 01 01
    value: str  # 170101, what the form's field takes
    description: str
    lang: str  # the description's: English in the Finnish UI, as there is no Finnish list
    lang_note: str  # "in English" where that is not the UI's language
    hazardous: bool
    choose: str  # the label of the button that puts it in the form's field


@dataclass
class Fact:
    label: str
    value: str
    codes: list[CodeView] = field(default_factory=list)  # shown instead of the value


@dataclass
class ListingView:
    id: int
    url: str
    edit_url: str
    title: str
    description: str
    language: str  # the language the listing was written in, not the UI's
    language_name: str
    kind: str
    kind_label: str
    category_label: str
    theme_slug: str
    theme_name: str
    organisation_name: str | None  # None for an anonymous listing
    organisation_url: str | None
    place: str
    amount: str
    status: str
    status_label: str
    expired: bool  # active but past its available_until: out of matching
    created: str
    editable: bool = False  # whether the viewer may edit it
    approvable: bool = False  # pending, and the viewer is a facilitator who may approve it
    facts: list[Fact] = field(default_factory=list)


@dataclass
class SuggestionView:
    listing: ListingView
    score: int
    score_label: str
    band: str  # strong, possible or weak: a CSS class beside its words, never alone
    band_label: str
    reasons: list[explanations.Reason]
    other_theme: bool
    ask_url: str = ""  # "ask for an introduction", for a member of the source's organisation


def theme_names(session: Session, t: Translator) -> dict[str, str]:
    """Theme slug -> name in the UI language, in the order themes were added."""
    themes = session.exec(select(Theme).order_by(col(Theme.id)))
    return {th.slug: theme_name(th, t.lang) for th in themes}


def theme_name(theme: Theme, lang: str) -> str:
    return str(getattr(theme, f"name_{lang}", None) or theme.name_en)


def place_name(name: str | None, lang: str) -> str:
    """A municipality in the UI language where it has a Swedish name (Porvoo / Borgå)."""
    place = geo.find(name)
    if place is None:
        return name or ""
    return place.name_sv if lang == "sv" else place.name_fi


def amount(t: Translator, quantity: float | None, unit: str | None, frequency: str | None) -> str:
    if quantity is None:
        return ""
    text = f"{t.number(quantity, 2)} {t.label('unit', unit)}".strip()
    return (
        t("amount.every", amount=text, frequency=t.label("frequency", frequency))
        if frequency
        else text
    )


def availability(t: Translator, pub: ListingPublic) -> str:
    start, end = t.date(pub.available_from), t.date(pub.available_until)
    if start and end:
        return t("dates.between", start=start, end=end)
    if start:
        return t("dates.from", start=start)
    if end:
        return t("dates.until", end=end)
    return ""


def listing_views(
    session: Session, listings: list[Listing], t: Translator, viewer: Principal
) -> list[ListingView]:
    """Views of the listings; an anonymous one names its organisation only to those who may
    know it (visibility.owner_named decides, through public.present)."""
    names = theme_names(session, t)
    views = [_view(pub, names, t) for pub in public.present(session, listings, viewer)]
    for view, listing in zip(views, listings, strict=True):
        view.editable = viewer.can_edit(listing)
        view.approvable = viewer.curates and listing.status == Status.pending
    return views


def listing_view(
    session: Session, listing: Listing, t: Translator, viewer: Principal
) -> ListingView:
    return listing_views(session, [listing], t, viewer)[0]


def _view(pub: ListingPublic, names: dict[str, str], t: Translator) -> ListingView:
    end = pub.available_until
    gone = pub.status == Status.active and end is not None and end < matching.today()
    view = ListingView(
        id=pub.id,
        url=f"/listings/{pub.id}",
        edit_url=f"/listings/{pub.id}/edit",
        title=pub.title,
        description=pub.description,
        language=pub.language.value,
        language_name=t.label("language", pub.language),
        kind=pub.kind.value,
        kind_label=t.label("kind", pub.kind),
        category_label=t.label("category", pub.category),
        theme_slug=pub.theme,
        theme_name=names.get(pub.theme, pub.theme),
        organisation_name=pub.organisation_name,
        organisation_url=(
            f"/organisations/{pub.organisation_id}" if pub.organisation_id is not None else None
        ),
        place=place_name(pub.municipality, t.lang),
        amount=amount(t, pub.quantity, pub.unit, pub.frequency),
        status=pub.status.value,
        status_label=t("listing.expired") if gone else t.label("status", pub.status),
        expired=gone,
        created=t.date(pub.created_at.date()),
    )
    rows = [
        Fact(t("field.kind"), view.kind_label),
        Fact(t("field.theme"), view.theme_name),
        Fact(t("field.category"), view.category_label),
        Fact(t("field.quantity"), view.amount),
        Fact(t("field.municipality"), view.place),
        Fact(t("field.available"), availability(t, pub)),
        Fact(t("field.ewc_code"), "", code_views([pub.ewc_code] if pub.ewc_code else [], t)),
        Fact(t("field.accepted_codes"), "", code_views(pub.accepted_codes, t)),
        Fact(t("field.language"), view.language_name),
        Fact(t("field.status"), view.status_label),
        Fact(t("field.visibility"), t.label("visibility", pub.visibility)),
        Fact(t("field.created"), view.created),
    ]
    view.facts = [f for f in rows if f.value or f.codes]
    return view


BANDS = {
    "strong": N_("suggest.band.strong"),
    "possible": N_("suggest.band.possible"),
    "weak": N_("suggest.band.weak"),
}


def code_views(codes: list[str], t: Translator) -> list[CodeView]:
    """Codes of the list with their descriptions in the UI language, or English where the
    list has none in it (Finnish), saying so."""
    lang = ewc.DESCRIBED_IN[t.lang]
    note = "" if lang == t.lang else t("ewc.in_english")
    return [
        CodeView(
            code=ewc.spaced(code),
            value=code,
            description=ewc.describe(code, t.lang),
            lang=lang,
            lang_note=note,
            hazardous=ewc.hazardous(code),
            choose=t("ewc.choose", code=ewc.spaced(code)),
        )
        for code in codes
        if code in ewc.catalogue().entries
    ]


@dataclass
class CodeSuggestions:
    items: list[CodeView]
    note: str  # what the user does next: write more, wait, or choose
    choosable: bool  # buttons that fill the form's field (htmx), or plain text (the lookup page)


def suggestion_views(
    session: Session, source: Listing, found: list[Suggestion], t: Translator, viewer: Principal
) -> list[SuggestionView]:
    views = listing_views(session, [s.listing for s in found], t, viewer)
    out = []
    for s, view in zip(found, views, strict=True):
        score = round(s.fit.score)
        band = ranker.band(s.fit.score)
        out.append(
            SuggestionView(
                listing=view,
                score=score,
                score_label=t("suggest.score", score=score),
                band=band,
                band_label=t(BANDS[band]),
                reasons=explanations.reasons(s.fit.parts, t),
                other_theme=s.listing.theme_id != source.theme_id,
                ask_url=(
                    f"/listings/{view.id}/interest?mine={source.id}"
                    if viewer.role == Role.member and viewer.owns(source)
                    else ""
                ),
            )
        )
    return out


@dataclass
class OrganisationView:
    id: int
    name: str
    kind_label: str
    place: str
    description: str
    language: str
    contact_name: str
    contact_email: str
    website: str


def organisation_view(org: Organisation, t: Translator) -> OrganisationView:
    assert org.id is not None
    return OrganisationView(
        id=org.id,
        name=org.name,
        kind_label=t.label("orgkind", org.kind),
        place=place_name(org.municipality, t.lang),
        description=org.description or "",
        language=str(org.language),
        contact_name=org.contact_name or "",
        contact_email=org.contact_email or "",
        website=org.website or "",
    )


def listings_of(session: Session, org: Organisation, viewer: Principal) -> list[Listing]:
    """An organisation page's listings: those this viewer may see *and* tie to the organisation.

    An anonymous listing stays off the page for others, since being there would name its owner.
    """
    rows = session.exec(
        select(Listing)
        .where(Listing.organisation_id == org.id)
        .order_by(col(Listing.status), col(Listing.created_at).desc())
    )
    return [lst for lst in rows if visibility.on_organisation_page(viewer, lst)]


@dataclass
class Panel:
    url: str  # the suggestions' own URL, which the listing page loads with htmx
    all_themes: bool
    weaker: bool  # below the "possible" floor too
    intro: str
    items: list[SuggestionView] | None  # None: not computed yet, the page loads them
    empty: str


def panel(
    listing: Listing,
    t: Translator,
    items: list[SuggestionView] | None,
    *,
    all_themes: bool,
    weaker: bool = False,
) -> Panel:
    """A listing's suggestions panel: `items` as found, or None for the page to load them."""
    query = "&".join(
        name for name, on in (("all_themes=1", all_themes), ("weaker=1", weaker)) if on
    )
    url = f"/listings/{listing.id}/matches" + (f"?{query}" if query else "")
    other = t.label("kind", ListingKind(listing.kind).opposite)
    if weaker:
        empty = t("suggest.none_all", kind=other) if all_themes else t("suggest.none", kind=other)
    else:
        empty = t("suggest.no_good_match", kind=other)
    intro = t(
        "suggest.intro", strong=t.number(ranker.STRONG, 0), possible=t.number(ranker.POSSIBLE, 0)
    )
    return Panel(
        url=url, all_themes=all_themes, weaker=weaker, items=items, empty=empty, intro=intro
    )
