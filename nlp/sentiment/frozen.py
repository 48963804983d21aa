"""Sentiment heads on frozen sentence embeddings, scored beside TF-IDF on one train/test split."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.sentiment.tfidf import TfidfSentiment

logger = logging.getLogger(__name__)

E5_GRID = (0.0003, 0.001, 0.003, 0.01)
"""C of the logistic regression on standardised embeddings; the notes found 0.001 best, C=1 a point worse."""
STACK_GRID = (0.003, 0.01, 0.03)
BLEND_WEIGHTS = tuple(round(w * 0.1, 1) for w in range(11))
INNER_FOLDS = 3
INNER_TFIDF_ROWS = 20_000  # inner TF-IDF fits only estimate a blend weight: a capped sample is enough

Array = npt.NDArray[Any]


def _sigmoid(x: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-x))
    return out


def standardise(train: Array, *others: Array) -> list[Array]:
    mean = train.mean(axis=0)
    std = train.std(axis=0) + 1e-6
    return [(a - mean) / std for a in (train, *others)]


def logreg(features: Array, labels: Array, c: float, weights: Array | None = None) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000).fit(features, labels, sample_weight=weights)


def domain_weights(groups: Array) -> Array:
    """Sample weights giving every domain the same total weight (mean weight 1)."""
    names, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    weights: Array = (len(groups) / (len(names) * counts))[inverse]
    return weights


def inner_oof(
    texts: Sequence[str], vectors: Array, labels: Array, groups: Array, *, seed: int
) -> tuple[Array, dict[float, Array]]:
    """Out-of-fold TF-IDF logits and e5-LR probabilities (per C) over domain-grouped folds of the training rows.

    Grouping by domain makes the estimate an out-of-domain one, like the test it is tuned for.
    """
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(seed)
    tfidf_logit = np.zeros(len(labels))
    e5_proba = {c: np.zeros(len(labels)) for c in E5_GRID}
    splitter = GroupKFold(n_splits=min(INNER_FOLDS, len(set(groups.tolist()))))
    for inner_train, inner_test in splitter.split(vectors, labels, groups):
        capped = inner_train
        if len(capped) > INNER_TFIDF_ROWS:
            capped = np.sort(rng.choice(inner_train, INNER_TFIDF_ROWS, replace=False))
        model = TfidfSentiment().fit([texts[i] for i in capped], labels[capped].tolist())
        tfidf_logit[inner_test] = model.decision([texts[i] for i in inner_test])
        z_train, z_test = standardise(vectors[inner_train], vectors[inner_test])
        for c in E5_GRID:
            e5_proba[c][inner_test] = logreg(z_train, labels[inner_train], c).predict_proba(z_test)[:, 1]
    return tfidf_logit, e5_proba


def best_blend_weight(tfidf_proba: Array, e5_proba: Array, labels: Array) -> float:
    """The e5 weight w in w·e5 + (1−w)·tfidf with the best accuracy (ties go to the weight nearest 0.5)."""

    def accuracy(w: float) -> float:
        return float((((w * e5_proba + (1 - w) * tfidf_proba) >= 0.5) == labels).mean())

    return max(BLEND_WEIGHTS, key=lambda w: (accuracy(w), -abs(w - 0.5)))


def fold_scores(
    texts: Sequence[str],
    vectors: Array,
    labels: Array,
    groups: Array,
    train: Array,
    test: Array,
    *,
    seed: int = 42,
) -> dict[str, Array]:
    """P(positive) on the test rows for every head; names with '@' carry the grid value.

    tfidf, e5_lr@C, mean@C (of the two), e5_bal@C and mean_bal@C (domains weighted equally), blend@C (weight from inner CV, stored as _w@C), stack@C (LR on
    standardised e5 + TF-IDF logit, trained on out-of-fold logits).
    """
    out: dict[str, Array] = {}
    train_texts = [texts[i] for i in train]
    test_texts = [texts[i] for i in test]
    y = labels[train]
    tfidf = TfidfSentiment().fit(train_texts, y.tolist())
    test_logit = tfidf.decision(test_texts)
    out["tfidf"] = _sigmoid(test_logit)
    z_train, z_test = standardise(vectors[train], vectors[test])
    e5 = {c: logreg(z_train, y, c).predict_proba(z_test)[:, 1] for c in E5_GRID}
    balanced = domain_weights(groups[train])
    oof_logit, oof_e5 = inner_oof(train_texts, vectors[train], y, groups[train], seed=seed)
    scale = float(oof_logit.std()) or 1.0
    for c in E5_GRID:
        out[f"e5_lr@{c:g}"] = e5[c]
        out[f"mean@{c:g}"] = 0.5 * (e5[c] + out["tfidf"])
        out[f"e5_bal@{c:g}"] = logreg(z_train, y, c, balanced).predict_proba(z_test)[:, 1]
        out[f"mean_bal@{c:g}"] = 0.5 * (out[f"e5_bal@{c:g}"] + out["tfidf"])
        w = best_blend_weight(_sigmoid(oof_logit), oof_e5[c], y)
        out[f"_w@{c:g}"] = np.array([w])
        out[f"blend@{c:g}"] = w * e5[c] + (1 - w) * out["tfidf"]
    stacked_train = np.hstack([z_train, (oof_logit / scale)[:, None]])
    stacked_test = np.hstack([z_test, (test_logit / scale)[:, None]])
    for c in STACK_GRID:
        out[f"stack@{c:g}"] = logreg(stacked_train, y, c).predict_proba(stacked_test)[:, 1]
    return out


def mlp_proba(vectors: Array, labels: Array, train: Array, test: Array, *, seed: int = 42) -> Array:
    """P(positive) from one hidden layer of 64 on standardised embeddings; early stopping on 10 % of train."""
    from sklearn.neural_network import MLPClassifier

    z_train, z_test = standardise(vectors[train], vectors[test])
    model = MLPClassifier(
        hidden_layer_sizes=(64,),
        alpha=1.0,
        batch_size=256,
        learning_rate_init=1e-3,
        max_iter=30,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=4,
        random_state=seed,
    )
    proba: Array = model.fit(z_train, labels[train]).predict_proba(z_test)[:, 1]
    return proba
