"""Waste codes suggested from a text: the list embedded once per space, kept on disk, in time."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matchmaker.engine import embeddings, ewc, ewc_suggest
from matchmaker.engine.embeddings import Embedder, Vectors
from matchmaker.engine.ewc_suggest import NotReady, Suggester


class Counting:
    """The hash embedder, counting the texts it embeds; it can be made to wait or to fail."""

    def __init__(self, name: str = embeddings.HASH_NAME) -> None:
        self.inner = embeddings.HashEmbedder()
        self.name, self.dim = name, self.inner.dim
        self.texts = 0
        self.gate: threading.Event | None = None
        self.broken = False

    def embed(self, texts: Sequence[str]) -> Vectors:
        if self.gate is not None and len(texts) > 1:
            self.gate.wait(10)
        if self.broken and len(texts) > 1:
            raise RuntimeError("the model folder is broken")
        self.texts += len(texts)
        return self.inner.embed(texts)


def suggester(embedder: Embedder, folder: Path | None) -> Suggester:
    return Suggester(embedder.name, lambda: embedder, folder)


def test_a_swedish_text_gets_its_code_first(tmp_path: Path) -> None:
    found = suggester(Counting(), tmp_path).suggest(
        "Krossad betong från rivning\nRivningsbetong krossad till 0/32, ca 600 ton."
    )
    assert len(found) == 3 and found[0].code == "170101"
    assert found[0].score >= found[1].score >= found[2].score
    assert all(s.code in ewc.catalogue().entries for s in found)


def test_each_code_is_embedded_in_english_and_swedish_without_its_cross_references() -> None:
    texts = ewc_suggest.code_texts()
    n = len(ewc.catalogue().entries)
    codes = list(ewc.catalogue().entries)
    assert len(texts) == 2 * n
    assert texts[codes.index("170101")] == "Concrete, bricks, tiles and ceramics: Concrete"
    assert texts[n + codes.index("170101")] == "Betong, tegel, klinker och keramik: Betong"
    soil = texts[codes.index("170504")]  # "other than those mentioned in 17 05 03" left out
    assert soil.endswith("stones and dredging spoil: Soil and stones")
    assert not any(ch.isdigit() for text in texts for ch in text)


def test_the_list_is_embedded_once_and_kept_per_vector_space(tmp_path: Path) -> None:
    first = Counting()
    suggester(first, tmp_path).suggest("crushed concrete")
    assert first.texts == 2 * len(ewc.catalogue().entries) + 1
    again = Counting()  # a restart: the same space reads the file
    assert suggester(again, tmp_path).suggest("crushed concrete")[0].code == "170101"
    assert again.texts == 1  # the query only
    other = Counting(name="another-model")
    suggester(other, tmp_path).suggest("crushed concrete")
    assert other.texts > 1000  # another space is embedded anew, beside the first
    assert len(list(tmp_path.glob("*.npy"))) == 2


def test_a_broken_cache_file_is_embedded_anew(tmp_path: Path) -> None:
    suggester(Counting(), tmp_path).suggest("crushed concrete")
    (kept,) = tmp_path.glob("*.npy")
    kept.write_bytes(b"not numpy")
    fresh = Counting()
    assert suggester(fresh, tmp_path).suggest("crushed concrete")[0].code == "170101"
    assert fresh.texts > 1000 and np.load(kept).shape[0] == 2 * len(ewc.catalogue().entries)


def test_a_request_does_not_wait_longer_than_it_may(tmp_path: Path) -> None:
    slow = Counting()
    slow.gate = threading.Event()
    codes = suggester(slow, tmp_path)
    with pytest.raises(NotReady, match="being prepared"):
        codes.suggest("crushed concrete", wait=0.05)
    slow.gate.set()
    assert codes.suggest("crushed concrete", wait=10)[0].code == "170101"


def test_a_failed_build_is_said_and_tried_again(tmp_path: Path) -> None:
    broken = Counting()
    broken.broken = True
    codes = suggester(broken, tmp_path)
    with pytest.raises(RuntimeError, match="broken"):
        codes.suggest("crushed concrete", wait=10)
    broken.broken = False
    assert codes.suggest("crushed concrete", wait=10)[0].code == "170101"


def test_no_text_no_suggestions_and_no_embedding(tmp_path: Path) -> None:
    quiet = Counting()
    assert suggester(quiet, tmp_path).suggest("   ") == []
    assert quiet.texts == 0


def test_the_lexical_signal_finds_words_of_the_descriptions() -> None:
    codes = list(ewc.catalogue().entries)
    assert codes[int(np.argmax(ewc_suggest.lexical("gips")))] == "170802"
    assert codes[int(np.argmax(ewc_suggest.lexical("betoni")))] == "170101"  # fi, as betong
    assert ewc_suggest.lexical("zzzz").max() == 0.0


def test_a_build_under_way_stops_with_the_app(tmp_path: Path) -> None:
    slow = Counting()
    slow.gate = threading.Event()
    codes = suggester(slow, tmp_path)
    codes.warm_up()
    codes.stop()
    slow.gate.set()  # the call under way ends; no other starts
    assert codes._done.wait(10)
    with pytest.raises(NotReady):
        codes.suggest("crushed concrete", wait=0.01)
    assert slow.texts <= 64 and not list(tmp_path.glob("*.npy"))
