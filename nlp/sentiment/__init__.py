"""Review sentiment: train, load, predict and evaluate (an HF model directory or a head on the frozen e5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlp.lazy import lazy_exports

if TYPE_CHECKING:
    from nlp.sentiment.args import SentimentTrainArgs
    from nlp.sentiment.evaluate import EvalReport, evaluate_csv
    from nlp.sentiment.predict import SentimentClassifier, SentimentResult
    from nlp.sentiment.thresholds import Sentiment, ThreeWayThresholds
    from nlp.sentiment.train import TrainResult, train_sentiment

# Exported name -> module; torch and transformers load only when a model is built or loaded.
_EXPORTS = {
    "EvalReport": "nlp.sentiment.evaluate",
    "evaluate_csv": "nlp.sentiment.evaluate",
    "Sentiment": "nlp.sentiment.thresholds",
    "SentimentClassifier": "nlp.sentiment.predict",
    "SentimentResult": "nlp.sentiment.predict",
    "SentimentTrainArgs": "nlp.sentiment.args",
    "ThreeWayThresholds": "nlp.sentiment.thresholds",
    "TrainResult": "nlp.sentiment.train",
    "train_sentiment": "nlp.sentiment.train",
}

__all__ = [
    "EvalReport",
    "Sentiment",
    "SentimentClassifier",
    "SentimentResult",
    "SentimentTrainArgs",
    "ThreeWayThresholds",
    "TrainResult",
    "evaluate_csv",
    "train_sentiment",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
