"""Training of the shipped sentiment model: a logistic head on frozen int8 e5 embeddings, averaged with TF-IDF.

Embedding the corpus is the long part (about 6 minutes for 62k reviews on one thread); it goes through a
resumable `EmbeddingCache`, so a stopped run continues where it stopped and a rerun with other head
settings embeds nothing.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from nlp.encoder.build import encoder_identity
from nlp.encoder.cache import EmbeddingCache, query_cache
from nlp.sentiment.args import FrozenTrainArgs
from nlp.sentiment.card import write_frozen_model_card
from nlp.sentiment.data import Review, load_reviews, split_validation, subsample_balanced
from nlp.sentiment.e5_head import E5_HEAD_FILE, E5Head
from nlp.sentiment.frozen import domain_weights
from nlp.sentiment.metrics import binary_metrics
from nlp.sentiment.predict import FROZEN_FILE, FROZEN_KIND, SentimentClassifier
from nlp.sentiment.preprocess import PREPROCESS_VERSION
from nlp.sentiment.tfidf import HEAD_FILE, TfidfSentiment
from nlp.sentiment.thresholds import calibrate_thresholds
from nlp.sentiment.train import ID2LABEL, TrainResult, finished_result

logger = logging.getLogger(__name__)

_IGNORED_FOR_RESUME = {"resume", "num_threads", "cache_dir"}


def encoder_cache(cache_root: Path, identity: dict[str, Any]) -> EmbeddingCache:
    """The embedding cache of one encoder build: a different build never reads another's vectors."""
    name = f"e5-small-int8-f{identity['format']}-{identity['vocabulary']}-{identity['source_sha256'][:8]}"
    return query_cache(cache_root, name)


def embed_all(args: FrozenTrainArgs, texts: list[str]) -> np.ndarray:
    """float32 embeddings of `texts`, embedding only what the cache does not hold yet."""
    from nlp.encoder.runtime import OnnxE5Encoder

    encoder_dir = Path(args.encoder_dir)
    cache = encoder_cache(Path(args.cache_dir), encoder_identity(encoder_dir))
    todo = len(cache.missing(texts))
    if todo:
        logger.info("embedding %d texts (%d already cached in %s)", todo, len(cache), cache.directory)
        encoder = OnnxE5Encoder.from_dir(encoder_dir, threads=args.num_threads)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            logger.info(
                "%d/%d embedded, %.0f texts/s, %.1f min left", done, total, rate, (total - done) / rate / 60
            )

        cache.fill(texts, encoder.embed, chunk_size=512, on_chunk=progress)
    vectors, found = cache.get(texts)
    if not found.all():
        raise RuntimeError(
            f"{int((~found).sum())} texts are missing from the embedding cache after filling it"
        )
    return vectors


def train_frozen_sentiment(args: FrozenTrainArgs) -> TrainResult:
    """Fit both heads, calibrate, save the model dir in `args.output_dir`; rerunning returns the result."""
    output = Path(args.output_dir)
    finished = finished_result(output, args, ignored=_IGNORED_FOR_RESUME)
    if finished is not None:
        return finished
    reviews = [r for r in load_reviews(args.train_files) if r.domain not in set(args.exclude_domains)]
    train, validation = split_validation(reviews, args.validation_fraction, args.seed)
    if args.max_train_samples is not None:
        train = subsample_balanced(train, args.max_train_samples, args.seed)
    logger.info("frozen-e5 sentiment: %d train / %d validation reviews", len(train), len(validation))

    started = time.monotonic()
    vectors = embed_all(args, [r.text for r in train])
    labels = np.asarray([r.label for r in train])
    weights = domain_weights(np.asarray([r.domain for r in train])) if args.balance_domains else None
    output.mkdir(parents=True, exist_ok=True)
    E5Head.fit(vectors, labels, c=args.c, sample_weight=weights).save(output)
    TfidfSentiment().fit([r.text for r in train], labels.tolist()).save(output)
    description: dict[str, Any] = {
        "kind": FROZEN_KIND,
        "encoder": encoder_identity(Path(args.encoder_dir)),
        "e5_head": E5_HEAD_FILE,
        "tfidf_head": HEAD_FILE,
        "ensemble_weight": args.ensemble_weight,
        "preprocess": PREPROCESS_VERSION,
        "id2label": {str(i): name for i, name in ID2LABEL.items()},
        "thresholds": None,
    }
    _write_description(output, description)
    return _calibrate_and_describe(args, output, description, train, validation, time.monotonic() - started)


def _calibrate_and_describe(
    args: FrozenTrainArgs,
    output: Path,
    description: dict[str, Any],
    train: list[Review],
    validation: list[Review],
    seconds: float,
) -> TrainResult:
    """Score validation with the saved dir itself, store the thresholds, write card and result."""
    classifier = SentimentClassifier.from_dir(
        output, encoder_dir=args.encoder_dir, num_threads=args.num_threads
    )
    texts, gold = [r.text for r in validation], [r.label for r in validation]
    e5_scores, tfidf_scores, _ = classifier.score_parts(texts)
    scores = np.asarray(classifier.predict_scores(texts))
    thresholds = calibrate_thresholds(scores.tolist(), gold, target_precision=args.target_precision)
    description["thresholds"] = thresholds.to_dict()
    _write_description(output, description)

    def accuracy(values: np.ndarray) -> float:
        return binary_metrics(gold, (values >= 0.5).astype(int).tolist()).accuracy

    metrics = binary_metrics(gold, (scores >= 0.5).astype(int).tolist())
    result = TrainResult(
        output_dir=str(output),
        validation_accuracy=metrics.accuracy,
        validation_macro_f1=metrics.macro_f1,
        validation_accuracy_transformer=accuracy(e5_scores),
        validation_accuracy_tfidf=None if tfidf_scores is None else accuracy(tfidf_scores),
        thresholds=thresholds.to_dict(),
        train_examples=len(train),
        validation_examples=len(validation),
        steps=0,
        parameters=classifier.scorer.parameters(),
        train_seconds=round(seconds, 1),
        domains=sorted({r.domain for r in train}),
        args=args.to_dict(),
    )
    write_frozen_model_card(output, result.to_dict(), train)
    result.save(output)
    return result


def _write_description(output: Path, description: dict[str, Any]) -> None:
    text = json.dumps(description, ensure_ascii=False, indent=2) + "\n"
    (output / FROZEN_FILE).write_text(text, encoding="utf-8")
