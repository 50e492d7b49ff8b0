"""The European Waste Catalogue: codes read and checked, described in fi/sv/en; code agreement."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from matchmaker.engine import scoring

# Worth of an offer's code against the codes a need accepts: one of them, or a sibling.
SAME_CODE, SAME_SUB_CHAPTER, SAME_CHAPTER = 1.0, 0.6, 0.3
# The UI language -> the language of the description shown: there is no Finnish list.
DESCRIBED_IN = {"fi": "en", "sv": "sv", "en": "en"}

# 17 01 01, 170101, 17-01-01, 17.01.01; an asterisk marks a hazardous entry in the official list
_CODE = re.compile(r"(\d{2})[\s.-]?(\d{2})[\s.-]?(\d{2})(\s?\*)?")
_SEPARATORS = re.compile(r"[\s,;]*")
_SEPARATOR = re.compile(r"[\s,;]")
_LIST_SEPARATOR = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class Entry:
    code: str  # six digits
    hazardous: bool
    mirror: bool  # a mirror entry: hazardous or not depending on what it contains
    en: str
    sv: str


@dataclass(frozen=True)
class Catalogue:
    entries: dict[str, Entry]  # six digits -> entry, in the list's order
    headings: dict[str, tuple[str, str]]  # chapter "17" and sub-chapter "1701" -> (en, sv)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("matchmaker.engine").joinpath(f"data/ewc/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def catalogue() -> Catalogue:
    """The 842 codes and 131 headings, read from the package's data on first use."""
    swedish = {
        r["code"]: r["description_sv"].strip().removesuffix(".") for r in _rows("ewc_sv.csv")
    }
    entries = {
        r["code"]: Entry(
            code=r["code"],
            hazardous=r["is_hazardous"] == "true",
            mirror=r["entry_type"].startswith("Mirror"),
            en=r["description"].strip(),
            sv=swedish[r["code"]],
        )
        for r in _rows("ewc_codes.csv")
    }
    headings = {
        r["code"]: (r["en"].strip(), r["sv"].strip()) for r in _rows("ewc_headings_sv_en.csv")
    }
    return Catalogue(entries, headings)


class CodeError(ValueError):
    """A text that is no code of the list; `reason` is format, unknown or not_hazardous."""

    def __init__(self, reason: str, code: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.code = reason, code


def spaced(code: str) -> str:
    """Six digits as the list writes them: 17 01 01."""
    return f"{code[:2]} {code[2:4]} {code[4:6]}"


def normalise(text: str) -> str:
    """The six digits of a code of the list written as 17 01 01, 170101, 17-01-01 or 17 01 06*.

    Raises CodeError (a ValueError) that says what is wrong: not a code, not in the list, or an
    asterisk on a code the list does not mark hazardous.
    """
    written = text.strip()
    found = _CODE.fullmatch(written)
    if found is None:
        raise CodeError(
            "format",
            written,
            f"{written!r} is not a waste code: write six digits, e.g. 17 01 01 or 170101",
        )
    code = "".join(found.groups()[:3])
    entry = catalogue().entries.get(code)
    if entry is None:
        raise CodeError(
            "unknown",
            spaced(code),
            f"{spaced(code)} is not in the European Waste Catalogue{_nearby(code)}",
        )
    if found[4] and not entry.hazardous:
        raise CodeError(
            "not_hazardous",
            spaced(code),
            f"{spaced(code)} is not a hazardous entry of the list: leave out the asterisk",
        )
    return code


def _nearby(code: str) -> str:
    """Where to look instead: the codes of its sub-chapter, or the sub-chapters of its chapter."""
    known = catalogue()
    siblings = [c for c in known.entries if c.startswith(code[:4])]
    if siblings:
        listed = ", ".join(_starred(c) for c in siblings[:12])
        return f"; sub-chapter {spaced(code)[:5]} has {listed}"
    subs = [h for h in known.headings if len(h) == 4 and h.startswith(code[:2])]
    if subs:
        return f"; chapter {code[:2]} has {', '.join(f'{h[:2]} {h[2:]}' for h in subs)}"
    return "; the list's chapters run from 01 to 20"


def _starred(code: str) -> str:
    return spaced(code) + ("*" if hazardous(code) else "")


def split(text: str) -> list[str]:
    """The codes of a list typed as text ("17 01 01, 17 01 07", "170101 170107"), each as
    written, for normalise; what is no code comes out up to the next comma, for normalise to
    name."""
    pieces: list[str] = []
    pos = _skip(text, 0)
    while pos < len(text):
        found = _CODE.match(text, pos)
        if found and (found.end() == len(text) or _SEPARATOR.match(text, found.end())):
            end = found.end()
        else:
            after = _LIST_SEPARATOR.search(text, pos)
            end = after.start() if after else len(text)
        pieces.append(text[pos:end].strip())
        pos = _skip(text, end)
    return pieces


def _skip(text: str, pos: int) -> int:
    found = _SEPARATORS.match(text, pos)
    return found.end() if found else pos


def normalise_all(codes: Iterable[str]) -> list[str]:
    """Each code normalised (CodeError at the first that is none), once, in the given order."""
    return list(dict.fromkeys(normalise(c) for c in codes))


def hazardous(code: str) -> bool:
    """Whether the list marks the code hazardous (an asterisk in the official list)."""
    entry = catalogue().entries.get(code)
    return entry is not None and entry.hazardous


def describe(code: str, lang: str) -> str:
    """The code's description in `lang`'s list: Swedish for sv, else English (see DESCRIBED_IN)."""
    entry = catalogue().entries[code]
    return entry.sv if DESCRIBED_IN.get(lang) == "sv" else entry.en


def heading(prefix: str, lang: str) -> str:
    """The heading of a chapter (two digits) or a sub-chapter (four), as describe() chooses."""
    en, sv = catalogue().headings[prefix]
    return sv if DESCRIBED_IN.get(lang) == "sv" else en


# -- the score part -------------------------------------------------------------------------


def _agreement(code: str, accepted: list[str]) -> tuple[float, str, str]:
    """The best agreement of `code` with any accepted code: (value, how, the code it met)."""
    best = (0.0, "none", "")
    for other in accepted:
        if other == code:
            return SAME_CODE, "code", other
        if other[:4] == code[:4] and best[0] < SAME_SUB_CHAPTER:
            best = (SAME_SUB_CHAPTER, "sub_chapter", other)
        elif other[:2] == code[:2] and best[0] < SAME_CHAPTER:
            best = (SAME_CHAPTER, "chapter", other)
    return best


@dataclass(frozen=True)
class Agreement:
    """An offer's code against the codes a need accepts: what the codes part reads."""

    code: str | None  # the offer's, if in the catalogue
    accepted: list[str]  # the need's, those in the catalogue
    value: float | None  # None when either side names none
    how: str  # code, sub_chapter, chapter or none
    met: str  # the accepted code it met


def agreement(offer: scoring.Scored, need: scoring.Scored) -> Agreement:
    known = catalogue().entries
    code = offer.ewc_code if offer.ewc_code in known else None
    accepted = [c for c in need.accepted_codes or [] if c in known]
    if code is None or not accepted:
        return Agreement(code, accepted, None, "none", "")
    value, how, met = _agreement(code, accepted)
    return Agreement(code, accepted, value, how, met)


def code_part(offer: scoring.Scored, need: scoring.Scored) -> scoring.Part:
    """Whether the offer's code is one the need accepts (1), a sibling in the same sub-chapter
    or chapter (partial), or another (0); unknown when either side names none. A hazardous
    offer code is said in every case: its receiver needs a permit."""
    return agreed_part(agreement(offer, need))


def agreed_part(found: Agreement) -> scoring.Part:
    """The codes part of an agreement, worded."""
    code, accepted = found.code, found.accepted
    danger = code is not None and hazardous(code)
    facts: dict[str, float | str | None] = {
        "offer_code": code,
        "accepted": " ".join(accepted) or None,
        "hazardous": danger,
        "match": None,
    }
    warning = " (hazardous waste: the receiver needs a permit)" if danger else ""
    if code is None or not accepted:
        text = "the offer gives no waste code" if code is None else "the need names no codes"
        return scoring.Part(name="codes", value=None, text=text + warning, facts=facts)
    value, how, met = found.value, found.how, found.met
    text = {
        "code": f"the offer's code {spaced(code)} is one the need accepts",
        "sub_chapter": f"the offer's code {spaced(code)} is in sub-chapter {spaced(code)[:5]} "
        f"with {spaced(met)}, which the need accepts",
        "chapter": f"the offer's code {spaced(code)} is in chapter {code[:2]} with "
        f"{spaced(met)}, which the need accepts",
        "none": f"the offer's code {spaced(code)} is not among those the need accepts",
    }[how]
    return scoring.Part(
        name="codes",
        value=value,
        text=text + warning,
        facts={**facts, "match": how, "met": met},
    )
