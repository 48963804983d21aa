"""Small synthetic review corpus and a tiny trained model for the sentiment tests (no shipped model needed)."""

from __future__ import annotations

import csv
from pathlib import Path

from nlp.sentiment.args import SentimentTrainArgs

POSITIVE = [
    "质量很好，很满意",
    "非常喜欢，物流很快",
    "味道不错，还会再买",
    "好用，推荐购买",
    "包装精美，好评",
]
NEGATIVE = [
    "质量太差了，很失望",
    "物流太慢，不会再买",
    "味道难吃，差评",
    "用了两天就坏了",
    "客服态度恶劣，退货",
]


def write_reviews_csv(path: Path, *, repeats: int = 4) -> Path:
    """`label,category,text` rows: every phrase in two categories, with a numbered suffix to keep texts unique."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "category", "text"])
        for n in range(repeats):
            for category in ("水果", "手机"):
                for text in POSITIVE:
                    writer.writerow([1, category, f"{text}{category}{n}"])
                for text in NEGATIVE:
                    writer.writerow([0, category, f"{text}{category}{n}"])
    return path


def tiny_args(data: Path, output_dir: Path, **overrides: object) -> SentimentTrainArgs:
    """A model small enough to train in a second or two on a CPU."""
    settings: dict[str, object] = {
        "train_files": [str(data)],
        "output_dir": str(output_dir),
        "hidden_size": 32,
        "num_layers": 1,
        "num_heads": 2,
        "min_char_count": 1,
        "epochs": 12.0,
        "batch_size": 8,
        "learning_rate": 3e-3,
        "validation_fraction": 0.2,
        "distill_alpha": 0.0,
        "ensemble_weight": 1.0,
        "save_steps": 5,
        "max_length": 32,
        "num_threads": 1,
        "progress": False,
    }
    settings.update(overrides)
    return SentimentTrainArgs(**settings)  # type: ignore[arg-type]
