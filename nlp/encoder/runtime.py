"""Sentence embeddings from the int8 ONNX export under ONNX Runtime: the encoder the services run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import length_sorted_batches, pad, truncate
from nlp.encoder.quantise import INT8_FILE
from nlp.encoder.tokenizer import QUERY_PREFIX, E5Tokenizer

MAX_LENGTH = 512
ONE_AT_A_TIME = 1
"""Texts per run. Dynamic int8 quantisation scales activations by the range of the whole batch, so a text
batched with others (and their padding) moves by up to ~0.01 per dimension; one at a time, a text's
embedding never depends on its neighbours, and it costs little: 190-219 texts/s against 243/s at 8 and
46-87/s at 64 on this CPU (docs/sentiment-experiments.md)."""


class OnnxE5Encoder:
    """Embeds texts like `E5Encoder` (mean-pooled, L2-normalised), on int8 weights; thread-safe to call."""

    def __init__(self, session: Any, tokenizer: E5Tokenizer, *, dim: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.dim = dim

    @classmethod
    def from_dir(cls, model_dir: Path, *, threads: int = 1) -> OnnxE5Encoder:
        """Load `model.int8.onnx` from a built encoder dir; `threads` is ONNX Runtime's intra-op count.

        1 for a server sharing the cores with others; 2 for bulk jobs on an idle 2-core machine.
        """
        import onnxruntime as ort

        path = Path(model_dir) / INT8_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: build the encoder (make encoder)")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        # One thread has no worker pool, so nothing spins between messages (the API's setting). With more,
        # ORT's workers spin briefly waiting for the next operator: what makes 2 threads 1.5x faster here.
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        dim = int(session.get_outputs()[0].shape[-1])
        return cls(session, E5Tokenizer.from_dir(Path(model_dir)), dim=dim)

    def embed(
        self, texts: Sequence[str], *, prefix: str = QUERY_PREFIX, batch_size: int = ONE_AT_A_TIME
    ) -> npt.NDArray[np.float32]:
        """One row per text, in order; longer than 512 tokens is cut. Batches > 1 are faster but not exact."""
        ids = [truncate(seq, MAX_LENGTH) for seq in self.tokenizer.encode_batch(texts, prefix=prefix)]
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for chunk in length_sorted_batches(ids, batch_size):
            input_ids, mask = pad([ids[i] for i in chunk], self.tokenizer.pad_id)
            hidden = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
            out[chunk] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
