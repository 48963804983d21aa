"""Tests for the resumable embedding cache, with a fake embed function (no model)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from nlp.encoder.cache import CacheInfo, EmbeddingCache

INFO = CacheInfo(encoder="fake", prefix="query: ", dim=4)
TEXTS = [f"评论{i}" for i in range(10)]


class FakeEncoder:
    """Deterministic vectors from the text; records every text it was asked to embed."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.seen: list[str] = []
        self.fail_after = fail_after

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise KeyboardInterrupt  # stands in for a killed run
        self.seen.extend(texts)
        return np.array([[len(t), ord(t[-1]), 1.0, 0.5] for t in texts], dtype=np.float32)


def test_get_returns_the_embedded_rows_in_request_order(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, INFO)
    cache.fill(TEXTS, FakeEncoder(), chunk_size=3)
    vectors, found = cache.get([TEXTS[7], TEXTS[2]])
    assert found.all()
    np.testing.assert_array_equal(vectors, FakeEncoder()([TEXTS[7], TEXTS[2]]))


def test_a_killed_run_resumes_without_re_embedding_finished_chunks(tmp_path: Path) -> None:
    first = FakeEncoder(fail_after=6)
    with pytest.raises(KeyboardInterrupt):
        EmbeddingCache(tmp_path, INFO).fill(TEXTS, first, chunk_size=3)
    second = FakeEncoder()
    added = EmbeddingCache(tmp_path, INFO).fill(TEXTS, second, chunk_size=3)
    assert first.seen == TEXTS[:6]
    assert second.seen == TEXTS[6:]
    assert added == 4
    assert EmbeddingCache(tmp_path, INFO).get(TEXTS)[1].all()


def test_rows_are_keyed_by_content_not_position(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path, INFO).fill(TEXTS[:5], FakeEncoder())
    again = FakeEncoder()
    reordered = [*reversed(TEXTS[:5]), "新的一条"]
    EmbeddingCache(tmp_path, INFO).fill(reordered, again)
    assert again.seen == ["新的一条"]


def test_duplicate_texts_are_embedded_once(tmp_path: Path) -> None:
    fake = FakeEncoder()
    EmbeddingCache(tmp_path, INFO).fill(["好", "好", "差"], fake)
    assert fake.seen == ["好", "差"]


def test_missing_texts_are_reported_as_not_found(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, INFO)
    cache.fill(TEXTS[:2], FakeEncoder())
    vectors, found = cache.get([TEXTS[0], "没见过"])
    assert found.tolist() == [True, False]
    assert not vectors[1].any()


def test_vectors_are_stored_as_float16(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path, INFO).fill(TEXTS[:2], FakeEncoder())
    with np.load(tmp_path / "chunk-00000.npz") as arrays:
        assert arrays["vectors"].dtype == np.float16


def test_a_cache_of_another_encoder_is_refused(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path, INFO)
    with pytest.raises(ValueError, match="holds embeddings of"):
        EmbeddingCache(tmp_path, CacheInfo(encoder="other", prefix="query: ", dim=4))


def test_an_embed_function_of_the_wrong_width_is_refused(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, CacheInfo(encoder="fake", prefix="query: ", dim=8))
    with pytest.raises(ValueError, match="expected"):
        cache.fill(TEXTS[:2], FakeEncoder())
