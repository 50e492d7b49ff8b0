"""Every setting is documented in the README; the engine setting allows the registered engines."""

from __future__ import annotations

from typing import get_args

from matchmaker.engine.embeddings import ENGINES
from matchmaker.settings import ROOT, EmbeddingEngine, Settings


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [
        f"MATCHMAKER_{name.upper()}"
        for name in Settings.model_fields
        if f"MATCHMAKER_{name.upper()}" not in readme
    ]
    assert missing == []


def test_the_engine_setting_allows_exactly_the_registered_engines() -> None:
    assert sorted(get_args(EmbeddingEngine)) == sorted(ENGINES)
    annotation: object = Settings.model_fields["engine"].annotation
    assert annotation == EmbeddingEngine
