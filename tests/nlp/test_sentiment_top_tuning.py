"""Tuning the encoder's top layers on cached states: it learns, and it leaves the frozen part alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.encoder.quantise import export_int8
from nlp.encoder.states import onnx_states
from nlp.encoder.tokenizer import E5Tokenizer
from nlp.sentiment.top_tuning import TopTuneArgs, positive_proba, top_classifier, tune_top

POSITIVE = [f"质量很好{n}，非常满意" for n in range(12)] + [f"物流很快{n}，好评" for n in range(12)]
NEGATIVE = [f"质量太差{n}，非常失望" for n in range(12)] + [f"物流很慢{n}，差评" for n in range(12)]


@pytest.fixture(scope="module")
def states(tiny_encoder: Path, tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    lower = export_int8(tiny_encoder, tmp_path_factory.mktemp("lower") / "lower.onnx", layers=1)
    compute = onnx_states(lower, E5Tokenizer.from_dir(tiny_encoder), max_length=32)
    return [s.astype(np.float16) for s in compute(POSITIVE + NEGATIVE)]


def test_tuning_the_top_layer_separates_the_training_rows(
    tiny_encoder: Path, states: list[np.ndarray]
) -> None:
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    model = top_classifier(tiny_encoder, first_tuned=1)
    args = TopTuneArgs(first_tuned=1, epochs=30, batch_size=8, learning_rate=3e-3, threads=1)
    tune_top(model, states, labels, args)
    proba = positive_proba(model, states)
    assert proba.shape == (len(labels),)
    assert ((proba >= 0.5) == np.array(labels)).mean() >= 0.95


def test_tuning_changes_only_the_copied_layers(tiny_encoder: Path, states: list[np.ndarray]) -> None:
    from transformers import BertModel

    model = top_classifier(tiny_encoder, first_tuned=1)
    tune_top(model, states[:8], [1, 0] * 4, TopTuneArgs(first_tuned=1, epochs=1, batch_size=4, threads=1))
    original = BertModel.from_pretrained(tiny_encoder, add_pooling_layer=False)
    tuned = dict(model.layers[0].named_parameters())
    untouched = dict(original.encoder.layer[1].named_parameters())
    assert any(not np.allclose(tuned[k].detach(), untouched[k].detach()) for k in untouched)


def test_a_label_per_row_is_required(tiny_encoder: Path, states: list[np.ndarray]) -> None:
    with pytest.raises(ValueError, match="one label per row"):
        tune_top(top_classifier(tiny_encoder, first_tuned=1), states[:3], [1], TopTuneArgs(first_tuned=1))


def test_the_first_tuned_layer_must_leave_a_frozen_one(tiny_encoder: Path) -> None:
    with pytest.raises(ValueError, match="first_tuned must be between 1 and 1"):
        top_classifier(tiny_encoder, first_tuned=2)
