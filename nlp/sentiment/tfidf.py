"""Character 1–3-gram TF-IDF + logistic-regression sentiment model: baseline, distillation teacher, ensemble head."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

HEAD_FILE = "tfidf_head.npz"


def _vectorizer(vocabulary: dict[str, int] | None = None, min_df: int = 2) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        min_df=min_df if vocabulary is None else 1,
        sublinear_tf=True,
        lowercase=True,
        dtype=np.float32,
        vocabulary=vocabulary,
    )


class TfidfSentiment:
    """Fit on cleaned texts with 0/1 labels; `predict_proba` returns P(positive) per text."""

    def __init__(self, *, c: float = 1.0, min_df: int = 2) -> None:
        self.c = c
        self.min_df = min_df
        self._vectorizer: TfidfVectorizer | None = None
        self._coef: np.ndarray | None = None
        self._intercept = 0.0

    def fit(self, texts: Sequence[str], labels: Sequence[int]) -> TfidfSentiment:
        from sklearn.linear_model import LogisticRegression

        vectorizer = _vectorizer(min_df=self.min_df)
        features = vectorizer.fit_transform(texts)
        model = LogisticRegression(C=self.c, solver="liblinear", max_iter=1000)
        model.fit(features, np.asarray(labels))
        self._vectorizer = vectorizer
        self._coef = model.coef_[0].astype(np.float32)
        self._intercept = float(model.intercept_[0])
        return self

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        if self._vectorizer is None or self._coef is None:
            raise RuntimeError("TfidfSentiment is not fitted")
        features = self._vectorizer.transform(texts)
        decision: np.ndarray = np.asarray(features @ self._coef + self._intercept, dtype=np.float64)
        return decision

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        proba: np.ndarray = 1.0 / (1.0 + np.exp(-self.decision(texts)))
        return proba

    def save(self, directory: str | Path) -> Path:
        """Store n-grams, idf and weights as plain arrays (no pickle: safe to load from a model dir)."""
        if self._vectorizer is None or self._coef is None:
            raise RuntimeError("TfidfSentiment is not fitted")
        vocabulary: dict[str, int] = self._vectorizer.vocabulary_
        ngrams = np.empty(len(vocabulary), dtype="<U3")
        for ngram, index in vocabulary.items():
            ngrams[index] = ngram
        path = Path(directory) / HEAD_FILE
        np.savez_compressed(
            path,
            ngrams=ngrams,
            idf=self._vectorizer.idf_.astype(np.float32),
            coef=self._coef,
            intercept=np.asarray([self._intercept], dtype=np.float64),
        )
        return path

    @classmethod
    def load(cls, path: str | Path) -> TfidfSentiment:
        with np.load(Path(path), allow_pickle=False) as arrays:
            ngrams: Any = arrays["ngrams"]
            vectorizer = _vectorizer(vocabulary={str(g): i for i, g in enumerate(ngrams)})
            vectorizer.idf_ = arrays["idf"]
            head = cls()
            head._vectorizer = vectorizer
            head._coef = arrays["coef"]
            head._intercept = float(arrays["intercept"][0])
        return head


def out_of_fold_proba(texts: Sequence[str], labels: Sequence[int], *, folds: int, seed: int) -> np.ndarray:
    """P(positive) for each text from a model that never saw it: honest soft targets for distillation."""
    rng = np.random.default_rng(seed)
    assignment = rng.integers(0, folds, size=len(texts))
    text_array = np.asarray(texts, dtype=object)
    label_array = np.asarray(labels)
    proba = np.zeros(len(texts), dtype=np.float64)
    for fold in range(folds):
        held = assignment == fold
        model = TfidfSentiment().fit(list(text_array[~held]), list(label_array[~held]))
        proba[held] = model.predict_proba(list(text_array[held]))
    return proba
