"""Turns Rasa's cross-validation intent_report.json into the markdown report docs/nlu_report.md."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# Runs under the Rasa venv's Python 3.10, hence timezone.utc rather than datetime.UTC.
# Rasa puts these summary rows beside the per-intent rows in intent_report.json.
SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")
WORST_SHOWN = 5
TARGET_MACRO_F1 = 0.95
# bot/config.yml's FallbackClassifier threshold: below it the bot asks to rephrase instead of acting.
FALLBACK_THRESHOLD = 0.6


def build_report(
    report: dict[str, Any], errors: list[dict[str, Any]] | None, *, folds: int, seconds: int
) -> str:
    intents = {
        name: row for name, row in report.items() if name not in SUMMARY_KEYS and isinstance(row, dict)
    }
    macro = report["macro avg"]
    accuracy = report.get("accuracy")
    worst = sorted(intents.items(), key=lambda item: item[1]["f1-score"])[:WORST_SHOWN]
    verdict = "meets" if macro["f1-score"] >= TARGET_MACRO_F1 else "misses"
    lines = [
        "# NLU cross-validation report",
        "",
        f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `scripts/nlu_report.sh` "  # noqa: UP017
        f"({folds}-fold cross-validation of `bot/data/nlu`, pipeline `bot/config.yml`, {seconds} s).",
        "",
        f"- **Intent macro-F1: {macro['f1-score']:.3f}** ({verdict} the {TARGET_MACRO_F1:.2f} target)",
        f"- Macro precision {macro['precision']:.3f}, macro recall {macro['recall']:.3f}",
    ]
    if isinstance(accuracy, float):
        lines.append(f"- Accuracy {accuracy:.3f} over {int(macro['support'])} held-out examples")
    if errors is not None:
        confident = sum(
            1 for error in errors if error["intent_prediction"]["confidence"] >= FALLBACK_THRESHOLD
        )
        lines.append(
            f"- Of {len(errors)} misclassified examples, {len(errors) - confident} scored below the "
            f"{FALLBACK_THRESHOLD} fallback threshold (the bot would ask to rephrase); {confident} would have "
            "been acted on wrongly"
        )
    lines += ["", "## Worst intents", "", "| intent | F1 | most often confused with |", "|---|---:|---|"]
    for name, row in worst:
        lines.append(f"| {name} | {row['f1-score']:.3f} | {confusions(row)} |")
    lines += [
        "",
        "## Per intent",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in sorted(intents.items()):
        lines.append(
            f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |"
        )
    lines.append("")
    return "\n".join(lines)


def confusions(row: dict[str, Any]) -> str:
    confused = row.get("confused_with") or {}
    return ", ".join(f"{name} ({count})" for name, count in confused.items()) or "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intent-report", type=Path, required=True, help="Rasa's intent_report.json")
    parser.add_argument("--folds", type=int, required=True, help="number of folds, for the header")
    parser.add_argument("--seconds", type=int, default=0, help="how long the run took, for the header")
    parser.add_argument("--out", type=Path, required=True, help="markdown file to write")
    args = parser.parse_args()
    report = json.loads(args.intent_report.read_text(encoding="utf-8"))
    errors_file = args.intent_report.with_name("intent_errors.json")
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        build_report(report, errors, folds=args.folds, seconds=args.seconds), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
