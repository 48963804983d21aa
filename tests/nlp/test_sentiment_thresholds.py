"""Three-way thresholds, their calibration, and mapping of foreign label names."""

from __future__ import annotations

import pytest

from nlp.sentiment.labels import label_roles
from nlp.sentiment.thresholds import Sentiment, ThreeWayThresholds, binary_label, calibrate_thresholds


def test_thresholds_split_scores_into_three_regions() -> None:
    thresholds = ThreeWayThresholds(negative_below=0.3, positive_from=0.7)

    assert thresholds.decide(0.1) is Sentiment.NEGATIVE
    assert thresholds.decide(0.3) is Sentiment.NEUTRAL
    assert thresholds.decide(0.69) is Sentiment.NEUTRAL
    assert thresholds.decide(0.7) is Sentiment.POSITIVE


def test_binary_label_counts_a_tie_as_positive() -> None:
    assert binary_label(0.5) is Sentiment.POSITIVE
    assert binary_label(0.4999) is Sentiment.NEGATIVE


def test_thresholds_must_surround_one_half() -> None:
    with pytest.raises(ValueError, match="negative_below"):
        ThreeWayThresholds(negative_below=0.6, positive_from=0.8)


def test_calibration_puts_confusable_scores_in_the_neutral_band() -> None:
    scores = [0.05, 0.1, 0.2, 0.45, 0.55, 0.6, 0.9, 0.95, 0.97]
    labels = [0, 0, 0, 1, 0, 1, 1, 1, 1]

    thresholds = calibrate_thresholds(scores, labels, target_precision=0.95)

    assert thresholds.negative_below == pytest.approx(0.325)  # halfway 0.2 (last clean negative) → 0.45
    assert thresholds.positive_from == pytest.approx(0.575)  # halfway 0.55 (a negative) → 0.6
    assert [thresholds.decide(s) for s in (0.2, 0.5, 0.9)] == [
        Sentiment.NEGATIVE,
        Sentiment.NEUTRAL,
        Sentiment.POSITIVE,
    ]


def test_calibration_of_separable_scores_leaves_no_neutral_band() -> None:
    thresholds = calibrate_thresholds([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])

    assert thresholds == ThreeWayThresholds(negative_below=0.5, positive_from=0.5)


@pytest.mark.parametrize(
    ("id2label", "positive", "negative"),
    [
        ({0: "negative", 1: "positive"}, (1,), (0,)),
        ({0: "POS", 1: "NEG"}, (0,), (1,)),
        ({0: "LABEL_0", 1: "LABEL_1"}, (1,), (0,)),
        ({0: "消极", 1: "中性", 2: "积极"}, (2,), (0,)),
    ],
)
def test_label_roles_recognise_common_label_names(
    id2label: dict[int, str], positive: tuple[int, ...], negative: tuple[int, ...]
) -> None:
    roles = label_roles(id2label)

    assert (roles.positive, roles.negative) == (positive, negative)


def test_label_roles_refuse_to_guess_unknown_multi_class_labels() -> None:
    with pytest.raises(ValueError, match="positive_labels"):
        label_roles({0: "a", 1: "b", 2: "c"})
    assert label_roles({0: "a", 1: "b", 2: "c"}, positive_labels=("c",)).positive == (2,)
