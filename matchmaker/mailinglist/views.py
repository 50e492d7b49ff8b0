"""What the mailing-list pages show: the subscription form, the facilitators' compose form."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.mailinglist.tables import Mailing
from matchmaker.web import fields as web_fields
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import LANGUAGES, Translator

Errors = dict[str, str]


@dataclass
class MailingRow:
    subject: str
    themes: str
    created: str
    state: str  # "queued" or "sent to 12"


def theme_field(
    t: Translator, names: dict[str, str], chosen: list[str], errors: Errors, counts: dict[str, int]
) -> Field:
    def label(slug: str, name: str) -> str:
        return t("list.theme_count", name=name, count=counts[slug]) if counts else name

    return Field(
        "themes",
        t("list.themes"),
        "checkboxes",
        required=True,
        error=errors.get("themes", ""),
        options=[Option(slug, label(slug, name), slug in chosen) for slug, name in names.items()],
    )


def subscribe_form(
    t: Translator, names: dict[str, str], values: dict[str, str], chosen: list[str], errors: Errors
) -> list[Field]:
    language = values.get("language") or t.lang
    return [
        web_fields.email(t("login.email"), values, errors),
        theme_field(t, names, chosen, errors, {}),
        Field(
            "language",
            t("list.language"),
            "select",
            options=[Option(c, t.label("language", c), c == language) for c in LANGUAGES],
        ),
    ]


def compose_form(
    t: Translator,
    names: dict[str, str],
    values: dict[str, str],
    chosen: list[str],
    errors: Errors,
    counts: dict[str, int],
) -> list[Field]:
    return [
        web_fields.text("subject", t("list.subject"), values, errors),
        web_fields.text(
            "body",
            t("list.body"),
            values,
            errors,
            widget="textarea",
            maxlength=20000,
            hint=t("list.body_hint"),
            rows="12",
        ),
        theme_field(t, names, chosen, errors, counts),
    ]


def mailing_rows(
    t: Translator, names: dict[str, str], mailings: list[tuple[Mailing, int]]
) -> list[MailingRow]:
    return [
        MailingRow(
            subject=m.subject,
            themes=", ".join(names.get(slug, slug) for slug in m.themes),
            created=t.time(m.created_at),
            state=t("list.sent_to", count=reached) if m.done_at else t("list.queued"),
        )
        for m, reached in mailings
    ]
