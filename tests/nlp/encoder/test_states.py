"""The cache of lower-layer token states and the int8 export of the encoder's first layers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from nlp.encoder.embed import E5Encoder
from nlp.encoder.quantise import export_int8
from nlp.encoder.states import StateCache, StateInfo, onnx_states
from nlp.encoder.tokenizer import E5Tokenizer

INFO = StateInfo(encoder="fake", layers=3, prefix="query: ", max_length=16, dim=4)
TEXTS = [f"评论{'好' * i}" for i in range(1, 8)]


class FakeLower:
    """One row per character, deterministic; records every text it computed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: Sequence[str]) -> list[npt.NDArray[np.float32]]:
        self.seen.extend(texts)
        return [np.array([[len(t), i, ord(c) % 7, 1.0] for i, c in enumerate(t)], np.float32) for t in texts]


def test_states_come_back_per_text_with_their_own_length(tmp_path: Path) -> None:
    cache = StateCache(tmp_path, INFO)
    cache.fill(TEXTS, FakeLower(), chunk_size=3)
    rows = cache.get([TEXTS[5], TEXTS[0]])
    assert [r.shape for r in rows] == [(len(TEXTS[5]), 4), (len(TEXTS[0]), 4)]
    np.testing.assert_array_equal(rows[0], FakeLower()([TEXTS[5]])[0])


def test_a_reopened_cache_computes_only_new_texts(tmp_path: Path) -> None:
    StateCache(tmp_path, INFO).fill(TEXTS[:4], FakeLower(), chunk_size=3)
    lower = FakeLower()
    reopened = StateCache(tmp_path, INFO)
    assert reopened.fill(TEXTS, lower, chunk_size=3) == 3
    assert lower.seen == TEXTS[4:]
    assert len(reopened) == len(TEXTS)


def test_a_cache_of_other_states_is_refused(tmp_path: Path) -> None:
    StateCache(tmp_path, INFO)
    with pytest.raises(ValueError, match="holds states of"):
        StateCache(tmp_path, StateInfo(encoder="fake", layers=4, prefix="query: ", max_length=16, dim=4))


def test_a_missing_text_is_named(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="评论"):
        StateCache(tmp_path, INFO).get(["评论不在"])


def test_states_of_the_wrong_width_are_not_stored(tmp_path: Path) -> None:
    cache = StateCache(tmp_path, INFO)
    with pytest.raises(ValueError, match="one"):
        cache.fill(TEXTS, lambda texts: [np.zeros((2, 3)) for _ in texts])
    assert len(StateCache(tmp_path, INFO)) == 0


def test_the_lower_export_continued_by_the_top_layers_gives_the_encoders_embedding(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    from nlp.sentiment.top_tuning import pad_states, top_classifier

    lower = export_int8(tiny_encoder, tmp_path / "lower.onnx", layers=1)
    states = onnx_states(lower, E5Tokenizer.from_dir(tiny_encoder), max_length=64)(TEXTS)
    assert [len(s) for s in states] == [
        len(ids) for ids in E5Tokenizer.from_dir(tiny_encoder).encode_batch(TEXTS, prefix="query: ")
    ]
    top = top_classifier(tiny_encoder, first_tuned=1)
    top.train(False)
    import torch

    with torch.inference_mode():
        continued = top.embed(*pad_states(states)).numpy()
    expected = E5Encoder.from_dir(tiny_encoder).embed(TEXTS)
    cosine = (continued * expected).sum(axis=1)
    assert cosine.min() > 0.99  # int8 lower layers against fp32 everywhere


def test_the_export_refuses_a_depth_the_encoder_lacks(tiny_encoder: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="layers must be between 1 and 1"):
        export_int8(tiny_encoder, tmp_path / "lower.onnx", layers=2)
