"""scripts/nlu_report_md.py: the NLU report averages the fold draws and adds the held-out set."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_writer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_report_md", ROOT / "scripts" / "nlu_report_md.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def intent_report(greet_f1: float, deny_f1: float, *, accuracy: float) -> dict[str, Any]:
    def row(f1: float, confused: dict[str, int]) -> dict[str, Any]:
        return {"precision": f1, "recall": f1, "f1-score": f1, "support": 10, "confused_with": confused}

    macro = (greet_f1 + deny_f1) / 2
    return {
        "greet": row(greet_f1, {}),
        "deny": row(deny_f1, {"affirm": 2}),
        "accuracy": accuracy,
        "macro avg": {"precision": macro, "recall": macro, "f1-score": macro, "support": 20},
    }


def error(confidence: float) -> dict[str, Any]:
    return {
        "text": "不要",
        "intent": "deny",
        "intent_prediction": {"name": "affirm", "confidence": confidence},
    }


def test_the_headline_is_the_mean_of_the_draws_and_each_draw_is_listed() -> None:
    runs = [
        ("0", intent_report(1.0, 0.90, accuracy=0.95), [error(0.3), error(0.9)]),
        ("1", intent_report(1.0, 0.86, accuracy=0.93), [error(0.3), error(0.9)]),
    ]

    report = load_writer().build_report(runs, None, folds=5, seconds=60)

    assert "**Intent macro-F1: 0.940** (misses the 0.95 target)" in report  # (0.95 + 0.93) / 2
    assert "seed 0: 0.950, seed 1: 0.930" in report
    assert "Of 2 misclassified examples per draw, 1 scored below the 0.6 fallback threshold" in report
    assert "| deny | 0.880 | affirm (4) |" in report  # worst first, confusions summed over draws
    assert "| deny | 0.880 | 0.880 | 0.880 | 10 |" in report
    assert "Held-out paraphrases" not in report


def test_the_held_out_set_reports_recall_per_intent_it_contains() -> None:
    holdout = intent_report(1.0, 0.5, accuracy=0.75)
    holdout["affirm"] = {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0}

    report = load_writer().build_report(
        [("0", intent_report(1.0, 1.0, accuracy=1.0), [])],
        (holdout, [error(0.2), error(0.8)]),
        folds=5,
        seconds=1,
    )

    assert "accuracy **0.750**; 1 of its 2 errors scored below the 0.6 fallback threshold" in report
    assert "| deny | 0.500 | 10 | affirm (2) |" in report
    assert "| affirm |" not in report.split("## Held-out paraphrases")[1]
