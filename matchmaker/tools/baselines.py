"""What the product is measured against: plain lexical rankers and the model without its
corrections. Each ranks every opposite-kind listing of the query's theme, with no hygiene.

BM25 is `bm25s` over Snowball stems (PyStemmer) in each listing's own language; TF-IDF is
scikit-learn's over character 3–5-grams; "semantic + CSLS" is the language-centred cosine with
cross-domain similarity local scaling (Lample et al. 2018): each candidate's mean similarity to
its k nearest listings of the query's kind is taken off, so a hub near everything sinks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlmodel import Session

from matchmaker.engine.matching import Matcher
from matchmaker.engine.vectors import text_of
from matchmaker.tables import Listing, saved_id

if TYPE_CHECKING:
    from matchmaker.tools.evaluate import Query

STEMMERS = {"fi": "finnish", "sv": "swedish", "en": "english"}
CSLS_K = 5


def _tokens(text: str, language: str) -> list[str]:
    import Stemmer

    words = re.findall(r"\w+", text.lower())
    return list(Stemmer.Stemmer(STEMMERS[language]).stemWords(words))


@dataclass
class Baselines:
    ids: list[int]
    row: dict[int, int]
    kinds: np.ndarray
    themes: np.ndarray
    raw: np.ndarray  # cosine matrices over the whole pool
    csls: np.ndarray
    tfidf: np.ndarray
    bm25: np.ndarray

    @classmethod
    def build(cls, matcher: Matcher, session: Session, listings: Sequence[Listing]) -> Baselines:
        import bm25s
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids = [saved_id(lst) for lst in listings]
        langs = [str(lst.language) for lst in listings]
        vecs = matcher.vectors_of(session, ids)
        raw = np.stack([vecs[i] for i in ids])
        centred = matcher.centred(raw, langs)
        kinds = np.array([str(lst.kind) for lst in listings])
        themes = np.array([lst.theme_id for lst in listings])
        cen = centred @ centred.T
        # a listing's hubness: its mean similarity to its k nearest of the other kind, same theme
        hub = np.zeros(len(ids))
        for n in range(len(ids)):
            other = cen[n, (kinds != kinds[n]) & (themes == themes[n])]
            hub[n] = np.sort(other)[::-1][:CSLS_K].mean() if other.size else 0.0
        texts = [text_of(lst) for lst in listings]
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        lexical = tfidf.fit_transform(texts)
        corpus = [_tokens(t, lang) for t, lang in zip(texts, langs, strict=True)]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(
            ids=ids,
            row={i: n for n, i in enumerate(ids)},
            kinds=kinds,
            themes=themes,
            raw=raw @ raw.T,
            csls=2 * cen - hub[np.newaxis, :],
            tfidf=np.asarray((lexical @ lexical.T).toarray()),
            bm25=np.stack([np.asarray(bm25.get_scores(toks)) for toks in corpus]),
        )

    def _ranker(self, matrix: np.ndarray) -> Callable[[Query], Mapping[int, float]]:
        def scores(q: Query) -> Mapping[int, float]:
            n = self.row[saved_id(q.listing)]
            mask = (self.kinds != self.kinds[n]) & (self.themes == self.themes[n])
            return {self.ids[m]: float(matrix[n, m]) for m in np.flatnonzero(mask)}

        return scores

    def systems(self) -> dict[str, Callable[[Query], Mapping[int, float]]]:
        return {
            "semantic + CSLS": self._ranker(self.csls),
            "raw cosine": self._ranker(self.raw),
            "BM25": self._ranker(self.bm25),
            "TF-IDF": self._ranker(self.tfidf),
        }
