"""The model's reference language means: each language's mean vector over the demo seeds.

A deployment's language centring starts from these and moves towards its own listings' means as
they arrive, so that the first listings of a new deployment are already compared across
languages as a grown one compares them (without them, a ten-listing market rates any two texts
of one language alike, or any two of different languages apart)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from matchmaker.engine import embeddings
from matchmaker.engine.index_sync import PRIOR_FILE


def build_prior(
    model_dir: Path, seeds_dir: Path, *, progress: Callable[[str], None] | None = None
) -> Path:
    """Embed the seed listings with the model in `model_dir`; write their per-language means."""
    rows = json.loads((seeds_dir / "listings.json").read_text("utf-8"))
    embedder = embeddings.make_embedder("sentence-transformers", str(model_dir))
    texts = [f"{r['title'].strip()}\n{r.get('description', '').strip()}".strip() for r in rows]
    langs = np.array([r["language"] for r in rows])
    vectors = embedder.embed(texts)
    means = {str(lang): vectors[langs == lang].mean(axis=0) for lang in sorted(set(langs))}
    path = model_dir / PRIOR_FILE
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **means)
    tmp.replace(path)
    if progress:
        counts = {lang: int((langs == lang).sum()) for lang in means}
        progress(f"language means from {len(rows)} seed listings {counts}: {path}")
    return path
