"""The European Waste Catalogue: codes read as people write them, checked, described; code fit."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from matchmaker.engine import ewc, explanations, ranker, scoring
from matchmaker.settings import ROOT
from matchmaker.tables import Listing
from matchmaker.web.i18n import Translator


def listing(**kw: Any) -> Listing:
    base: dict[str, Any] = {
        "organisation_id": 1,
        "theme_id": 1,
        "kind": "offer",
        "category": "material",
        "title": "Crushed concrete",
        "language": "en",
    }
    return Listing(**{**base, **kw})


def test_the_shipped_list_has_every_code_in_english_and_swedish() -> None:
    known = ewc.catalogue()
    assert len(known.entries) == 842
    assert sum(e.hazardous for e in known.entries.values()) == 408
    assert all(e.en and e.sv for e in known.entries.values())
    assert len(known.headings) == 131
    concrete = known.entries["170101"]
    assert (concrete.en, concrete.sv, concrete.hazardous) == ("Concrete", "Betong", False)


def test_the_attribution_ships_with_the_data() -> None:
    folder = ROOT / "matchmaker" / "engine" / "data" / "ewc"
    line = "Contains public sector information licensed under the Open Government Licence v3.0."
    assert line in (folder / "README.md").read_text("utf-8")
    assert "Open Government Licence" in (folder / "LICENCE_OGL_v3.txt").read_text("utf-8")
    assert line in (ROOT / "README.md").read_text("utf-8")


@pytest.mark.parametrize(
    "written", ["17 01 01", "170101", "17-01-01", " 17.01.01 ", "17 01 01\u00a0"]
)
def test_a_code_is_read_as_people_write_it(written: str) -> None:
    assert ewc.normalise(written) == "170101"


def test_the_asterisk_of_a_hazardous_entry_is_accepted_and_refused_on_another() -> None:
    assert ewc.normalise("17 01 06*") == ewc.normalise("170106 *") == "170106"
    with pytest.raises(ValueError, match=r"17 01 01 is not a hazardous entry.*asterisk"):
        ewc.normalise("17 01 01*")


@pytest.mark.parametrize(
    ("written", "reason", "words"),
    [
        ("17 01", "format", "'17 01' is not a waste code: write six digits, e.g. 17 01 01"),
        ("concrete", "format", "'concrete' is not a waste code"),
        ("1701011", "format", "is not a waste code"),
        (
            "17 01 99",
            "unknown",
            "17 01 99 is not in the European Waste Catalogue; sub-chapter 17 01 has "
            "17 01 01, 17 01 02, 17 01 03, 17 01 06*, 17 01 07",
        ),
        ("17 07 01", "unknown", "chapter 17 has 17 01, 17 02, 17 03"),
        ("99 01 01", "unknown", "the list's chapters run from 01 to 20"),
    ],
)
def test_anything_else_is_refused_saying_why(written: str, reason: str, words: str) -> None:
    with pytest.raises(ewc.CodeError) as refused:
        ewc.normalise(written)
    assert refused.value.reason == reason and words in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_a_typed_list_of_codes_splits_at_commas_and_spaces() -> None:
    assert ewc.split("17 01 01, 17 01 07") == ["17 01 01", "17 01 07"]
    assert ewc.split("170101 170107;170102") == ["170101", "170107", "170102"]
    assert ewc.split("17 01 01 17 01 07") == ["17 01 01", "17 01 07"]
    assert ewc.split(" 17 01 06*, ") == ["17 01 06*"]
    assert ewc.split("concrete and bricks, 170101") == ["concrete and bricks", "170101"]
    assert ewc.split("") == []
    assert ewc.normalise_all(["17 01 07", "170101", "170107"]) == ["170107", "170101"]


def test_descriptions_follow_the_ui_language_where_the_list_has_it() -> None:
    assert ewc.describe("170802", "sv").startswith("Andra gipsbaserade byggmaterial")
    assert ewc.describe("170802", "en").startswith("Gypsum-based construction materials")
    assert ewc.describe("170802", "fi") == ewc.describe("170802", "en")  # no Finnish list
    assert ewc.heading("1701", "sv") == "Betong, tegel, klinker och keramik"
    assert ewc.heading("17", "fi").startswith("Construction and demolition wastes")


def test_hazardous_codes_are_flagged() -> None:
    assert ewc.hazardous("170106") and ewc.hazardous("170601") and ewc.hazardous("160601")
    assert not ewc.hazardous("170101") and not ewc.hazardous("not a code")


@pytest.mark.parametrize(
    ("accepted", "value", "how"),
    [
        (["170101"], 1.0, "code"),
        (["170904", "170101"], 1.0, "code"),
        (["170107"], ewc.SAME_SUB_CHAPTER, "sub_chapter"),
        (["170904"], ewc.SAME_CHAPTER, "chapter"),
        (["020304"], 0.0, "none"),
    ],
)
def test_the_codes_part_is_full_for_an_accepted_code_and_partial_for_a_sibling(
    accepted: list[str], value: float, how: str
) -> None:
    part = ewc.code_part(listing(ewc_code="170101"), listing(kind="need", accepted_codes=accepted))
    assert (part.name, part.value, part.facts["match"]) == ("codes", value, how)
    assert part.text.startswith("the offer's code 17 01 01 ")


def test_the_codes_part_is_unknown_without_a_code_on_either_side() -> None:
    need = listing(kind="need", accepted_codes=["170101"])
    assert ewc.code_part(listing(), need).value is None
    assert ewc.code_part(listing(), need).text == "the offer gives no waste code"
    assert ewc.code_part(listing(ewc_code="170101"), listing(kind="need")).value is None
    # a need's own ewc_code is not a list of what it accepts
    own = listing(kind="need", ewc_code="170101")
    assert ewc.code_part(listing(ewc_code="170101"), own).value is None


def test_a_hazardous_offer_code_is_said_whatever_the_need_accepts() -> None:
    asbestos = listing(ewc_code="170605")
    for need in (listing(kind="need"), listing(kind="need", accepted_codes=["170605"])):
        part = ewc.code_part(asbestos, need)
        assert part.facts["hazardous"] is True
        assert "hazardous waste: the receiver needs a permit" in part.text
    assert ewc.code_part(listing(ewc_code="170101"), need).facts["hazardous"] is False


def test_agreeing_codes_raise_the_score_by_the_parts_weight() -> None:
    offer, need = listing(ewc_code="170101"), listing(kind="need", accepted_codes=["170101"])
    agreed = scoring.fit(offer, need, semantic=0.5, raw_cosine=0.8)
    unknown = scoring.fit(offer, listing(kind="need"), semantic=0.5, raw_cosine=0.8)
    other = scoring.fit(
        offer, listing(kind="need", accepted_codes=["020304"]), semantic=0.5, raw_cosine=0.8
    )
    assert agreed.parts[-1].name == "codes"
    weight = ranker.HAND_SET.weights["codes"]
    assert weight > 0 and agreed.score > unknown.score > other.score

    def logit(fit: scoring.Fit) -> float:
        return ranker.HAND_SET.logit(ranker.values_of(fit.parts))

    # unknown counts as the middle: agreeing codes add half the weight, others take half off
    assert logit(agreed) - logit(unknown) == pytest.approx(weight * 0.5, abs=1e-6)
    assert logit(unknown) - logit(other) == pytest.approx(weight * 0.5, abs=1e-6)


@pytest.mark.parametrize(
    ("lang", "same", "hazard"),
    [
        ("en", "The offer's code 17 01 06 is one the need accepts.", "Hazardous waste (17 01 06)"),
        ("fi", "Tarjouksen jätenimike 17 01 06 on tarpeen hyväksymä.", "Vaarallista jätettä"),
        ("sv", "Erbjudandets avfallskod 17 01 06 är en som behovet tar emot.", "Farligt avfall"),
    ],
)
def test_the_codes_part_reads_in_each_language(lang: str, same: str, hazard: str) -> None:
    t = Translator(lang)
    offer = listing(ewc_code="170106")
    part = ewc.code_part(offer, listing(kind="need", accepted_codes=["170106"]))
    reason = explanations.reasons([part], t)[0]
    assert reason.text.startswith(same) and hazard in reason.text
    assert reason.label == t("part.codes") and reason.tone == "good"
    sibling = ewc.code_part(
        listing(ewc_code="170101"), listing(kind="need", accepted_codes=["170107"])
    )
    assert "17 01 07" in explanations.reasons([sibling], t)[0].text
    assert explanations.reasons([ewc.code_part(listing(), listing(kind="need"))], t)[0].tone == (
        "unknown"
    )


def test_nothing_is_read_at_import_time() -> None:
    """Importing the app reads no list: the catalogue and its n-grams load on first use."""
    probe = (
        "import matchmaker.app\n"
        "from matchmaker.engine import ewc, ewc_suggest\n"
        "assert ewc.catalogue.cache_info().currsize == 0\n"
        "assert ewc_suggest._lexicon.cache_info().currsize == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
