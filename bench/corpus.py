"""The corpus: listings templated from the seeds, embedded once (cached), grown by mixing."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matchmaker.engine import embeddings
from matchmaker.engine.vectors import text_of
from matchmaker.tables import Listing

Vectors = npt.NDArray[np.float32]

VERSION = 1  # bump when the templating changes: the cached vectors are then recomputed
# A grown vector is a convex mix of two same-group vectors plus noise of this norm (cos
# ~0.999 to the exact mix): under half the distance between a templated listing and its
# nearest neighbour (median cos 0.992), so neighbourhoods come from the mixing, not the noise.
NOISE = 0.05
MUNICIPALITIES = (
    "Helsinki",
    "Espoo",
    "Vantaa",
    "Kauniainen",
    "Porvoo",
    "Kerava",
    "Järvenpää",
    "Tuusula",
    "Nurmijärvi",
    "Hyvinkää",
    "Kirkkonummi",
    "Lohja",
    "Sipoo",
    "Mäntsälä",
    "Raasepori",
    "Loviisa",
    "Inkoo",
    "Siuntio",
    "Vihti",
    "Askola",
)
# Short phrases a facilitator's workshop sheet would add; they vary the text, not its topic.
TITLE_PREFIX = {
    ("fi", "offer"): "Tarjolla: ",
    ("fi", "need"): "Etsimme: ",
    ("sv", "offer"): "Erbjuds: ",
    ("sv", "need"): "Sökes: ",
    ("en", "offer"): "Available: ",
    ("en", "need"): "Wanted: ",
}
CLOSING = {
    "fi": [
        "Hinta sopimuksen mukaan.",
        "Ota yhteyttä sähköpostitse.",
        "Nouto onnistuu arkisin.",
        "Voimme toimittaa näytteen ennen sopimusta.",
        "Määrä voi vaihdella kausittain.",
    ],
    "sv": [
        "Pris enligt överenskommelse.",
        "Kontakta oss per e-post.",
        "Avhämtning möjlig på vardagar.",
        "Vi kan skicka ett prov före avtal.",
        "Mängden kan variera mellan säsonger.",
    ],
    "en": [
        "Price by agreement.",
        "Contact us by email.",
        "Pick-up possible on weekdays.",
        "We can send a sample before an agreement.",
        "Volumes may vary by season.",
    ],
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Corpus:
    """Seed-shaped listing rows and their raw model vectors, row for row."""

    listings: list[dict[str, Any]]
    vectors: Vectors
    space: str

    def groups(self) -> npt.NDArray[np.int64]:
        """A group number per row: same theme, kind and language."""
        keys = [(r["theme"], r["kind"], r["language"]) for r in self.listings]
        index = {k: i for i, k in enumerate(sorted(set(keys)))}
        return np.array([index[k] for k in keys], dtype=np.int64)


def read_seeds(seeds_dir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((seeds_dir / "listings.json").read_text("utf-8"))
    return rows


def templated(seeds: list[dict[str, Any]], n: int, seed: int = 0) -> list[dict[str, Any]]:
    """n listings: the seeds themselves, then variants that recombine a seed's sentences with
    one from a seed of the same theme, kind and language, and vary amounts and places."""
    rng = np.random.default_rng(seed)
    peers: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for s in seeds:
        peers.setdefault((s["theme"], s["kind"], s["language"]), []).append(s)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in range(n):
        base = seeds[i % len(seeds)]
        row = dict(base, key=f"bench-{i:06d}")
        for _ in range(20):  # a few tries for a text not made before
            if i >= len(seeds):
                row.update(
                    _variant(base, peers[(base["theme"], base["kind"], base["language"])], rng)
                )
            text = f"{row['title']}\n{row['description']}"
            if text not in seen:
                break
        seen.add(text)
        out.append(row)
    return out


def _variant(
    base: dict[str, Any], peers: list[dict[str, Any]], rng: np.random.Generator
) -> dict[str, Any]:
    lang, kind = base["language"], base["kind"]
    sentences = _SENTENCE.split(base["description"].strip())
    kept = [sentences[0]] + [s for s in sentences[1:] if rng.random() < 0.7]
    other = peers[int(rng.integers(len(peers)))]
    if other is not base and rng.random() < 0.6:
        extra = _SENTENCE.split(other["description"].strip())
        kept.insert(int(rng.integers(1, len(kept) + 1)), extra[int(rng.integers(len(extra)))])
    if rng.random() < 0.5:
        kept.append(CLOSING[lang][int(rng.integers(len(CLOSING[lang])))])
    title = base["title"]
    if rng.random() < 0.3:
        title = TITLE_PREFIX[(lang, kind)] + title[0].lower() + title[1:]
    quantity = base.get("quantity")
    if quantity is not None:
        quantity = float(round(quantity * float(rng.choice([0.25, 0.5, 1, 2, 3, 5])), 1)) or 1.0
    municipality = base.get("municipality")
    if municipality and rng.random() < 0.5:
        municipality = MUNICIPALITIES[int(rng.integers(len(MUNICIPALITIES)))]
    return {
        "title": title[:200],
        "description": " ".join(kept)[:5000],
        "quantity": quantity,
        "municipality": municipality,
    }


def texts(listings: list[dict[str, Any]]) -> list[str]:
    """What the product embeds for each row (matching.text_of)."""
    return [
        text_of(
            Listing(
                title=r["title"],
                description=r.get("description") or "",
                organisation_id=0,
                theme_id=0,
                kind=r["kind"],
                category=r["category"],
                language=r["language"],
            )
        )
        for r in listings
    ]


def load(
    seeds_dir: Path, n: int, cache_dir: Path, *, engine: str, model: str, threads: int = 2
) -> Corpus:
    """The templated corpus with its vectors; embeds only the texts the cache lacks."""
    listings = templated(read_seeds(seeds_dir), n)
    space = embeddings.space_name(engine, model)
    todo = texts(listings)
    keys = np.array([hashlib.sha256(t.encode()).hexdigest()[:32] for t in todo])
    path = cache_dir / f"vectors-{re.sub(r'[^A-Za-z0-9_.-]', '_', space)}-v{VERSION}.npz"
    known: dict[str, Vectors] = {}
    if path.exists():
        with np.load(path) as cached:
            known = dict(zip(cached["keys"].tolist(), cached["vectors"], strict=True))
    missing = sorted({i for i, k in enumerate(keys.tolist()) if k not in known})
    if missing:
        known.update(
            zip(
                keys[missing].tolist(),
                _embed([todo[i] for i in missing], engine, model, threads),
                strict=True,
            )
        )
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
        tmp.replace(path)
    return Corpus(listings, np.stack([known[k] for k in keys.tolist()]).astype(np.float32), space)


def _embed(todo: list[str], engine: str, model: str, threads: int) -> Vectors:
    embedder = embeddings.make_embedder(engine, model, threads=threads)
    parts, start = [], time.perf_counter()
    for lo in range(0, len(todo), 256):
        parts.append(embedder.embed(todo[lo : lo + 256]))
        done = lo + len(parts[-1])
        print(
            f"\r  embedding the corpus: {done}/{len(todo)} "
            f"({done / (time.perf_counter() - start):.1f} texts/s)",
            end="",
            file=sys.stderr,
        )
    print(file=sys.stderr)
    return np.vstack(parts).astype(np.float32)


def grow(corpus: Corpus, n: int, seed: int = 1) -> tuple[Vectors, npt.NDArray[np.int64]]:
    """n unit vectors and, for each, the corpus row whose text and labels it carries.

    The first rows are the corpus itself; each further one mixes a row `a` with a random row of
    its group (theme, kind, language): t·a + (1-t)·b + noise, renormalised. The grown set thus
    keeps the neighbourhoods of real embeddings, which random vectors would not.
    """
    base = corpus.vectors
    nb, dim = base.shape
    groups = corpus.groups()
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(groups.max() + 1))
    sizes = np.bincount(groups)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    src = np.empty(n, dtype=np.int64)
    head = min(n, nb)
    out[:head], src[:head] = base[:head], np.arange(head)
    for lo in range(head, n, 65536):
        m = min(65536, n - lo)
        a = rng.integers(0, nb, m)
        g = groups[a]
        b = order[starts[g] + (rng.random(m) * sizes[g]).astype(np.int64)]
        t = rng.random((m, 1), dtype=np.float32)
        mixed = t * base[a] + (1 - t) * base[b]
        mixed += rng.normal(scale=NOISE / np.sqrt(dim), size=(m, dim)).astype(np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        out[lo : lo + m], src[lo : lo + m] = mixed, a
    return out, src
