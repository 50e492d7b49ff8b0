"""Every setting is documented in the README."""

from __future__ import annotations

from matchmaker.settings import ROOT, Settings


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [
        f"MATCHMAKER_{name.upper()}"
        for name in Settings.model_fields
        if f"MATCHMAKER_{name.upper()}" not in readme
    ]
    assert missing == []
