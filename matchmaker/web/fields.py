"""What a form shows: fields with their labels, hints, options and messages."""

from __future__ import annotations

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
