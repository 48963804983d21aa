"""The torch intent classifier: e5's mean-pooled, unit-length embedding through one linear layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from nlp.encoder.pooling import mean_pooled


class PooledClassifier(torch.nn.Module):
    """Logits = head(scale · normalise(mean of the token states under the mask)): a cosine classifier."""

    def __init__(self, bert: Any, *, num_labels: int, scale: float) -> None:
        super().__init__()
        self.bert = bert
        self.head = torch.nn.Linear(int(bert.config.hidden_size), num_labels)
        self.scale = scale

    @classmethod
    def from_encoder(cls, encoder_dir: Path, *, num_labels: int, scale: float) -> PooledClassifier:
        from transformers import BertModel

        # Eager attention: the ONNX export traces it, and the two attention paths give the same numbers.
        bert = BertModel.from_pretrained(encoder_dir, add_pooling_layer=False, attn_implementation="eager")
        return cls(bert, num_labels=num_labels, scale=scale)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits: torch.Tensor = self.head(mean_pooled(hidden, attention_mask) * self.scale)
        return logits


class Probabilities(torch.nn.Module):
    """The classifier with a softmax on top: what is exported, so serving needs no torch."""

    def __init__(self, classifier: PooledClassifier) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.classifier(input_ids, attention_mask), dim=-1)
