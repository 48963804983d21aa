"""`E5Head`: logistic regression on standardised frozen e5 sentence embeddings, stored as plain arrays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

E5_HEAD_FILE = "e5_head.npz"
DEFAULT_C = 0.0003
"""Strong regularisation generalised best across domains (LODO, docs/sentiment-experiments.md)."""

Array = npt.NDArray[Any]


class E5Head:
    """P(positive) from an embedding: sigmoid(coef · (x − mean) / std + intercept)."""

    def __init__(self, mean: Array, std: Array, coef: Array, intercept: float) -> None:
        if not mean.shape == std.shape == coef.shape or mean.ndim != 1:
            raise ValueError("mean, std and coef must be vectors of one length")
        self.mean = mean.astype(np.float32)
        self.std = std.astype(np.float32)
        self.coef = coef.astype(np.float32)
        self.intercept = float(intercept)

    @property
    def dim(self) -> int:
        return int(self.coef.shape[0])

    @classmethod
    def fit(
        cls, vectors: Array, labels: Array, *, c: float = DEFAULT_C, sample_weight: Array | None = None
    ) -> E5Head:
        from sklearn.linear_model import LogisticRegression

        mean = vectors.mean(axis=0)
        std = vectors.std(axis=0) + 1e-6
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit((vectors - mean) / std, labels, sample_weight=sample_weight)
        return cls(mean, std, model.coef_[0], float(model.intercept_[0]))

    def decision(self, vectors: Array) -> npt.NDArray[np.float64]:
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected embeddings of width {self.dim}, got shape {vectors.shape}")
        z = (vectors.astype(np.float32) - self.mean) / self.std
        return np.asarray(z @ self.coef + self.intercept, dtype=np.float64)

    def predict_proba(self, vectors: Array) -> npt.NDArray[np.float64]:
        proba: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self.decision(vectors)))
        return proba

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / E5_HEAD_FILE
        np.savez_compressed(
            path, mean=self.mean, std=self.std, coef=self.coef, intercept=np.asarray([self.intercept])
        )
        return path

    @classmethod
    def load(cls, path: str | Path) -> E5Head:
        with np.load(Path(path), allow_pickle=False) as arrays:
            return cls(arrays["mean"], arrays["std"], arrays["coef"], float(arrays["intercept"][0]))
