"""The page "How good are the suggestions?": the latest report's tables, in the UI language."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pagekit import HTMX, VISITOR, Table, get, page
from tests.world import Factory, app_of, market


def group(mrr: float, r1: float, r5: float, r10: float, n: int) -> dict[str, float]:
    return {"R@1": r1, "R@5": r5, "R@10": r10, "MRR": mrr, "n": n}


# A small report shaped as `make eval` writes it; the test split's figures differ from the
# training split's, so a page that showed the wrong split would fail.
REPORT: dict[str, Any] = {
    "devset": "/somewhere/eval/devset.json",
    "pairs": 70,
    "distractors": 75,
    "cross_language_pairs": 35,
    "space": "multilingual-e5-small",
    "ranker": "hand-set",
    "splits": {
        "train": {
            "product": {"all": group(0.7170, 0.60, 0.89, 0.97, 70)},
            "BM25": {"all": group(0.5, 0.4, 0.6, 0.7, 70)},
        },
        "test": {
            "product": {
                "all": group(0.8204, 0.7286, 0.9, 0.9714, 70),
                "cross-language": group(0.7412, 0.59, 0.88, 1.0, 32),
                "same-language": group(0.7003, 0.84, 0.92, 0.95, 38),
                "from:fi": group(0.7944, 0.68, 0.93, 0.93, 28),
                "theme:construction": group(0.6049, 0.64, 0.93, 1.0, 14),
            },
            "semantic alone": {
                "all": group(0.6706, 0.5, 0.8, 0.9, 70),
                "cross-language": group(0.5203, 0.4, 0.7, 0.8, 32),
                "same-language": group(0.8012, 0.7, 0.9, 0.95, 38),
                "from:fi": group(0.5642, 0.4, 0.8, 0.9, 28),
                "theme:construction": group(0.3911, 0.2, 0.6, 0.8, 14),
            },
            "BM25": {
                "all": group(0.5221, 0.4, 0.6, 0.7, 70),
                "cross-language": group(0.1304, 0.0, 0.2, 0.3, 32),
                "same-language": group(0.8533, 0.8, 0.9, 0.9, 38),
                "from:fi": group(0.5431, 0.4, 0.6, 0.7, 28),
                "theme:construction": group(0.6049, 0.5, 0.7, 0.8, 14),
            },
        },
    },
    "fitted": {"weights": {"semantic": 3.1}, "intercept": -2.0},
    "learning_curve": [
        {"decisions": 25, "MRR": 0.5473, "hand-set MRR": 0.8204},
        {"decisions": 350, "MRR": 0.681, "hand-set MRR": 0.8204},
    ],
    "bands": {
        "strong": {"floor": 50.0, "suggestions": 0, "precision": 0.0, "partners_reached": 0.0},
        "possible": {"floor": 20.0, "suggestions": 8, "precision": 1.0, "partners_reached": 0.114},
    },
    "seeds": {"listings": 180, "expired_listings": 26, "suggestions": 1673, "own": 0, "expired": 0},
}

WORDS = {
    "fi": {"title": "Kuinka hyviä ehdotukset ovat?", "all": "Kaikki", "mrr": "0,82"},
    "sv": {"title": "Hur bra är förslagen?", "all": "Alla", "mrr": "0,82"},
    "en": {"title": "How good are the suggestions?", "all": "All", "mrr": "0.82"},
}


@pytest.fixture
def report_file(client: TestClient, tmp_path: Path) -> Path:
    """Where this app reads its report: a file of the test's own, not the repository's."""
    path = tmp_path / "eval" / "report.json"
    path.parent.mkdir()
    app_of(client).state.settings.eval_report = path
    return path


def write(path: Path, report: dict[str, Any]) -> Path:
    path.write_text(json.dumps(report), "utf-8")
    return path


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_page_shows_the_products_test_figures_in_the_ui_language(
    client: TestClient, report_file: Path, lang: str
) -> None:
    write(report_file, REPORT)
    r = get(client, "/quality", lang, headers=VISITOR)
    assert r.status_code == 200
    p = page(r)
    words = WORDS[lang]
    assert p.find("h1") and words["title"] in p.text_of("main")
    product = Table(r.text, "quality-product")
    mrr = [cell for cell in product.row(words["all"]).values() if cell[2] == words["mrr"]]
    assert mrr, product.texts()  # the test split's 0.8204, written as the language writes it
    assert "0,72" not in r.text and "0.72" not in r.text  # the training split is not shown
    assert product.caption.strip()
    heads = product.rows[0]
    assert all(tag == "th" and attrs["scope"] == "col" for tag, attrs, _ in heads)
    assert all(row[0][0] == "th" and row[0][1]["scope"] == "row" for row in product.rows[1:])


def test_groups_are_named_in_words_themes_by_their_names(
    client: TestClient, report_file: Path
) -> None:
    write(report_file, REPORT)
    fi = Table(get(client, "/quality", "fi").text, "quality-product")
    assert [row[0] for row in fi.texts()[1:]] == [
        "Kaikki",
        "Kumppani toisella kielellä",
        "Kumppani samalla kielellä",
        "Kirjoituskieli: suomi",
        "Teema: Rakentaminen",  # the Theme table's Finnish name
    ]
    assert fi.row("Kaikki")["Recall@1"][2] == "73 %"
    sv = Table(get(client, "/quality", "sv").text, "quality-product")
    assert sv.row("Tema: Byggande")["MRR"][2] == "0,60"
    en = Table(get(client, "/quality", "en").text, "quality-product")
    assert en.row("Written in: Finnish")["MRR"][2] == "0.79"
    assert en.row("All")["Recall@10"][2] == "97%"


def test_the_best_of_each_row_is_marked_in_words_and_type_not_colour_alone(
    client: TestClient, report_file: Path
) -> None:
    write(report_file, REPORT)
    compare = Table(get(client, "/quality", "en").text, "quality-compare")
    assert compare.texts()[0] == [
        "Listings",
        "The matchmaker",
        "Meaning alone",
        "BM25 (word search)",
    ]

    def best(label: str) -> list[str]:
        row = compare.row(label)
        return [head for head, (_, attrs, _) in row.items() if "best" in attrs.get("class", "")]

    assert best("All") == ["The matchmaker"]
    assert best("Partner in the same language") == ["BM25 (word search)"]
    assert best("Theme: Construction") == ["The matchmaker", "BM25 (word search)"]  # a tie
    cell = compare.row("Partner in the same language")["BM25 (word search)"][2]
    assert cell == "0.85 ★ (best in this row)"  # bold, a star, and words for a screen reader
    assert compare.row("Partner in the same language")["The matchmaker"][2] == "0.70"
    assert "<strong>0.85</strong>" in get(client, "/quality", "en").text


def test_bands_curve_and_seed_hygiene(client: TestClient, report_file: Path) -> None:
    write(report_file, REPORT)
    html = get(client, "/quality", "fi").text
    bands = Table(html, "quality-bands")
    assert bands.row("Vahva")["Alin pistemäärä"][2] == "50"
    assert bands.row("Vahva")["Oli oikea kumppani"][2] == "–"  # no suggestion: no share of 0 %
    assert bands.row("Mahdollinen")["Oli oikea kumppani"][2] == "100 %"
    assert bands.row("Mahdollinen")["Oikeista kumppaneista ylsi"][2] == "11 %"
    curve = Table(html, "quality-curve")
    assert curve.texts()[1:] == [["25", "0,55", "0,82"], ["350", "0,68", "0,82"]]
    en = page(get(client, "/quality", "en")).text_of("quality-hygiene")
    assert "of 1,673 suggestions, 0 were of the listing's own organisation and 0 were expired" in en


def test_systems_and_groups_the_page_does_not_know_show_by_their_names(
    client: TestClient, report_file: Path
) -> None:
    report = copy.deepcopy(REPORT)
    test = report["splits"]["test"]
    test["graph walk"] = {"all": group(0.9, 0.8, 0.9, 1.0, 70)}
    test["product"]["from:de"] = group(0.5, 0.4, 0.6, 0.7, 3)
    test["product"]["region:east"] = group(0.4, 0.3, 0.5, 0.6, 5)
    test["product"]["theme:metals"] = group(0.3, 0.2, 0.4, 0.5, 4)
    test["product"]["all"]["R@20"] = 0.99  # a metric added later gets a column
    del report["bands"], report["learning_curve"], report["seeds"]
    write(report_file, report)
    r = get(client, "/quality", "en")
    assert r.status_code == 200
    compare = Table(r.text, "quality-compare")
    assert compare.texts()[0][-1] == "graph walk"
    assert compare.row("All")["graph walk"][2] == "0.90 ★ (best in this row)"
    assert compare.row("from:de")["graph walk"][2] == "–"  # a system without that group
    product = Table(r.text, "quality-product")
    assert [row[0] for row in product.texts()[1:]] == [
        "All",
        "Partner in another language",
        "Partner in the same language",
        "Written in: Finnish",
        "from:de",
        "Theme: Construction",
        "theme:metals",
        "region:east",
    ]
    assert product.row("All")["Recall@20"][2] == "99%"
    p = page(r)
    assert not p.find("table", id="quality-bands") and not p.find("p", id="quality-hygiene")


@pytest.mark.parametrize(
    "lang, words",
    [
        ("fi", "Arviointiraporttia ei ole vielä tehty."),
        ("sv", "Det finns ingen utvärderingsrapport ännu."),
        ("en", "There is no evaluation report yet."),
    ],
)
def test_without_a_report_the_page_says_so_and_how_to_make_one(
    client: TestClient, report_file: Path, lang: str, words: str
) -> None:
    r = get(client, "/quality", lang, headers=VISITOR)
    assert r.status_code == 200
    text = page(r).text_of("quality-problem")
    assert words in text and "make eval" in text
    assert not page(r).find("table")


@pytest.mark.parametrize(
    "content", ["{not json", '{"splits": [1, 2]}', "[]", '{"bands": {"strong": {"floor": "x"}}}']
)
def test_an_unreadable_report_is_a_sentence_not_an_error(
    client: TestClient, report_file: Path, content: str
) -> None:
    report_file.write_text(content, "utf-8")
    r = get(client, "/quality", "en")
    assert r.status_code == 200
    assert "The evaluation report could not be read" in page(r).text_of("quality-problem")


def test_a_folder_where_the_report_should_be_is_unreadable(
    client: TestClient, report_file: Path
) -> None:
    report_file.mkdir()
    r = get(client, "/quality", "sv")
    assert r.status_code == 200 and "kunde inte läsas" in page(r).text_of("quality-problem")


def test_a_new_report_is_shown_without_a_restart(client: TestClient, report_file: Path) -> None:
    write(report_file, REPORT)
    assert "0.82" in Table(get(client, "/quality").text, "quality-product").texts()[1]
    newer = copy.deepcopy(REPORT)
    newer["splits"]["test"]["product"]["all"]["MRR"] = 0.9132
    write(report_file, newer)
    stat = report_file.stat()  # the same second as the first write: the time must still differ
    os.utime(report_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert "0.91" in Table(get(client, "/quality").text, "quality-product").texts()[1]
    report_file.unlink()
    assert "There is no evaluation report yet." in get(client, "/quality").text


def test_one_url_gives_the_page_or_the_fragment(client: TestClient, report_file: Path) -> None:
    write(report_file, REPORT)
    full, part = client.get("/quality"), client.get("/quality", headers=HTMX)
    assert full.status_code == part.status_code == 200
    assert part.template.name == "quality/_content.html"  # type: ignore[attr-defined]
    assert "<html" not in part.text
    p = page(full)
    assert len(p.find("h1")) == 1 and p.find("main", id="main") and p.find("footer")
    assert " style=" not in full.text and "<style" not in full.text
    assert " ".join(page(part).text.split()) in page(full).text


def test_everyone_finds_the_page_from_the_footer_and_the_suggestions(
    client: TestClient, make: Factory
) -> None:
    need = market(make)["need"]["id"]
    home = page(get(client, "/", "sv", headers=VISITOR))
    assert [a for a in home.find("a", href="/quality")]
    assert "Hur bra är förslagen?" in home.text
    listing = get(client, f"/listings/{need}", "en", headers=VISITOR)
    assert "How good are these suggestions?" in page(listing).text_of("suggestions")
