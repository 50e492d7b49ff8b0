"""What a form shows: fields with their labels, hints, options and messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Option:
    value: str
    label: str
    selected: bool


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text, textarea, number, date, select, radio, checkboxes
    value: str = ""
    error: str = ""
    hint: str = ""
    required: bool = False
    options: list[Option] = field(default_factory=list)
    datalist: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint else []
        return " ".join([*ids, f"{self.id}-error"] if self.error else ids)


def options(pairs: list[tuple[str, str]], chosen: str, blank: str | None = None) -> list[Option]:
    """The options of a choice, `chosen` selected; a first blank one labelled `blank`."""
    opts = [Option("", blank, chosen == "")] if blank is not None else []
    return opts + [Option(v, label, v == chosen) for v, label in pairs]


def text(
    name: str,
    label: str,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    widget: str = "text",
    required: bool = True,
    maxlength: int = 200,
    hint: str = "",
    **attrs: str,
) -> Field:
    """A text-like field (text, email, textarea) showing the posted value and its message."""
    return Field(
        name,
        label,
        widget,
        value=values.get(name, ""),
        error=errors.get(name, ""),
        hint=hint,
        required=required,
        attrs={"maxlength": str(maxlength), **attrs},
    )


def email(label: str, values: Mapping[str, str], errors: Mapping[str, str]) -> Field:
    """The e-mail address field every form asks it with."""
    return text("email", label, values, errors, widget="email", maxlength=254, autocomplete="email")
