"""The int8 ONNX export the services run: close to the fp32 model and the engine, batch-independent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.encoder.build import PROBE_TEXTS
from nlp.encoder.embed import E5Encoder
from nlp.encoder.quantise import INT8_FILE
from nlp.encoder.runtime import OnnxE5Encoder


@pytest.fixture(scope="module")
def fast(model_dir: Path) -> OnnxE5Encoder:
    return OnnxE5Encoder.from_dir(model_dir)


def test_int8_embeddings_stay_close_to_the_fp32_model(fast: OnnxE5Encoder, model_dir: Path) -> None:
    exact = E5Encoder.from_dir(model_dir).embed(PROBE_TEXTS)

    cosines = np.sum(fast.embed(PROBE_TEXTS) * exact, axis=1)

    assert cosines.min() > 0.98


def test_int8_embeddings_stay_close_to_the_engine(fast: OnnxE5Encoder, engine: Any) -> None:
    theirs = np.asarray(engine.query(list(PROBE_TEXTS)), dtype=np.float32)

    assert np.sum(fast.embed(PROBE_TEXTS) * theirs, axis=1).min() > 0.98


TEXTS = ["好", "物流很快，包装也很结实，下次还来", "客服回复太慢", "一二三四五六七八九十" * 5]


def test_by_default_a_text_gets_the_same_embedding_whatever_it_is_sent_with(fast: OnnxE5Encoder) -> None:
    alone = np.vstack([fast.embed([text]) for text in TEXTS])

    assert np.abs(fast.embed(TEXTS) - alone).max() < 1e-6
    assert np.abs(fast.embed(TEXTS[::-1])[::-1] - alone).max() < 1e-6
    assert np.allclose(np.linalg.norm(alone, axis=1), 1.0, atol=1e-5)


def test_padded_batches_move_an_embedding_only_slightly(fast: OnnxE5Encoder) -> None:
    # dynamic int8 quantisation scales activations by the whole batch's range: close, not equal
    alone = fast.embed(TEXTS)

    together = fast.embed(TEXTS, batch_size=len(TEXTS))

    assert np.sum(together * alone, axis=1).min() > 0.99


def test_a_dir_without_the_int8_export_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make encoder"):
        OnnxE5Encoder.from_dir(tmp_path)


def test_the_build_checksums_the_int8_export(model_dir: Path) -> None:
    listed = (model_dir / "checksum.sha256").read_text(encoding="utf-8")

    assert f"  {INT8_FILE}\n" in listed
