"""Binary classification metrics without extra dependencies: accuracy, macro-F1, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BinaryMetrics:
    """confusion[gold][predicted] with 0 = negative, 1 = positive."""

    accuracy: float
    macro_f1: float
    confusion: tuple[tuple[int, int], tuple[int, int]]
    count: int


def binary_metrics(gold: Sequence[int], predicted: Sequence[int]) -> BinaryMetrics:
    if len(gold) != len(predicted) or not gold:
        raise ValueError("gold and predicted must be non-empty and of equal length")
    cells = [[0, 0], [0, 0]]
    for g, p in zip(gold, predicted, strict=True):
        cells[int(g)][int(p)] += 1
    f1s = []
    for label in (0, 1):
        true_positive = cells[label][label]
        predicted_count = cells[0][label] + cells[1][label]
        gold_count = sum(cells[label])
        denominator = predicted_count + gold_count
        f1s.append(2 * true_positive / denominator if denominator else 0.0)
    correct = cells[0][0] + cells[1][1]
    return BinaryMetrics(
        accuracy=correct / len(gold),
        macro_f1=sum(f1s) / 2,
        confusion=((cells[0][0], cells[0][1]), (cells[1][0], cells[1][1])),
        count=len(gold),
    )
