"""The one test that loads the shipped default model in nlp/resources/models/sentiment-zh."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.sentiment.predict import SentimentClassifier
from nlp.sentiment.thresholds import Sentiment

SHIPPED = Path(__file__).resolve().parents[2] / "nlp" / "resources" / "models" / "sentiment-zh"


def test_shipped_model_reads_obvious_reviews() -> None:
    if not (SHIPPED / "config.json").is_file():
        pytest.fail(f"the default sentiment model is missing from {SHIPPED}")
    classifier = SentimentClassifier.from_dir(SHIPPED, num_threads=2)

    results = classifier.predict(
        ["东西很好，物流也快，非常满意", "质量太差了，用了一天就坏，退货", "iPhone 5G 信号很差"]
    )

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE, Sentiment.NEGATIVE]
    assert results[0].score > 0.8 and results[1].score < 0.2
