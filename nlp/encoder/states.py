"""Token states after the encoder's first layers, cached on disk: what tuning only its top layers starts from.

Fine-tuning all twelve layers runs at ~10 reviews/s on this CPU; with the lower layers frozen, their output
for a text never changes, so it is computed once (int8 ONNX, like serving) and each training step runs only
the layers being tuned.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.encoder.batching import pad, truncate
from nlp.encoder.cache import KEY_BYTES, check_meta, text_key
from nlp.encoder.tokenizer import QUERY_PREFIX, E5Tokenizer

States = npt.NDArray[np.float16]
"""One text's states: [tokens, hidden]."""
StatesFn = Callable[[Sequence[str]], list[npt.NDArray[np.floating]]]


@dataclass(frozen=True, slots=True)
class StateInfo:
    """Which states a cache holds; it refuses to mix encoders, depths, prefixes or lengths."""

    encoder: str
    layers: int
    prefix: str
    max_length: int
    dim: int


class StateCache:
    """Ragged rows in `chunk-NNNNN.npz` files (keys, offsets, float16 states), each written atomically.

    Like `EmbeddingCache`: a killed fill loses at most one chunk, and a rerun computes only missing texts.
    """

    def __init__(self, directory: Path, info: StateInfo) -> None:
        self.directory = Path(directory)
        self.info = info
        self.directory.mkdir(parents=True, exist_ok=True)
        check_meta(self.directory, asdict(self.info), what="states")
        self._rows: dict[bytes, States] = {}
        for path in sorted(self.directory.glob("chunk-*.npz")):
            with np.load(path, allow_pickle=False) as arrays:
                self._add(arrays["keys"], arrays["offsets"], arrays["states"])

    def __len__(self) -> int:
        return len(self._rows)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Texts with no cached states, first occurrence only, in the order given."""
        out: dict[bytes, str] = {}
        for text in texts:
            key = text_key(text)
            if key not in self._rows:
                out.setdefault(key, text)
        return list(out.values())

    def fill(
        self,
        texts: Sequence[str],
        compute: StatesFn,
        *,
        chunk_size: int = 512,
        on_chunk: Callable[[int, int], None] | None = None,
    ) -> int:
        """Compute and store the states of every text not yet cached; returns how many were added."""
        todo = self.missing(texts)
        number = len(list(self.directory.glob("chunk-*.npz")))
        for start in range(0, len(todo), chunk_size):
            part = todo[start : start + chunk_size]
            rows = [np.asarray(r, dtype=np.float16) for r in compute(part)]
            if len(rows) != len(part) or any(r.ndim != 2 or r.shape[1] != self.info.dim for r in rows):
                raise ValueError(f"compute must return one [tokens, {self.info.dim}] array per text")
            self._write(number, part, rows)
            number += 1
            if on_chunk is not None:
                on_chunk(start + len(part), len(todo))
        return len(todo)

    def get(self, texts: Sequence[str]) -> list[States]:
        """The states of each text, in order; KeyError names the first text not cached."""
        out = []
        for text in texts:
            row = self._rows.get(text_key(text))
            if row is None:
                raise KeyError(f"no cached states for {text[:30]!r}: fill the cache first")
            out.append(row)
        return out

    def _write(self, number: int, texts: Sequence[str], rows: Sequence[States]) -> None:
        keys = np.frombuffer(b"".join(text_key(t) for t in texts), dtype=np.uint8).reshape(-1, KEY_BYTES)
        offsets = np.cumsum([0, *(len(r) for r in rows)], dtype=np.int64)
        states = np.concatenate(rows).astype(np.float16)
        path = self.directory / f"chunk-{number:05d}.npz"
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, offsets=offsets, states=states)
        os.replace(tmp, path)  # atomic: a chunk is either whole or absent
        self._add(keys, offsets, states)

    def _add(self, keys: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], states: States) -> None:
        for i, key in enumerate(keys):
            self._rows.setdefault(bytes(key), states[offsets[i] : offsets[i + 1]])


def onnx_states(model_path: Path, tokenizer: E5Tokenizer, *, max_length: int, threads: int = 1) -> StatesFn:
    """A `StatesFn` running an exported lower model one text at a time (int8 scales depend on the batch)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    def compute(texts: Sequence[str]) -> list[npt.NDArray[np.floating]]:
        out = []
        for seq in tokenizer.encode_batch(texts, prefix=QUERY_PREFIX):
            ids, mask = pad([truncate(seq, max_length)], tokenizer.pad_id)
            out.append(session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0])
        return out

    return compute
