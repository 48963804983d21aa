"""Benchmark of the sentiment model on its own validation split: accuracy, chat-message latency, reviews/s, memory.

The split is the shipped model's (5 % of each domain of the four corpus files, seed 42), so every row is
scored on reviews the model never trained on. Each configuration runs in a fresh subprocess, so its
memory figure is its own (resident set after loading and scoring, minus the interpreter's before).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "nlp" / "resources" / "models" / "sentiment-zh"
DEFAULT_ENCODER = ROOT / "data" / "models" / "e5-small"
FILES = ("online_shopping_7cats.csv", "waimai_10k.csv", "car_reviews.csv", "camera_reviews.csv")
CONFIGS = ("shipped", "e5-head", "tfidf-head", "snownlp")
Score = Callable[[Sequence[str]], "np.ndarray | list[float]"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder holding " + ", ".join(FILES))
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--encoder-dir", type=Path, default=DEFAULT_ENCODER)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2], help="ONNX Runtime threads")
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--chat-samples", type=int, default=300, help="messages timed one call each")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # "<config>:<threads>", run in the subprocess
    options = parser.parse_args(argv)
    if options.one:
        config, threads = options.one.split(":")
        print(json.dumps(_measure(options, config, int(threads))))
        return 0
    rows = []
    for config in options.configs:
        for threads in options.threads if config in {"shipped", "e5-head"} else [1]:
            command = [
                sys.executable,
                __file__,
                "--data",
                str(options.data),
                "--model-dir",
                str(options.model_dir),
            ]
            command += [
                "--encoder-dir",
                str(options.encoder_dir),
                "--chat-samples",
                str(options.chat_samples),
            ]
            command += ["--one", f"{config}:{threads}"]
            env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "passive"}
            done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(rows[-1], file=sys.stderr)
    print(_markdown(rows))
    return 0


def _measure(options: argparse.Namespace, config: str, threads: int) -> dict[str, Any]:
    import psutil

    from nlp.sentiment.data import load_reviews, split_validation

    _, validation = split_validation(load_reviews(options.data / f for f in FILES), 0.05, 42)
    texts = [r.text for r in validation]
    gold = np.array([r.label for r in validation])
    process = psutil.Process()
    before = process.memory_info().rss
    score = _scorer(options, config, threads)
    score(texts[:8])  # first calls allocate
    started = time.perf_counter()
    scores = np.concatenate([np.asarray(score(texts[i : i + 64])) for i in range(0, len(texts), 64)])
    per_second = len(texts) / (time.perf_counter() - started)
    latencies = []
    for text in texts[: options.chat_samples]:
        started = time.perf_counter()
        score([text])
        latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=20)
    return {
        "config": config,
        "threads": threads,
        "reviews": len(texts),
        "accuracy": round(float(((scores >= 0.5) == gold).mean()), 4),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(cuts[18], 1),
        "per_second_64": round(per_second),
        "rss_mb": round((process.memory_info().rss - before) / 2**20),
        "load": round(os.getloadavg()[0], 2),
    }


def _scorer(options: argparse.Namespace, config: str, threads: int) -> Score:
    from nlp.sentiment.predict import SentimentClassifier

    if config == "snownlp":
        from snownlp import SnowNLP

        return lambda batch: [SnowNLP(text).sentiments for text in batch]
    if config == "tfidf-head":
        # only the head, so the memory figure is the head's and not the encoder's as well
        from nlp.sentiment.tfidf import HEAD_FILE, TfidfSentiment

        return TfidfSentiment.load(options.model_dir / HEAD_FILE).predict_proba
    classifier = SentimentClassifier.from_dir(
        options.model_dir, encoder_dir=options.encoder_dir, num_threads=threads
    )
    if config == "e5-head":
        classifier.head_weight = 0.0
    return classifier.predict_scores


NAMES = {
    "shipped": "shipped: mean of e5 int8 head and TF-IDF head",
    "e5-head": "e5 int8 head alone",
    "tfidf-head": "TF-IDF head alone (the shipped one)",
    "snownlp": "snownlp 0.12.3 (its own bundled model)",
}


def _markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Validation: {rows[0]['reviews']} reviews (5 % of each domain, seed 42: the shipped model's own "
        "held-out split). Latency: one message per call; throughput: calls of 64 reviews. 2-core CPU.",
        "",
        "| model | threads | accuracy | chat p50 / p95 ms | reviews/s (calls of 64) | RSS MB | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {NAMES[row['config']]} | {row['threads']} | {row['accuracy']:.4f} | {row['p50_ms']} / "
            f"{row['p95_ms']} | {row['per_second_64']} | {row['rss_mb']} | {row['load']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
