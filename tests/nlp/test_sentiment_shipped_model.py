"""The shipped default model in nlp/resources/models/sentiment-zh, on the encoder `make encoder` builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.sentiment.predict import FROZEN_FILE, SentimentClassifier
from nlp.sentiment.thresholds import Sentiment

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "nlp" / "resources" / "models" / "sentiment-zh"
ENCODER = ROOT / "data" / "models" / "e5-small"


@pytest.fixture(scope="module")
def shipped() -> SentimentClassifier:
    if not (SHIPPED / FROZEN_FILE).is_file():
        pytest.fail(f"the default sentiment model is missing from {SHIPPED}")
    if not (ENCODER / "checksum.sha256").is_file():
        pytest.fail(f"the encoder is not built in {ENCODER}: make test builds it (make encoder)")
    return SentimentClassifier.from_dir(SHIPPED, encoder_dir=ENCODER)


def test_shipped_model_reads_obvious_reviews(shipped: SentimentClassifier) -> None:
    results = shipped.predict(
        ["东西很好，物流也快，非常满意", "质量太差了，用了一天就坏，退货", "iPhone 5G 信号很差"]
    )

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE, Sentiment.NEGATIVE]
    assert results[0].score > 0.8 and results[1].score < 0.2


def test_shipped_model_reads_domains_it_never_trained_on(shipped: SentimentClassifier) -> None:
    # hotel, book and restaurant reviews: none of these domains is in the training files
    results = shipped.predict(
        [
            "房间干净，前台服务热情，下次出差还住这家",
            "隔音太差，一晚上没睡好，空调还漏水",
            "这本书翻译流畅，故事引人入胜",
            "菜又咸又油，服务员爱理不理",
        ]
    )

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE] * 2


def test_shipped_model_reads_traditional_characters_and_full_width_forms(
    shipped: SentimentClassifier,
) -> None:
    results = shipped.predict(["質量很好，物流很快，非常滿意", "ＴＭＤ垃圾產品，退錢！！"])

    assert [r.label2 for r in results] == [Sentiment.POSITIVE, Sentiment.NEGATIVE]


def test_a_review_scores_the_same_alone_and_in_a_batch(shipped: SentimentClassifier) -> None:
    texts = ["还行吧，一般般", "非常好", "客服态度差，等了三天没人理"]

    batched = shipped.predict_scores(texts)

    assert batched == pytest.approx([shipped.predict_scores([text])[0] for text in texts], abs=1e-6)
