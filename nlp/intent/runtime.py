"""The exported intent classifier under ONNX Runtime: what the bot's Rasa component runs (no torch needed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import pad, truncate
from nlp.encoder.quantise import INT8_FILE
from nlp.encoder.tokenizer import QUERY_PREFIX, E5Tokenizer
from nlp.intent.files import DESCRIPTION_FILE, FORMAT, KIND


class IntentModelError(ValueError):
    """The directory is not an intent model this code can serve."""


class OnnxIntentClassifier:
    """Intent probabilities for texts, one text per run (see `nlp.encoder.runtime.ONE_AT_A_TIME`)."""

    def __init__(self, session: Any, tokenizer: E5Tokenizer, *, labels: list[str], max_length: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.labels = labels
        self.max_length = max_length

    @classmethod
    def from_dir(cls, model_dir: Path, *, threads: int = 1) -> OnnxIntentClassifier:
        import onnxruntime as ort

        model_dir = Path(model_dir)
        path = model_dir / DESCRIPTION_FILE
        if not path.is_file() or not (model_dir / INT8_FILE).is_file():
            raise IntentModelError(f"{model_dir} holds no intent model ({DESCRIPTION_FILE}, {INT8_FILE})")
        info = json.loads(path.read_text(encoding="utf-8"))
        if info.get("kind") != KIND or info.get("format") != FORMAT:
            raise IntentModelError(
                f"{model_dir} is {info.get('kind')!r} format {info.get('format')!r}; "
                f"this code serves {KIND!r} format {FORMAT}: retrain it"
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(
            str(model_dir / INT8_FILE), options, providers=["CPUExecutionProvider"]
        )
        return cls(
            session,
            E5Tokenizer.from_dir(model_dir),
            labels=list(info["labels"]),
            max_length=int(info["args"]["max_length"]),
        )

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text, columns in `labels` order, each row summing to 1."""
        ids = self.tokenizer.encode_batch(texts, prefix=QUERY_PREFIX)
        out = np.empty((len(ids), len(self.labels)), dtype=np.float32)
        for row, seq in enumerate(ids):
            input_ids, mask = pad([truncate(seq, self.max_length)], self.tokenizer.pad_id)
            out[row] = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0][0]
        return out
