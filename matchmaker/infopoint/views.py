"""What the pages (and later the e-mails) show of info-point items, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from matchmaker.infopoint import service
from matchmaker.listings import views as listing_views
from matchmaker.tables import InfoItem
from matchmaker.vocab import InfoKind, Language
from matchmaker.web.fields import Field, Option, options
from matchmaker.web.i18n import N_, Translator

HOME_ITEMS = 5  # on the home page
THEME_ITEMS = 5  # above a theme's listings

KIND_LABELS = {
    InfoKind.research: N_("info.kind.research"),
    InfoKind.funding: N_("info.kind.funding"),
    InfoKind.event: N_("info.kind.event"),
    InfoKind.pilot: N_("info.kind.pilot"),
}
LABELS = {
    "kind": N_("info.field.kind"),
    "title": N_("info.field.title"),
    "summary": N_("info.field.summary"),
    "url": N_("info.field.url"),
    "language": N_("info.field.language"),
    "themes": N_("info.field.themes"),
    "deadline": N_("info.field.deadline"),
    "event_date": N_("info.field.event_date"),
    "place": N_("info.field.place"),
}
HINTS = {
    "themes": N_("info.hint.themes"),
    "deadline": N_("info.hint.deadline"),
    "event_date": N_("info.hint.event_date"),
    "url": N_("info.hint.url"),
}
# a field the schema refused -> what the form says beside it
ERRORS = {
    "kind": N_("info.error.kind"),
    "title": N_("info.error.title"),
    "summary": N_("info.error.summary"),
    "url": N_("info.error.url"),
    "language": N_("info.error.language"),
    "themes": N_("info.error.theme"),
    "deadline": N_("info.error.date"),
    "event_date": N_("info.error.date"),
    "place": N_("info.error.place"),
}
FIELDS = tuple(LABELS)


@dataclass
class InfoView:
    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    url: str | None
    language: str
    language_name: str
    other_language: bool  # not in the reader's language: said so beside it
    themes: list[str]  # names in the reader's language; empty: every theme
    when: str  # "Deadline 12 Mar 2027", "12 Feb 2027, Helsinki" or ""
    published: str  # "Published 2 Dec 2026" or ""
    page_url: str
    edit_url: str
    current: bool
    shown: bool  # published
    status: str  # for the facilitators: "Unpublished", "Past", or ""


def _when(t: Translator, item: InfoItem) -> str:
    parts = []
    if item.event_date is not None:
        parts.append(t("info.when.event", date=t.date(item.event_date)))
        if item.place:
            parts[-1] += f", {item.place}"
    if item.deadline is not None:
        parts.append(t("info.when.deadline", date=t.date(item.deadline)))
    return " · ".join(parts)


def item_views(
    session: Session,
    items: Sequence[InfoItem],
    t: Translator,
    *,
    on: date | None = None,
    base: str = "",
) -> list[InfoView]:
    """The items worded for `t`'s reader on day `on` (today); `base` (e.g. the settings'
    base_url) makes the item's addresses absolute, as an e-mail needs them."""
    base = base.rstrip("/")
    names = listing_views.theme_names(session, t)
    day = on or service.today()
    views = []
    for item in items:
        current = service.is_current(item, day)
        status = "" if item.published else t("info.status.unpublished")
        if not current:
            status = ", ".join(s for s in (status, t("info.status.past")) if s)
        views.append(
            InfoView(
                id=item.id or 0,
                kind=item.kind.value,
                kind_label=t(KIND_LABELS[item.kind]),
                title=item.title,
                summary=item.summary,
                url=item.url,
                language=item.language.value,
                language_name=t.label("language", item.language),
                other_language=item.language != t.lang,
                themes=[names.get(slug, slug) for slug in item.themes],
                when=_when(t, item),
                published=(
                    t("info.when.published", date=t.date(service.today(item.published_at)))
                    if item.published_at
                    else ""
                ),
                page_url=f"{base}/info/{item.id}",
                edit_url=f"{base}/info/{item.id}/edit",
                current=current,
                shown=item.published,
                status=status,
            )
        )
    return views


def as_text(view: InfoView) -> str:
    """One item as a plain-text e-mail says it: kind, title, when, summary, link."""
    head = f"- {view.kind_label}: {view.title}"
    if view.when:
        head += f" ({view.when})"
    if view.other_language:
        head += f" [{view.language_name}]"
    lines = [head]
    if view.summary:
        lines.append(f"  {view.summary}")
    lines.append(f"  {view.url or view.page_url}")
    return "\n".join(lines)


def reading(
    session: Session,
    t: Translator,
    *,
    themes: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[InfoView]:
    """The current published items for a reader: their language first, newest first in each."""
    items = service.language_first(
        service.published_since(session, since=None, themes=themes), t.lang
    )
    return item_views(session, items[:limit] if limit else items, t)


@dataclass
class Panel:
    """The info point's box on the home page and on a theme's page."""

    heading: str
    items: list[InfoView]
    more_url: str
    feed_url: str


def panel(session: Session, t: Translator, theme: str | None = None) -> Panel:
    """The newest current items (a theme's, and those for every theme), the reader's first."""
    query = f"?theme={theme}" if theme else ""
    limit = THEME_ITEMS if theme else HOME_ITEMS
    return Panel(
        heading=t("info.title"),
        items=reading(session, t, themes=[theme] if theme else None, limit=limit),
        more_url=f"/info{query}",
        feed_url=f"/info/feed.atom{query}",
    )


def form_fields(
    session: Session, t: Translator, values: dict[str, str | list[str]], errors: dict[str, str]
) -> list[Field]:
    """The item form's fields, filled with `values` (as posted), with their messages."""

    def text(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ""

    chosen = values.get("themes", [])
    themes = chosen if isinstance(chosen, list) else [chosen]
    kinds = [(k.value, t(KIND_LABELS[k])) for k in InfoKind]
    languages = [(lang.value, t.label("language", lang)) for lang in Language]
    names = listing_views.theme_names(session, t)

    def field(name: str, widget: str, **kw: object) -> Field:
        return Field(
            name,
            t(LABELS[name]),
            widget,
            value=text(name),
            error=errors.get(name, ""),
            hint=t(HINTS[name]) if name in HINTS else "",
            **kw,  # type: ignore[arg-type]
        )

    return [
        field(
            "kind", "select", required=True, options=options(kinds, text("kind"), t("form.choose"))
        ),
        field("title", "text", required=True, attrs={"maxlength": "200"}),
        field("summary", "textarea", attrs={"maxlength": "2000", "rows": "5"}),
        field("url", "url", attrs={"maxlength": "500", "placeholder": "https://"}),
        field(
            "language",
            "select",
            required=True,
            options=options(languages, text("language") or t.lang),
        ),
        field(
            "themes",
            "checkboxes",
            options=[Option(slug, name, slug in themes) for slug, name in names.items()],
        ),
        field("deadline", "date"),
        field("event_date", "date"),
        field("place", "text", attrs={"maxlength": "200"}),
    ]


def form_values(item: InfoItem) -> dict[str, str | list[str]]:
    """An item as its edit form starts."""
    return {
        "kind": item.kind.value,
        "title": item.title,
        "summary": item.summary,
        "url": item.url or "",
        "language": item.language.value,
        "themes": list(item.themes),
        "deadline": item.deadline.isoformat() if item.deadline else "",
        "event_date": item.event_date.isoformat() if item.event_date else "",
        "place": item.place or "",
    }
