"""Leave-one-domain-out evaluation of sentiment models: train on all domains but one, test on the one left out."""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.args import SentimentTrainArgs
from nlp.sentiment.data import Review, load_reviews, subsample_balanced
from nlp.sentiment.predict import SentimentClassifier
from nlp.sentiment.tfidf import TfidfSentiment
from nlp.sentiment.train import train_sentiment

# transformer configs: train_sentiment overrides. Average configs also report blends with their TF-IDF head;
# residual trains the transformer to correct the head's logit and reports the combined score.
CONFIGS: dict[str, dict[str, Any]] = {
    "plain": {"distill_alpha": 0.0, "ensemble_weight": 0.5},
    "distilled": {"distill_alpha": 0.5, "ensemble_weight": 0.5},
    "residual": {"distill_alpha": 0.0, "ensemble_weight": 0.5, "residual": True},
}
FILES = ("online_shopping_7cats.csv", "waimai_10k.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder holding " + " and ".join(FILES))
    parser.add_argument("--work-dir", type=Path, default=Path("runs/lodo"), help="fold models and scores")
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--domains", nargs="*", default=None, help="only these held-out domains")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-train-samples", type=int, default=12000, help="cap per fold (CPU time)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads; 1 is faster than 2 when other jobs share the cores",
    )
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(options.threads)

    files = [str(options.data / name) for name in FILES]
    reviews = load_reviews(files)
    domains = options.domains or sorted({r.domain for r in reviews})
    options.work_dir.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, float]] = {}
    for domain in domains:
        held = [r for r in reviews if r.domain == domain]
        rest = [r for r in reviews if r.domain != domain]
        gold = np.array([r.label for r in held])
        scores = _fold_scores(options, files, domain, held, rest)
        for name, proba in scores.items():
            table.setdefault(name, {})[domain] = float(((proba >= 0.5) == gold).mean())
        print(domain, {k: round(v[domain], 4) for k, v in table.items() if domain in v}, flush=True)
    (options.work_dir / "lodo.json").write_text(
        json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(_markdown(table, domains))
    return 0


def _fold_scores(
    options: argparse.Namespace, files: list[str], domain: str, held: list[Review], rest: list[Review]
) -> dict[str, np.ndarray]:
    """P(positive) on the held-out domain for every model; cached as .npz so reruns only add what is new."""
    cache = options.work_dir / f"scores-{domain}.npz"
    scores: dict[str, np.ndarray] = dict(np.load(cache)) if cache.is_file() else {}
    texts = [r.text for r in held]
    if "tfidf_full" not in scores:
        scores["tfidf_full"] = (
            TfidfSentiment().fit([r.text for r in rest], [r.label for r in rest]).predict_proba(texts)
        )
    if "tfidf_capped" not in scores:
        capped = subsample_balanced(_train_part(rest, options.seed), options.max_train_samples, options.seed)
        model = TfidfSentiment().fit([r.text for r in capped], [r.label for r in capped])
        scores["tfidf_capped"] = model.predict_proba(texts)
    for name in options.configs:
        if name in scores or f"{name}+tfidf" in scores:
            continue
        result = train_sentiment(
            SentimentTrainArgs(
                train_files=files,
                output_dir=str(options.work_dir / name / domain),
                exclude_domains=[domain],
                max_train_samples=options.max_train_samples,
                epochs=options.epochs,
                seed=options.seed,
                num_threads=options.threads,
                progress=False,
                **CONFIGS[name],
            )
        )
        classifier = SentimentClassifier.from_dir(result.output_dir)
        transformer, head, _ = classifier.score_parts(texts)
        if classifier.residual:
            scores[f"{name}+tfidf"] = np.asarray(classifier.predict_scores(texts))
        else:
            scores[name] = transformer
        if head is not None and not classifier.residual:
            for w in (0.3, 0.5, 0.7):
                scores[f"{name}+tfidf@{w}"] = w * transformer + (1 - w) * head
        _store(cache, scores)
    _store(cache, scores)
    return scores


def _store(path: Path, scores: dict[str, np.ndarray]) -> None:
    arrays: dict[str, Any] = scores  # numpy's stub reads **kwargs as its allow_pickle flag
    np.savez(path, **arrays)


def _train_part(rest: list[Review], seed: int) -> list[Review]:
    """Same 95 % training share that train_sentiment keeps, so capped TF-IDF sees comparable data."""
    from nlp.sentiment.data import split_validation

    return split_validation(rest, 0.05, seed)[0]


def _markdown(table: dict[str, dict[str, float]], domains: list[str]) -> str:
    header = "| model | " + " | ".join(domains) + " | mean | worst |"
    lines = [header, "|" + " --- |" * (len(domains) + 3)]
    for name, by_domain in table.items():
        values = [by_domain[d] for d in domains if d in by_domain]
        cells = " | ".join(f"{by_domain[d]:.3f}" if d in by_domain else "–" for d in domains)
        lines.append(f"| {name} | {cells} | {statistics.mean(values):.3f} | {min(values):.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
