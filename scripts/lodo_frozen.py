"""Frozen-e5 sentiment heads vs TF-IDF: leave-one-domain-out over every domain plus a random 80/20 split.

Embeddings come from the cache `scripts/embed_corpus.py` fills; nothing is embedded here. Every head is
fitted in the same run on the same rows, and one table is printed. Hyper-parameters in a grid (the C of
the e5 and stacked regressions) are chosen by the LODO mean only, never by one held-out domain, and the
random split reuses the LODO choice. Per-fold scores are cached, so a rerun only fits what is missing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.cache import query_cache
from nlp.sentiment.data import Review, load_reviews, random_split
from nlp.sentiment.frozen import E5_GRID, STACK_GRID, fold_scores, mlp_proba

logger = logging.getLogger("lodo_frozen")
FILES = ("online_shopping_7cats.csv", "waimai_10k.csv", "car_reviews.csv", "camera_reviews.csv")
RANDOM_SPLIT = "random 80/20"
Array = npt.NDArray[Any]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder holding " + ", ".join(FILES))
    parser.add_argument("--files", nargs="*", default=list(FILES))
    parser.add_argument("--cache", type=Path, default=Path("data/cache/embeddings"))
    parser.add_argument(
        "--encoder-name", default="e5-small-torch-fp32", help="whose cache to read (embed_corpus.py's names)"
    )
    parser.add_argument("--work-dir", type=Path, default=Path("data/cache/lodo_frozen"), help="fold scores")
    parser.add_argument(
        "--allow-partial", action="store_true", help="use only the cached rows (all heads see the same rows)"
    )
    parser.add_argument("--domains", nargs="*", default=None, help="only these held-out domains")
    parser.add_argument("--no-random-split", action="store_true")
    parser.add_argument("--mlp", action="store_true", help="also fit the MLP head (slowest)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    reviews = load_reviews([options.data / name for name in options.files])
    cache = query_cache(options.cache, options.encoder_name)
    vectors, found = cache.get([r.text for r in reviews])
    if not found.all():
        if not options.allow_partial:
            parser.error(f"{(~found).sum()} of {len(reviews)} rows are not embedded yet (--allow-partial?)")
        reviews = [r for r, ok in zip(reviews, found, strict=True) if ok]
        vectors = vectors[found]
    domains = sorted({r.domain for r in reviews})
    labels = np.array([r.label for r in reviews])
    domain_of = np.array([r.domain for r in reviews])
    logger.info("%d rows over %d domains: %s", len(reviews), len(domains), _counts(domain_of, domains))

    options.work_dir.mkdir(parents=True, exist_ok=True)
    folds: dict[str, tuple[Array, Array]] = {
        d: (np.flatnonzero(domain_of != d), np.flatnonzero(domain_of == d))
        for d in options.domains or domains
    }
    if not options.no_random_split:
        folds[RANDOM_SPLIT] = random_split(reviews, options.seed)
    accuracy: dict[str, dict[str, float]] = {}  # fold -> score name -> accuracy
    fold_arrays: dict[str, dict[str, Array]] = {}
    for name, (train, test) in folds.items():
        started = time.perf_counter()
        scores = _cached_fold(options, name, reviews, vectors, labels, train, test, domain_of)
        fold_arrays[name] = scores
        accuracy[name] = {
            k: float(((v >= 0.5) == labels[test]).mean()) for k, v in scores.items() if k[0] != "_"
        }
        logger.info("%s: %d test rows, %.0f s", name, len(test), time.perf_counter() - started)
    lodo = [d for d in folds if d != RANDOM_SPLIT]
    chosen = _choose(accuracy, lodo)
    table = _markdown(accuracy, lodo, chosen, RANDOM_SPLIT in folds)
    print(table)
    print("\nchosen by LODO mean:", json.dumps(chosen, ensure_ascii=False))
    print("grid (LODO mean/worst):", *_grid_lines(accuracy, lodo), sep="\n  ")
    weights = [
        float(s["_w@" + chosen["blend"].split("@")[1]][0]) for s in fold_arrays.values() if "blend" in chosen
    ]
    if weights:
        print("blend e5 weights per fold:", " ".join(f"{w:.1f}" for w in weights))
    (options.work_dir / "accuracy.json").write_text(
        json.dumps({"accuracy": accuracy, "chosen": chosen}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if options.markdown:
        options.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


def _cached_fold(
    options: argparse.Namespace,
    name: str,
    reviews: list[Review],
    vectors: Array,
    labels: Array,
    train: Array,
    test: Array,
    domain_of: Array,
) -> dict[str, Array]:
    slug = "random" if name == RANDOM_SPLIT else name
    path = options.work_dir / f"scores-{slug}-{len(train)}-{len(test)}.npz"
    scores: dict[str, Array] = dict(np.load(path, allow_pickle=False)) if path.is_file() else {}
    before = len(scores)
    if "tfidf" not in scores:
        texts = [r.text for r in reviews]
        scores.update(fold_scores(texts, vectors, labels, domain_of, train, test, seed=options.seed))
    if options.mlp and "mlp" not in scores:
        scores["mlp"] = mlp_proba(vectors, labels, train, test, seed=options.seed)
        scores["mlp_mean"] = 0.5 * (scores["mlp"] + scores["tfidf"])
    if len(scores) > before:
        arrays: dict[str, Any] = scores  # numpy's stub reads **kwargs as its allow_pickle flag
        np.savez(path, **arrays)
    return scores


GRIDS = {
    "e5_lr": E5_GRID,
    "mean": E5_GRID,
    "e5_bal": E5_GRID,
    "mean_bal": E5_GRID,
    "blend": E5_GRID,
    "stack": STACK_GRID,
}


def _choose(accuracy: dict[str, dict[str, float]], lodo: list[str]) -> dict[str, str]:
    """For each family with a grid, the member with the best LODO mean (its own C, never a domain's)."""
    chosen: dict[str, str] = {}
    for family, grid in GRIDS.items():
        members = [f"{family}@{c:g}" for c in grid]
        members = [m for m in members if all(m in accuracy[d] for d in lodo)]
        if members:
            chosen[family] = max(members, key=lambda m: float(np.mean([accuracy[d][m] for d in lodo])))
    return chosen


def _grid_lines(accuracy: dict[str, dict[str, float]], lodo: list[str]) -> list[str]:
    lines = []
    for family, grid in GRIDS.items():
        cells = []
        for c in grid:
            name = f"{family}@{c:g}"
            if all(name in accuracy[d] for d in lodo):
                values = [accuracy[d][name] for d in lodo]
                cells.append(f"C={c:g} {np.mean(values):.3f}/{min(values):.3f}")
        lines.append(f"{family}: " + ", ".join(cells))
    return lines


ROWS = (
    ("tfidf", "TF-IDF char 1–3 + LR (C=1, nlp/sentiment/tfidf.py)"),
    ("e5_lr", "frozen e5 + LR (standardised)"),
    ("mean", "mean of TF-IDF and e5 LR probabilities"),
    ("e5_bal", "frozen e5 + LR, domains weighted equally"),
    ("mean_bal", "mean of TF-IDF and domain-weighted e5 LR"),
    ("blend", "TF-IDF/e5 blend, weight from inner domain-grouped CV"),
    ("stack", "LR on e5 features + TF-IDF logit (out-of-fold)"),
    ("mlp", "MLP (64 hidden) on standardised e5"),
    ("mlp_mean", "mean of TF-IDF and MLP probabilities"),
)


def _markdown(
    accuracy: dict[str, dict[str, float]],
    lodo: list[str],
    chosen: dict[str, str],
    random_split: bool,
) -> str:
    columns = [*lodo, "LODO mean", "LODO worst", *([RANDOM_SPLIT] if random_split else [])]
    lines = ["| model | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for family, label in ROWS:
        key = chosen.get(family, family)
        if not all(key in accuracy[d] for d in lodo):
            continue
        values = [accuracy[d][key] for d in lodo]
        cells = [f"{v:.3f}" for v in values] + [f"**{np.mean(values):.3f}**", f"{min(values):.3f}"]
        if random_split:
            cells.append(f"{accuracy[RANDOM_SPLIT].get(key, float('nan')):.3f}")
        suffix = f" ({key.split('@')[1]})" if "@" in key else ""
        lines.append(f"| {label}{suffix} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _counts(domain_of: Array, domains: list[str]) -> str:
    return ", ".join(f"{d} {(domain_of == d).sum()}" for d in domains)


if __name__ == "__main__":
    sys.exit(main())
