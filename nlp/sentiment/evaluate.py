"""Accuracy, macro-F1, confusion matrix and throughput of a `SentimentClassifier` on a labelled CSV."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nlp.sentiment.data import load_reviews
from nlp.sentiment.metrics import binary_metrics
from nlp.sentiment.predict import SentimentClassifier
from nlp.sentiment.thresholds import Sentiment


@dataclass(frozen=True)
class EvalReport:
    """confusion[gold][predicted], 0 = negative, 1 = positive; neutral_share = share of three-way neutrals."""

    path: str
    count: int
    accuracy: float
    macro_f1: float
    confusion: tuple[tuple[int, int], tuple[int, int]]
    neutral_share: float
    reviews_per_second: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        (tn, fp), (fn, tp) = self.confusion
        return "\n".join(
            [
                f"{self.path}: {self.count} reviews",
                f"accuracy  {self.accuracy:.4f}",
                f"macro-F1  {self.macro_f1:.4f}",
                f"neutral   {self.neutral_share:.1%} of reviews fall in the three-way neutral band",
                "confusion (rows gold, columns predicted)",
                "            negative  positive",
                f"negative  {tn:>10}{fp:>10}",
                f"positive  {fn:>10}{tp:>10}",
                f"throughput {self.reviews_per_second:.0f} reviews/s",
            ]
        )


def evaluate_csv(classifier: SentimentClassifier, path: str | Path) -> EvalReport:
    """Score every review of a `label,text[,category]` CSV; the timing covers clean-up, tokenising and model."""
    reviews = load_reviews([path])
    texts = [r.text for r in reviews]
    started = time.perf_counter()
    results = classifier.predict(texts)
    seconds = time.perf_counter() - started
    metrics = binary_metrics(
        [r.label for r in reviews], [int(r.label2 is Sentiment.POSITIVE) for r in results]
    )
    return EvalReport(
        path=str(path),
        count=metrics.count,
        accuracy=metrics.accuracy,
        macro_f1=metrics.macro_f1,
        confusion=metrics.confusion,
        neutral_share=sum(r.label3 is Sentiment.NEUTRAL for r in results) / len(results),
        reviews_per_second=len(texts) / seconds if seconds > 0 else float("inf"),
    )
