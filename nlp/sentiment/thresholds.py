"""Three-way (positive / neutral / negative) decisions from a positive-probability score, calibrated on validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True)
class ThreeWayThresholds:
    """score >= positive_from → positive; score < negative_below → negative; in between → neutral."""

    negative_below: float = 0.35
    positive_from: float = 0.65

    def __post_init__(self) -> None:
        if not 0.0 <= self.negative_below <= 0.5 <= self.positive_from <= 1.0:
            raise ValueError(
                f"need 0 <= negative_below <= 0.5 <= positive_from <= 1, got {self.negative_below}, "
                f"{self.positive_from}"
            )

    def decide(self, score: float) -> Sentiment:
        if score >= self.positive_from:
            return Sentiment.POSITIVE
        if score < self.negative_below:
            return Sentiment.NEGATIVE
        return Sentiment.NEUTRAL

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThreeWayThresholds:
        return cls(float(data["negative_below"]), float(data["positive_from"]))


def binary_label(score: float) -> Sentiment:
    """Two-way decision: ties at exactly 0.5 count as positive."""
    return Sentiment.POSITIVE if score >= 0.5 else Sentiment.NEGATIVE


def calibrate_thresholds(
    scores: Sequence[float], labels: Sequence[int], *, target_precision: float = 0.95
) -> ThreeWayThresholds:
    """Widest positive / negative regions whose validation precision still reaches `target_precision`.

    Reviews scored between the two thresholds are the ones the model gets wrong too often to call:
    those become neutral. Falls back to 0.5 (no neutral band) when precision is reached everywhere.
    """
    if len(scores) != len(labels) or not scores:
        raise ValueError("scores and labels must be non-empty and of equal length")
    pairs = sorted(zip(scores, labels, strict=True))
    # Each threshold sits halfway between the last score that keeps the precision and its neighbour.
    positive_from = 1.0
    correct = 0
    for count, index in enumerate(range(len(pairs) - 1, -1, -1), start=1):  # down from the top score
        score, label = pairs[index]
        correct += label == 1
        if score >= 0.5 and correct / count >= target_precision:
            below = pairs[index - 1][0] if index > 0 else 0.5
            positive_from = max(0.5, (score + below) / 2)
    negative_below = 0.0
    correct = 0
    for index, (score, label) in enumerate(pairs):  # up from the bottom score
        correct += label == 0
        if score < 0.5 and correct / (index + 1) >= target_precision:
            above = pairs[index + 1][0] if index + 1 < len(pairs) else 0.5
            negative_below = min(0.5, (score + above) / 2)
    return ThreeWayThresholds(round(negative_below, 4), round(positive_from, 4))
