"""Length-sorted batches and padding: the one place that turns token id lists into model inputs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64]


def length_sorted_batches(sequences: Sequence[Sized], batch_size: int) -> Iterator[list[int]]:
    """Indices of the sequences in batches of similar length, so little compute goes to padding."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def pad(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[IdArray, IdArray]:
    """(input_ids, attention_mask), right-padded to the longest sequence."""
    width = max(len(seq) for seq in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def truncate(seq: list[int], max_length: int) -> list[int]:
    """Cut to max_length, keeping the closing `</s>` as the engine's window does."""
    return seq if len(seq) <= max_length else [*seq[: max_length - 1], seq[-1]]
