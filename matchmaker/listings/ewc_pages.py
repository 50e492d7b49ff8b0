"""Waste codes for the listing form: suggested from its text as one types, and a lookup page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.deps import CodeSuggesterDep
from matchmaker.engine.ewc_suggest import NotReady
from matchmaker.listings import views
from matchmaker.web.fields import Field
from matchmaker.web.render import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

SHOWN = 3
WAIT = 2.0  # seconds a suggestion waits for the code vectors before it says they are coming


@router.get("/listings/ewc-codes")
def codes(
    ui: PageDep,
    suggester: CodeSuggesterDep,
    title: str = "",
    description: str = "",
    text: str = "",
) -> Response:
    """The form's htmx fragment (its title and description), or the lookup page (a text)."""
    t = ui.t
    query = "\n".join(p.strip() for p in (title, description, text) if p.strip())
    found: list[str] = []
    if not query:
        suggester.warm_up()  # the form has just opened: the vectors are made while one writes
        note = t("ewc.type_more")
    else:
        try:
            found = [s.code for s in suggester.suggest(query, SHOWN, wait=WAIT)]
            note = t("ewc.suggested") if ui.htmx else ""
        except NotReady:
            note = t("ewc.preparing")
    shown = views.CodeSuggestions(views.code_views(found, t), note, choosable=ui.htmx)
    field = Field(
        "text",
        t("ewc.lookup_text"),
        "textarea",
        value=text,
        hint=t("ewc.lookup_hint"),
        attrs={"rows": "3", "maxlength": "2000"},
    )
    return ui.render(
        "listings/ewc_codes.html",
        "listings/_ewc_codes.html",
        title=t("ewc.lookup"),
        codes=shown,
        field=field,
    )
