"""`SentimentClassifier`: review sentiment from our frozen-e5 model dir or any Hugging Face classifier dir."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.e5_head import E5Head
from nlp.sentiment.labels import label_roles
from nlp.sentiment.preprocess import clean_review
from nlp.sentiment.scorers import FrozenE5Scorer, Scorer, TransformerScorer, max_length_of
from nlp.sentiment.tfidf import TfidfSentiment
from nlp.sentiment.thresholds import Sentiment, ThreeWayThresholds, binary_label

logger = logging.getLogger(__name__)

CONFIG_KEY = "huisheng_sentiment"  # our settings inside config.json
FROZEN_FILE = "sentiment.json"  # a frozen-e5 model dir's description (it has no config.json)
FROZEN_KIND = "frozen-e5"
_FROZEN_KEYS = {"kind", "encoder", "e5_head", "tfidf_head", "ensemble_weight"}


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """label3: positive / neutral / negative; score: P(positive) in [0, 1]; label2: positive / negative."""

    label3: Sentiment
    score: float
    label2: Sentiment


class SentimentClassifier:
    """Scores reviews with a `Scorer` (HF classifier or frozen-e5 head), optionally averaged with a TF-IDF head."""

    def __init__(
        self,
        scorer: Scorer,
        *,
        thresholds: ThreeWayThresholds,
        head: TfidfSentiment | None = None,
        head_weight: float = 0.0,
        residual: bool = False,
    ) -> None:
        self.scorer = scorer
        self.thresholds = thresholds
        self.head = head
        self.head_weight = head_weight if head is not None else 0.0
        # residual: the transformer was trained to correct the head, so their logits add up
        self.residual = residual and head is not None
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_dir(
        cls,
        path: str | Path,
        *,
        encoder_dir: str | Path | None = None,
        batch_size: int = 64,
        num_threads: int | None = None,
        thresholds: ThreeWayThresholds | None = None,
        positive_labels: tuple[str, ...] | None = None,
    ) -> SentimentClassifier:
        """Load a HF model dir, or one of our frozen-e5 dirs (`sentiment.json`), which needs `encoder_dir`.

        `num_threads` sets torch's (process-wide) intra-op thread count, or the ONNX session's (default 1);
        `batch_size` applies to HF models (the e5 encoder embeds one text per run).
        """
        directory = Path(path)
        if (directory / FROZEN_FILE).is_file():
            return _load_frozen(directory, encoder_dir, num_threads=num_threads or 1, thresholds=thresholds)
        if not (directory / "config.json").is_file():
            raise FileNotFoundError(
                f"{directory} is not a sentiment model dir (no config.json, no {FROZEN_FILE})"
            )
        return _load_transformer(
            directory,
            batch_size=batch_size,
            num_threads=num_threads,
            thresholds=thresholds,
            positive_labels=positive_labels,
        )

    def predict(self, texts: Sequence[str]) -> list[SentimentResult]:
        """One result per text, in order. Texts with nothing left after clean-up are neutral at 0.5."""
        scores, blank = self._scores(texts)
        return [
            SentimentResult(
                Sentiment.NEUTRAL if is_blank else self.thresholds.decide(score), score, binary_label(score)
            )
            for score, is_blank in zip(scores, blank, strict=True)
        ]

    async def apredict(self, texts: Sequence[str]) -> list[SentimentResult]:
        """`predict` on a dedicated worker thread, so the event loop keeps serving while the model runs."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentiment")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.predict, list(texts))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def predict_scores(self, texts: Sequence[str]) -> list[float]:
        """P(positive) per text: the transformer's, averaged with the TF-IDF head when the dir ships one."""
        return self._scores(texts)[0]

    def _scores(self, texts: Sequence[str]) -> tuple[list[float], list[bool]]:
        model_scores, head_scores, blank = self.score_parts(texts)
        scores = model_scores
        if head_scores is not None and self.residual:
            scores = _sigmoid(_logit(model_scores) + _logit(head_scores))
        elif head_scores is not None:
            scores = (1.0 - self.head_weight) * model_scores + self.head_weight * head_scores
        scores[blank] = 0.5
        return [float(s) for s in scores], blank.tolist()

    def score_parts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(transformer P(positive), TF-IDF head P(positive) or None, mask of texts blank after clean-up)."""
        cleaned = [clean_review(text) for text in _checked(texts)]
        blank = np.array([not text for text in cleaned], dtype=bool)
        model_scores = np.full(len(cleaned), 0.5)
        if cleaned:
            model_scores = self.scorer(cleaned)
        head_scores = None
        if self.head is not None and (self.head_weight > 0 or self.residual) and cleaned:
            head_scores = self.head.predict_proba(cleaned)
        return model_scores, head_scores, blank


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    result: np.ndarray = np.log(clipped / (1 - clipped))
    return result


def _sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


def _checked(texts: Sequence[str]) -> Sequence[str]:
    if isinstance(texts, str):
        raise TypeError("predict() takes a list of texts, not a single string")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text #{index} is {type(text).__name__}, not str")
        if not text:
            raise ValueError(f"text #{index} is empty; there is nothing to classify")
    return texts


def _load_transformer(
    directory: Path,
    *,
    batch_size: int,
    num_threads: int | None,
    thresholds: ThreeWayThresholds | None,
    positive_labels: tuple[str, ...] | None,
) -> SentimentClassifier:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if num_threads is not None:
        torch.set_num_threads(num_threads)
    model = AutoModelForSequenceClassification.from_pretrained(str(directory)).float()
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    ours: dict[str, Any] = getattr(model.config, CONFIG_KEY, None) or {}
    head = None
    head_weight = 0.0
    if ours.get("tfidf_head") and (directory / ours["tfidf_head"]).is_file():
        head = TfidfSentiment.load(directory / ours["tfidf_head"])
        head_weight = 1.0 - float(ours.get("ensemble_weight", 1.0))
    scorer = TransformerScorer(
        model,
        tokenizer,
        roles=label_roles(model.config.id2label, positive_labels=positive_labels),
        max_length=max_length_of(model, tokenizer, ours),
        batch_size=batch_size,
    )
    return SentimentClassifier(
        scorer,
        thresholds=thresholds or _stored_thresholds(ours),
        head=head,
        head_weight=head_weight,
        residual=ours.get("combine") == "residual",
    )


def _load_frozen(
    directory: Path,
    encoder_dir: str | Path | None,
    *,
    num_threads: int,
    thresholds: ThreeWayThresholds | None,
) -> SentimentClassifier:
    from nlp.encoder.runtime import OnnxE5Encoder

    ours: dict[str, Any] = json.loads((directory / FROZEN_FILE).read_text(encoding="utf-8"))
    missing = sorted(_FROZEN_KEYS - set(ours))
    if missing:
        raise ValueError(f"{directory / FROZEN_FILE} lacks {', '.join(missing)}: retrain the model")
    if ours.get("kind") != FROZEN_KIND:
        raise ValueError(
            f"{directory / FROZEN_FILE} describes a {ours.get('kind')!r} model, not {FROZEN_KIND}"
        )
    if encoder_dir is None:
        raise FileNotFoundError(
            f"{directory} scores with the e5 encoder: pass encoder_dir (built by make encoder)"
        )
    check_encoder(Path(encoder_dir), ours["encoder"])
    scorer = FrozenE5Scorer(
        OnnxE5Encoder.from_dir(Path(encoder_dir), threads=num_threads),
        E5Head.load(directory / ours["e5_head"]),
    )
    return SentimentClassifier(
        scorer,
        thresholds=thresholds or _stored_thresholds(ours),
        head=TfidfSentiment.load(directory / ours["tfidf_head"]),
        head_weight=1.0 - float(ours["ensemble_weight"]),
    )


def check_encoder(encoder_dir: Path, expected: dict[str, Any]) -> None:
    """Refuse an encoder other than the one the head was trained on: its embeddings would mean something else."""
    from nlp.encoder.build import encoder_identity

    found = encoder_identity(encoder_dir)
    if found != expected:
        raise ValueError(
            f"the sentiment head was trained on encoder {expected}, but {encoder_dir} holds {found}: "
            "rebuild the encoder (make encoder) or retrain the head"
        )


def _stored_thresholds(ours: dict[str, Any]) -> ThreeWayThresholds:
    stored = ours.get("thresholds")
    return ThreeWayThresholds.from_dict(stored) if stored else ThreeWayThresholds()
