"""Tests for the frozen-embedding sentiment heads on a tiny synthetic set (no model, no corpus)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.sentiment.frozen import E5_GRID, STACK_GRID, best_blend_weight, fold_scores


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.tile([0, 1], 60)
    groups = np.repeat(["a", "b", "c", "d"], 30)
    words = {0: ["太差", "失望", "退货"], 1: ["很好", "满意", "喜欢"]}
    texts = [f"{words[int(y)][i % 3]}{words[int(y)][(i + 1) % 3]}，第{i}件" for i, y in enumerate(labels)]
    vectors = rng.normal(size=(len(labels), 8)) + labels[:, None] * 1.5
    return texts, vectors.astype(np.float32), labels, groups


def test_every_head_scores_every_test_row(
    synthetic: tuple[list[str], np.ndarray, np.ndarray, np.ndarray],
) -> None:
    texts, vectors, labels, groups = synthetic
    train, test = np.flatnonzero(groups != "d"), np.flatnonzero(groups == "d")
    scores = fold_scores(texts, vectors, labels, groups, train, test)
    expected = {"tfidf"} | {f"{h}@{c:g}" for h in ("e5_lr", "mean", "blend") for c in E5_GRID}
    expected |= {f"stack@{c:g}" for c in STACK_GRID}
    assert expected <= set(scores)
    for name in expected:
        assert scores[name].shape == (len(test),)
        assert ((scores[name] >= 0) & (scores[name] <= 1)).all(), name


def test_separable_synthetic_data_is_learned(
    synthetic: tuple[list[str], np.ndarray, np.ndarray, np.ndarray],
) -> None:
    texts, vectors, labels, groups = synthetic
    train, test = np.flatnonzero(groups != "d"), np.flatnonzero(groups == "d")
    scores = fold_scores(texts, vectors, labels, groups, train, test)
    assert ((scores["tfidf"] >= 0.5) == labels[test]).mean() == 1.0
    assert ((scores["stack@0.03"] >= 0.5) == labels[test]).mean() >= 0.9


def test_blend_weight_goes_to_the_model_that_is_right() -> None:
    labels = np.array([0, 1, 0, 1, 1, 0])
    right = labels * 0.8 + 0.1
    wrong = 1.0 - right
    assert best_blend_weight(tfidf_proba=wrong, e5_proba=right, labels=labels) > 0.5
    assert best_blend_weight(tfidf_proba=right, e5_proba=wrong, labels=labels) < 0.5


def test_blend_weight_ties_go_to_an_even_mix() -> None:
    labels = np.array([0, 1])
    proba = np.array([0.2, 0.8])
    assert best_blend_weight(tfidf_proba=proba, e5_proba=proba, labels=labels) == 0.5
