"""The UI's catalogues are complete in fi/sv/en, and the language is chosen as promised."""

from __future__ import annotations

import re

import pytest

from matchmaker.settings import ROOT
from matchmaker.web import i18n

# A key is looked up as t("key"), _("key") or marked N_("key"), in templates and in Python.
KEY = re.compile(r"""(?<!\w)(?:N_|t|_)\(\s*["']([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)["']""")


def used_keys() -> set[str]:
    sources = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "matchmaker").rglob("*.py")]
    found = {key for path in sources for key in KEY.findall(path.read_text("utf-8"))}
    return found | i18n.vocab_keys()


def catalogues() -> dict[str, dict[str, str]]:
    return {lang: dict(i18n.catalogue(lang)) for lang in i18n.LANGUAGES}


def test_every_ui_string_is_translated_in_every_language() -> None:
    used = used_keys()
    assert len(used) > 100  # the scan found the templates
    assert i18n.problems(catalogues(), used) == []


def test_the_check_fails_when_a_translation_is_missing_or_broken() -> None:
    broken = catalogues()
    del broken["sv"]["suggest.title"]
    broken["fi"]["nav.home"] = " "
    broken["en"]["explain.distance.km"] = "{km} km apart"
    broken["fi"]["old.key"] = "vanha"
    found = i18n.problems(broken, used_keys())
    assert "sv: missing 'suggest.title'" in found
    assert "fi: empty 'nav.home'" in found
    assert "fi: unused 'old.key'" in found
    assert any(p.startswith("placeholders of 'explain.distance.km' differ") for p in found)


def test_the_scan_sees_keys_in_templates_and_in_python() -> None:
    used = used_keys()
    assert {
        "home.heading",
        "explain.timing.gap",
        "error.required",
        "part.semantic",
        "category.material",
        "unit.pcs",
        "language.self",
    } <= used


@pytest.mark.parametrize(
    "header, lang",
    [
        ("sv-FI,sv;q=0.9,en;q=0.8", "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.5,fi;q=0.7", "fi"),
        ("fi;q=0.2, sv;q=0.8", "sv"),
        ("nb-NO", "sv"),
        ("de, fr", None),
        ("en;q=0", None),
        ("", None),
        ("garbage;;q=x", None),
    ],
)
def test_accept_language(header: str, lang: str | None) -> None:
    assert i18n.from_accept_language(header) == lang


def test_numbers_and_dates_follow_the_language() -> None:
    from datetime import date

    fi, en = i18n.Translator("fi"), i18n.Translator("en")
    assert fi.number(2.5) == "2,5" and en.number(2.5) == "2.5"
    assert fi.fixed(0.8) == "0,80" and en.fixed(0.8) == "0.80"
    assert fi.percent(0.114) == "11\xa0%" and en.percent(0.6) == "60%"
    assert en.number(20000) == "20,000" and fi.number(20000) == "20\xa0000"
    assert fi.date(date(2025, 3, 1)) == "1.3.2025"
    assert i18n.Translator("de").lang == "fi"  # an unknown language falls back to the default


def test_labels_of_every_vocabulary_value() -> None:
    t = i18n.Translator("sv")
    assert t.label("kind", "offer") == "Erbjudande"
    assert t.label("unit", "pcs") == "st"
    assert t.label("frequency", None) == ""
