"""The evaluation harness: its metrics, and a run over a small labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchmaker.settings import Settings
from matchmaker.tools import evalreport, evaluate


def test_metrics_from_ranks() -> None:
    m = evaluate.metrics([1, 2, 6, None])
    assert m["R@1"] == 0.25 and m["R@5"] == 0.5 and m["R@10"] == 0.75
    assert m["MRR"] == pytest.approx((1 + 0.5 + 1 / 6) / 4)


def side(kind: str, lang: str, title: str, theme: str = "food") -> dict[str, str]:
    return {
        "kind": kind,
        "category": "material",
        "theme": theme,
        "title": title,
        "description": "",
        "language": lang,
    }


def test_evaluation_ranks_every_system_on_a_small_set(tmp_path: Path, settings: Settings) -> None:
    devset = {
        "pairs": [
            {
                "id": "p1",
                "theme": "food",
                "offer": side("offer", "en", "spent grain barley mash"),
                "need": side("need", "en", "barley mash spent grain wanted"),
            },
            {
                "id": "p2",
                "theme": "food",
                "offer": side("offer", "fi", "leipä ylijäämä"),
                "need": side("need", "en", "bread surplus wanted"),
            },
        ],
        "distractors": [
            side("offer", "en", "coffee grounds"),
            side("offer", "en", "fish bones", theme="plastics"),
        ],
    }
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(devset), "utf-8")
    report = evaluate.evaluate(settings, path, hygiene=False)
    results = report["splits"]["test"]  # pairs without a split are test pairs
    assert {"product", "semantic alone", "wording alone", "BM25", "TF-IDF"} <= set(results)
    assert results["product"]["all"]["n"] == 4
    assert results["product"]["cross-language"]["n"] == 2
    # the same-language pair shares its words: the product and every lexical ranker put it first
    for system in ("product", "wording alone", "BM25", "TF-IDF"):
        assert results[system]["same-language"]["R@1"] == 1.0, system
    # a part that cannot tell them apart ties them: the tie counts as the middle, not first
    assert results["category alone"]["all"]["R@1"] < 1.0
    text = evalreport.markdown(report)
    assert "| all | 4 |" in text and "| cross-language | 2 |" in text
