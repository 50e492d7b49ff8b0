"""The listing form's fields: labels, hints, options and messages, for posting and editing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matchmaker.engine import geo
from matchmaker.listings.fieldnames import max_length
from matchmaker.listings.forms import AUTO, FIELDS, Errors
from matchmaker.listings.schemas import ListingCreate
from matchmaker.tables import Listing
from matchmaker.vocab import Category, Frequency, Language, ListingKind, Status, Unit, Visibility
from matchmaker.web.fields import Field, options
from matchmaker.web.i18n import Translator


@dataclass
class ListingForm:
    action: str
    fields: dict[str, Field]
    errors: list[tuple[str, str]]  # (field id, message) for the summary at the top
    editing: bool
    cancel_url: str
    version: str  # sent back with an edit, so that a concurrent edit is not overwritten
    organisation_name: str  # shown instead of a choice when the poster has one organisation


def listing_form(
    t: Translator,
    *,
    action: str,
    values: Mapping[str, str],
    errors: Errors,
    organisations: list[tuple[int, str]],
    themes: dict[str, str],
    statuses: list[Status],
    organisation_name: str = "",
    editing: bool = False,
    cancel_url: str = "/",
) -> ListingForm:
    """The form's fields; `organisations` to choose from, or none: `organisation_name` is fixed."""
    v = {name: values.get(name, "") for name in FIELDS}

    def vocab(prefix: str, enum: Any) -> list[tuple[str, str]]:
        return [(m.value, t.label(prefix, m)) for m in enum]

    fields = [
        Field(
            "kind",
            t("field.kind"),
            "radio",
            required=True,
            options=options(vocab("kind", ListingKind), v["kind"]),
        ),
        Field(
            "organisation_id",
            t("field.organisation"),
            "select",
            required=True,
            options=options(
                [(str(i), n) for i, n in organisations], v["organisation_id"], t("form.choose")
            ),
        ),
        Field(
            "theme",
            t("field.theme"),
            "select",
            required=True,
            options=options(list(themes.items()), v["theme"], t("form.choose")),
        ),
        Field(
            "category",
            t("field.category"),
            "select",
            required=True,
            options=options(vocab("category", Category), v["category"], t("form.choose")),
        ),
        Field(
            "title",
            t("field.title"),
            "text",
            required=True,
            hint=t("hint.title"),
            attrs={"maxlength": str(max_length(Listing, "title"))},
        ),
        Field(
            "description",
            t("field.description"),
            "textarea",
            hint=t("hint.description"),
            attrs={"maxlength": str(max_length(Listing, "description")), "rows": "6"},
        ),
        Field(
            "language",
            t("field.language"),
            "select",
            hint=t("hint.language"),
            options=options(
                [(AUTO, t("form.detect")), *vocab("language", Language)], v["language"] or AUTO
            ),
        ),
        # text, not number: a browser's number field refuses the decimal comma of fi and sv
        Field(
            "quantity",
            t("field.quantity"),
            "text",
            attrs={"inputmode": "decimal", "autocomplete": "off"},
        ),
        Field(
            "unit",
            t("field.unit"),
            "select",
            options=options(vocab("unit", Unit), v["unit"], t("form.none")),
        ),
        Field(
            "frequency",
            t("field.frequency"),
            "select",
            options=options(vocab("frequency", Frequency), v["frequency"], t("form.none")),
        ),
        Field(
            "municipality",
            t("field.municipality"),
            "text",
            hint=t("hint.municipality"),
            datalist=geo.municipality_names(),
            attrs={"autocomplete": "off"},
        ),
        Field("available_from", t("field.available_from"), "date"),
        Field("available_until", t("field.available_until"), "date"),
        # text: 17 01 01 as the list writes it, 170101, or 17 01 06* are all read
        Field(
            "ewc_code",
            t("field.ewc_code"),
            "text",
            hint=t("hint.ewc_code"),
            attrs={
                "maxlength": str(max_length(ListingCreate, "ewc_code")),
                "autocomplete": "off",
                "spellcheck": "false",
            },
        ),
        Field(
            "accepted_codes",
            t("field.accepted_codes"),
            "text",
            hint=t("hint.accepted_codes"),
            attrs={"maxlength": "500", "autocomplete": "off", "spellcheck": "false"},
        ),
        Field(
            "visibility",
            t("field.visibility"),
            "radio",
            hint=t("hint.visibility"),
            options=options(
                vocab("visibility", Visibility), v["visibility"] or Visibility.public.value
            ),
        ),
        Field(
            "status",
            t("field.status"),
            "select",
            options=options(vocab("status", statuses), v["status"] or Status.active.value),
        ),
    ]
    by_name = {f.name: f for f in fields}
    for f in fields:
        if f.widget not in ("select", "radio"):
            f.value = v[f.name]
        if f.name in errors:
            f.error = t(errors[f.name].key, **errors[f.name].params)
    if editing or not organisations:
        del by_name["organisation_id"]  # a listing stays with the organisation that posted it
    summary = [
        (
            by_name[name].id if name in by_name else "f-title",
            f"{by_name[name].label}: {by_name[name].error}"
            if name in by_name
            else t(msg.key, **msg.params),
        )
        for name, msg in errors.items()
    ]
    return ListingForm(
        action=action,
        fields=by_name,
        errors=summary,
        editing=editing,
        cancel_url=cancel_url,
        version=values.get("version", ""),
        organisation_name="" if editing else organisation_name,
    )
