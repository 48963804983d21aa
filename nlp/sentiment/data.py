"""Review CSV loading, domain-aware splits and length-bucketed batching for sentiment training."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.sentiment.preprocess import clean_review


@dataclass(frozen=True, slots=True)
class Review:
    """One labelled review: label 1 = positive, 0 = negative; domain = product category or file stem."""

    text: str
    label: int
    domain: str


def load_reviews(paths: Iterable[str | Path]) -> list[Review]:
    """Read `label,text[,category]` CSV files; rows with an empty cleaned text are skipped."""
    reviews: list[Review] = []
    for path in map(Path, paths):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"label", "text"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
            for line_no, row in enumerate(reader, start=2):
                text = clean_review(row["text"] or "")
                if not text:
                    continue
                label = (row["label"] or "").strip()
                if label not in {"0", "1"}:
                    raise ValueError(f"{path}:{line_no}: label must be 0 or 1, got {label!r}")
                domain = (row.get("category") or "").strip() or path.stem
                reviews.append(Review(text=text, label=int(label), domain=domain))
    if not reviews:
        raise ValueError("no reviews found in the given files")
    return reviews


def split_validation(
    reviews: Sequence[Review], fraction: float, seed: int
) -> tuple[list[Review], list[Review]]:
    """Random split that keeps every domain's share in the validation set (stratified by domain)."""
    if not 0.0 < fraction < 0.5:
        raise ValueError(f"validation fraction must be in (0, 0.5), got {fraction}")
    rng = random.Random(seed)
    by_domain: dict[str, list[Review]] = {}
    for review in reviews:
        by_domain.setdefault(review.domain, []).append(review)
    train: list[Review] = []
    validation: list[Review] = []
    for domain in sorted(by_domain):
        items = list(by_domain[domain])
        rng.shuffle(items)
        cut = max(1, round(len(items) * fraction))
        validation.extend(items[:cut])
        train.extend(items[cut:])
    return train, validation


def random_split(
    reviews: Sequence[Review], seed: int, *, test_fraction: float = 0.2
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(train, test) row indices, sorted: `test_fraction` of every domain, so the test set has each one's share."""
    rng = random.Random(seed)
    by_domain: dict[str, list[int]] = {}
    for i, review in enumerate(reviews):
        by_domain.setdefault(review.domain, []).append(i)
    train: list[int] = []
    test: list[int] = []
    for domain in sorted(by_domain):
        rows = by_domain[domain]
        rng.shuffle(rows)
        cut = round(len(rows) * test_fraction)
        test.extend(rows[:cut])
        train.extend(rows[cut:])
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(test), dtype=np.int64)


def subsample_balanced(reviews: Sequence[Review], limit: int, seed: int) -> list[Review]:
    """Keep at most `limit` reviews, drawn evenly across domains so no domain dominates."""
    if len(reviews) <= limit:
        return list(reviews)
    rng = random.Random(seed)
    by_domain: dict[str, list[Review]] = {}
    for review in reviews:
        by_domain.setdefault(review.domain, []).append(review)
    pools = [rng.sample(items, len(items)) for _, items in sorted(by_domain.items())]
    kept: list[Review] = []
    while len(kept) < limit:
        for pool in pools:
            if pool and len(kept) < limit:
                kept.append(pool.pop())
    rng.shuffle(kept)
    return kept


def bucketed_batches(lengths: Sequence[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffle, sort by length inside chunks of 50 batches, cut into batches, shuffle the batches.

    Similar lengths in a batch keep padding (and wasted compute) small; the chunking and final
    shuffle keep the order random enough for SGD.
    """
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches
