"""`SentimentClassifier`: batched review sentiment from a Hugging Face model dir (ours or any Chinese classifier)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.sentiment.labels import LabelRoles, label_roles
from nlp.sentiment.preprocess import clean_review
from nlp.sentiment.tfidf import TfidfSentiment
from nlp.sentiment.thresholds import Sentiment, ThreeWayThresholds, binary_label

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

CONFIG_KEY = "huisheng_sentiment"  # our settings inside config.json
_FALLBACK_MAX_LENGTH = 512


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """label3: positive / neutral / negative; score: P(positive) in [0, 1]; label2: positive / negative."""

    label3: Sentiment
    score: float
    label2: Sentiment


class SentimentClassifier:
    """Scores reviews with a sequence-classification model, optionally averaged with a TF-IDF head."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        roles: LabelRoles,
        thresholds: ThreeWayThresholds,
        max_length: int,
        batch_size: int = 64,
        head: TfidfSentiment | None = None,
        head_weight: float = 0.0,
        residual: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.model = model
        model.train(False)  # inference mode: no dropout
        self.tokenizer = tokenizer
        self.roles = roles
        self.thresholds = thresholds
        self.max_length = max_length
        self.batch_size = batch_size
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
        batch_size: int = 64,
        num_threads: int | None = None,
        thresholds: ThreeWayThresholds | None = None,
        positive_labels: tuple[str, ...] | None = None,
    ) -> SentimentClassifier:
        """Load a model dir; `num_threads` sets torch's (process-wide) intra-op thread count."""
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        directory = Path(path)
        if not (directory / "config.json").is_file():
            raise FileNotFoundError(f"{directory} is not a Hugging Face model dir (no config.json)")
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        model = AutoModelForSequenceClassification.from_pretrained(str(directory)).float()
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        ours: dict[str, Any] = getattr(model.config, CONFIG_KEY, None) or {}
        if thresholds is None:
            stored = ours.get("thresholds")
            thresholds = ThreeWayThresholds.from_dict(stored) if stored else ThreeWayThresholds()
        head = None
        head_weight = 0.0
        if ours.get("tfidf_head") and (directory / ours["tfidf_head"]).is_file():
            head = TfidfSentiment.load(directory / ours["tfidf_head"])
            head_weight = 1.0 - float(ours.get("ensemble_weight", 1.0))
        residual = ours.get("combine") == "residual"
        return cls(
            model,
            tokenizer,
            roles=label_roles(model.config.id2label, positive_labels=positive_labels),
            thresholds=thresholds,
            max_length=_max_length(model, tokenizer, ours),
            batch_size=batch_size,
            head=head,
            head_weight=head_weight,
            residual=residual,
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
        model_scores = self._model_scores(cleaned)
        head_scores = None
        if self.head is not None and (self.head_weight > 0 or self.residual) and cleaned:
            head_scores = self.head.predict_proba(cleaned)
        return model_scores, head_scores, blank

    def _model_scores(self, cleaned: list[str]) -> np.ndarray:
        import torch

        scores = np.full(len(cleaned), 0.5)
        if not cleaned:
            return scores
        encoded = self.tokenizer(cleaned, truncation=True, max_length=self.max_length)["input_ids"]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))  # similar lengths → little padding
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                width = max(len(encoded[i]) for i in batch)
                ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):
                    ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                    mask[row, : len(encoded[i])] = 1
                proba = torch.softmax(self.model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)
                positive = proba[:, list(self.roles.positive)].sum(dim=-1)
                negative = proba[:, list(self.roles.negative)].sum(dim=-1)
                other = 1.0 - positive - negative
                scores[batch] = (positive + 0.5 * other).clamp(0.0, 1.0).numpy()
        return scores


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


def _max_length(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, ours: dict[str, Any]) -> int:
    """Stored length, else the smallest of the tokenizer limit and the position table (RoBERTa offsets by 2)."""
    if ours.get("max_length"):
        return int(ours["max_length"])
    limits = [_FALLBACK_MAX_LENGTH]
    if 0 < tokenizer.model_max_length < 100_000:
        limits.append(int(tokenizer.model_max_length))
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions:
        offset = 2 if getattr(model.config, "model_type", "") in {"roberta", "xlm-roberta"} else 0
        limits.append(int(positions) - offset)
    return min(limits)
