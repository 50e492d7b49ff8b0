"""Guessing the language of a search query."""

from __future__ import annotations

import pytest

from matchmaker.engine import language
from matchmaker.vocab import Language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Etsimme betonimursketta täyttöön, noin 200 tonnia vuodessa", "fi"),
        ("Vi söker träspån för pelletstillverkning i Borgå", "sv"),
        ("We are looking for crushed concrete for road base", "en"),
        ("leipäjäte", "fi"),
        ("sågspån och bark från sågverk", "sv"),
    ],
)
def test_guess(text: str, expected: str) -> None:
    assert language.guess(text) == expected


def test_no_evidence_gives_the_default() -> None:
    assert language.guess("12345", default=Language.sv) == "sv"
