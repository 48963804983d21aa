"""What a `SentimentClassifier` runs on cleaned texts to get P(positive): a HF classifier, or a head on frozen e5."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import length_sorted_batches, pad
from nlp.sentiment.e5_head import E5Head
from nlp.sentiment.labels import LabelRoles

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from nlp.encoder.runtime import OnnxE5Encoder

Scores = npt.NDArray[np.float64]
_FALLBACK_MAX_LENGTH = 512


class Scorer(Protocol):
    """P(positive) in [0, 1] for each cleaned, non-empty text."""

    def __call__(self, cleaned: list[str]) -> Scores: ...

    def parameters(self) -> int:
        """Trained parameters, for the model card."""
        ...


class TransformerScorer:
    """A sequence-classification model: P(positive labels) + half of any other (neutral) label's probability."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        roles: LabelRoles,
        max_length: int,
        batch_size: int = 64,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        model.train(False)  # inference mode: no dropout
        self.model = model
        self.tokenizer = tokenizer
        self.roles = roles
        self.max_length = max_length
        self.batch_size = batch_size

    def __call__(self, cleaned: list[str]) -> Scores:
        import torch

        scores = np.full(len(cleaned), 0.5)
        if not cleaned:
            return scores
        encoded = self.tokenizer(cleaned, truncation=True, max_length=self.max_length)["input_ids"]
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for batch in length_sorted_batches(encoded, self.batch_size):
                ids, mask = pad([encoded[i] for i in batch], pad_id)
                logits = self.model(
                    input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)
                ).logits
                proba = torch.softmax(logits.float(), dim=-1)
                positive = proba[:, list(self.roles.positive)].sum(dim=-1)
                negative = proba[:, list(self.roles.negative)].sum(dim=-1)
                other = 1.0 - positive - negative
                scores[batch] = (positive + 0.5 * other).clamp(0.0, 1.0).numpy()
        return scores

    def parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())


class FrozenE5Scorer:
    """The e5 encoder's sentence embedding (int8, ONNX Runtime) through a logistic-regression head."""

    def __init__(self, encoder: OnnxE5Encoder, head: E5Head) -> None:
        if encoder.dim != head.dim:
            raise ValueError(f"the head expects {head.dim}-wide embeddings, the encoder gives {encoder.dim}")
        self.encoder = encoder
        self.head = head

    def __call__(self, cleaned: list[str]) -> Scores:
        if not cleaned:
            return np.full(0, 0.5)
        return self.head.predict_proba(self.encoder.embed(cleaned))

    def parameters(self) -> int:
        return 3 * self.head.dim + 1


def max_length_of(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, ours: dict[str, Any]) -> int:
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
