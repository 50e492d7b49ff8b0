"""HTML pages of the info point: the list, one item, the Atom feed, and the facilitators' forms."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.deps import SessionDep
from matchmaker.errors import NotFound
from matchmaker.infopoint import feed, service, views
from matchmaker.infopoint.schemas import InfoCreate, InfoUpdate
from matchmaker.listings import views as listing_views
from matchmaker.tables import InfoItem, utcnow
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

DONE = {
    "published": N_("info.done.published"),
    "saved": N_("info.done.saved"),
    "unpublished": N_("info.done.unpublished"),
}
OPTIONAL = ("summary", "url", "deadline", "event_date", "place")  # empty: not given


async def posted(request: Request) -> dict[str, str | list[str]]:
    form = await request.form()
    values: dict[str, str | list[str]] = {
        name: str(form.get(name) or "").strip() for name in views.FIELDS if name != "themes"
    }
    values["themes"] = [str(v) for v in form.getlist("themes") if str(v).strip()]
    return values


FormDep = Annotated[dict[str, str | list[str]], Depends(posted)]


def _item(session: Session, item_id: int, ui: Page) -> InfoItem | None:
    """The item, if this viewer may read it: an unpublished one only facilitators see."""
    try:
        item = service.get(session, item_id)
    except NotFound:
        return None
    return item if item.published or ui.principal.curates else None


def _known_theme(session: Session, theme: str) -> str:
    """A theme slug as asked for, or "" when there is no such theme."""
    return theme if theme and theme in service.theme_slugs(session) else ""


@router.get("/info")
def info_point(ui: PageDep, session: SessionDep, theme: str = "", done: str = "") -> Response:
    chosen = _known_theme(session, theme)
    curating = ui.principal.curates
    feed_url = "/info/feed.atom" + (f"?theme={chosen}" if chosen else "")
    return ui.render(
        "infopoint/index.html",
        "infopoint/_index.html",
        section="info",
        title=ui.t("info.title"),
        items=views.reading(session, ui.t, themes=[chosen] if chosen else None),
        theme_name=listing_views.theme_names(session, ui.t).get(chosen, ""),
        feed_url=feed_url,
        notice=ui.t(DONE[done]) if done in DONE else "",
        curating=curating,
        every=views.item_views(session, service.every_item(session), ui.t) if curating else [],
    )


@router.get("/info/feed.atom")
def atom_feed(request: Request, ui: PageDep, session: SessionDep, theme: str = "") -> Response:
    """Every current published item (of `theme`, with those for every theme), newest first."""
    if theme and not _known_theme(session, theme):
        return ui.not_found()
    settings = request.app.state.settings
    base = settings.base_url.rstrip("/")
    themes = [theme] if theme else None
    items = service.published_since(session, since=None, themes=themes)
    names = listing_views.theme_names(session, ui.t)
    query = f"?theme={theme}" if theme else ""
    entries = [
        feed.Entry(
            id=f"{base}/info/{item.id}",
            title=item.title,
            summary=item.summary,
            language=item.language.value,
            published=item.published_at or item.created_at,
            updated=item.updated_at,
            page=f"{base}/info/{item.id}",
            link=item.url,
            categories=[(slug, names.get(slug, slug)) for slug in item.themes],
        )
        for item in items
    ]
    title = ui.t("info.feed.title", operator=settings.operator)
    if theme:
        title += f" – {names[theme]}"
    xml = feed.atom(
        feed_id=f"{base}/info/feed.atom{query}",
        title=title,
        subtitle=ui.t("info.feed.subtitle"),
        author=settings.operator,
        self_url=f"{base}/info/feed.atom{query}",
        site_url=f"{base}/info{query}",
        language=ui.lang,
        entries=entries,
        updated=max((e.updated for e in entries), default=utcnow()),
    )
    return Response(xml, media_type=feed.CONTENT_TYPE, headers={"Vary": "Accept-Language, Cookie"})


@router.get("/info/{item_id:int}")
def item_page(item_id: int, ui: PageDep, session: SessionDep, done: str = "") -> Response:
    item = _item(session, item_id, ui)
    if item is None:
        return ui.not_found()
    view = views.item_views(session, [item], ui.t)[0]
    return ui.render(
        "infopoint/item.html",
        "infopoint/_page.html",
        section="info",
        title=item.title,
        item=view,
        notice=ui.t(DONE[done]) if done in DONE else "",
        curating=ui.principal.curates,
    )


def _form_page(
    ui: Page,
    session: Session,
    values: dict[str, str | list[str]],
    errors: dict[str, str],
    *,
    item: InfoItem | None,
    status: int = 200,
) -> Response:
    action = f"/info/{item.id}/edit" if item else "/info"
    return ui.render(
        "infopoint/form.html",
        "infopoint/_form.html",
        status=status,
        section="info",
        here=f"/info/{item.id}/edit" if item else "/info/new",
        title=ui.t("info.edit_title" if item else "info.new_title"),
        heading=ui.t("info.edit_title" if item else "info.new_title"),
        action=action,
        fields=views.form_fields(session, ui.t, values, errors),
        has_errors=bool(errors),
        submit=ui.t("form.save" if item else "form.publish"),
        cancel=f"/info/{item.id}" if item else "/info",
    )


def _schema_errors(ui: Page, exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "title"
        key = views.ERRORS.get(name, "info.error.title")
        errors.setdefault(name, ui.t(key))
    return errors


def _data(values: dict[str, str | list[str]]) -> dict[str, Any]:
    """The form's strings as the schema takes them: an empty optional field is not given."""
    data: dict[str, Any] = {k: v for k, v in values.items() if k not in OPTIONAL or v}
    data.setdefault("summary", "")
    for name in ("kind", "language"):
        if not data.get(name):
            data[name] = None  # the schema says it is required
    return data


@router.get("/info/new")
def new_item(ui: PageDep, session: SessionDep) -> Response:
    ui.require_curator()
    return _form_page(ui, session, {"language": ui.lang}, {}, item=None)


def _checked(
    ui: Page, session: Session, form: dict[str, str | list[str]], before: InfoItem | None
) -> tuple[InfoCreate | None, dict[str, str]]:
    """The posted item, checked by the schema and by the service's rules at once, so that a
    bad link and a past deadline are both said the first time; (None, messages) if refused."""
    raw = _data(form)
    try:
        data: InfoCreate | None = InfoCreate.model_validate(raw)
    except ValidationError as exc:
        data, errors = None, _schema_errors(ui, exc)
    else:
        errors = {}
    values = data.model_dump() if data else {k: v for k, v in raw.items() if k not in errors}
    for name in ("deadline", "event_date"):  # the schema took it: a date as the rules read it
        if isinstance(values.get(name), str):
            try:
                values[name] = date.fromisoformat(values[name])
            except ValueError:  # another spelling the schema reads: judged on the next try
                del values[name]
    for problem in service.problems(session, values, on=service.today(), before=before):
        errors.setdefault(problem.field, ui.t(problem.key))
    return (None if errors else data), errors


@router.post("/info")
def create_item(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Checked as the API checks it; a bad field comes back with its message, in 422."""
    principal = ui.require_curator()
    data, errors = _checked(ui, session, form, None)
    if data is None:
        return _form_page(ui, session, form, errors, item=None, status=422)
    item = service.create(session, data=data, by=principal)
    return ui.redirect(f"/info/{item.id}?done=published")


@router.get("/info/{item_id:int}/edit")
def edit_item(item_id: int, ui: PageDep, session: SessionDep) -> Response:
    ui.require_curator()
    item = _item(session, item_id, ui)
    if item is None:
        return ui.not_found()
    return _form_page(ui, session, views.form_values(item), {}, item=item)


@router.post("/info/{item_id:int}/edit")
def save_item(item_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_curator()
    item = _item(session, item_id, ui)
    if item is None:
        return ui.not_found()
    data, errors = _checked(ui, session, form, item)  # the form sends every field
    if data is None:
        return _form_page(ui, session, form, errors, item=item, status=422)
    values = data.model_dump(exclude={"published"})  # saved whole, as a new item is checked
    service.update(session, item, data=InfoUpdate.model_validate(values), by=principal)
    return ui.redirect(f"/info/{item.id}?done=saved")


@router.post("/info/{item_id:int}/unpublish")
def unpublish_item(item_id: int, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_curator()
    item = _item(session, item_id, ui)
    if item is None:
        return ui.not_found()
    service.set_published(session, item, False, by=principal)
    return ui.redirect("/info?done=unpublished")


@router.post("/info/{item_id:int}/publish")
def publish_item(item_id: int, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_curator()
    item = _item(session, item_id, ui)
    if item is None:
        return ui.not_found()
    service.set_published(session, item, True, by=principal)
    return ui.redirect(f"/info/{item.id}?done=published")
