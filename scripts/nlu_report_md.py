"""Turns Rasa's cross-validation results (one folder per fold draw) into the markdown report docs/nlu_report.md."""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Iterable
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


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A `rasa test nlu` output folder: its intent report and its misclassified examples."""
    report = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    errors_file = folder / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    return report, errors


def intent_rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: row for name, row in report.items() if name not in SUMMARY_KEYS and isinstance(row, dict)}


def confusions(pairs: Iterable[tuple[str, int]]) -> str:
    """`name (count)` for each intent an intent was taken for, or a dash when none."""
    return ", ".join(f"{name} ({count})" for name, count in pairs) or "—"


def below_threshold(errors: list[dict[str, Any]]) -> int:
    return sum(1 for error in errors if error["intent_prediction"]["confidence"] < FALLBACK_THRESHOLD)


def build_report(
    runs: list[tuple[str, dict[str, Any], list[dict[str, Any]]]],
    holdout: tuple[dict[str, Any], list[dict[str, Any]]] | None,
    *,
    folds: int,
    seconds: int,
) -> str:
    """`runs` holds (label, intent report, errors) per fold draw; every figure is their mean."""
    macros = [report["macro avg"]["f1-score"] for _, report, _ in runs]
    macro = statistics.mean(macros)
    precision = statistics.mean(report["macro avg"]["precision"] for _, report, _ in runs)
    recall = statistics.mean(report["macro avg"]["recall"] for _, report, _ in runs)
    accuracy = statistics.mean(report["accuracy"] for _, report, _ in runs)
    errors = round(statistics.mean(len(run_errors) for _, _, run_errors in runs))
    unsure = round(statistics.mean(below_threshold(run_errors) for _, _, run_errors in runs))
    examples = int(runs[0][1]["macro avg"]["support"])
    verdict = "meets" if macro >= TARGET_MACRO_F1 else "misses"
    draws = ", ".join(f"seed {label}: {value:.3f}" for (label, _, _), value in zip(runs, macros, strict=True))

    per_intent: dict[str, dict[str, float]] = {}
    confused: dict[str, Counter[str]] = {}
    for _, report, _ in runs:
        for name, row in intent_rows(report).items():
            sums = per_intent.setdefault(name, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0})
            for key in sums:
                sums[key] += row[key] / len(runs)
            sums["support"] = row["support"]
            confused.setdefault(name, Counter()).update(row.get("confused_with") or {})
    worst = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:WORST_SHOWN]

    lines = [
        "# NLU cross-validation report",
        "",
        f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `scripts/nlu_report.sh` "  # noqa: UP017
        f"({folds}-fold cross-validation of `bot/data/nlu` with pipeline `bot/config.yml`, repeated on "
        f"{len(runs)} fold draws; {seconds} s).",
        "",
        f"- **Intent macro-F1: {macro:.3f}** ({verdict} the {TARGET_MACRO_F1:.2f} target), the mean over the "
        f"fold draws ({draws})",
        f"- Macro precision {precision:.3f}, macro recall {recall:.3f}",
        f"- Accuracy {accuracy:.3f} over {examples} held-out examples",
        f"- Of {errors} misclassified examples per draw, {unsure} scored below the {FALLBACK_THRESHOLD} "
        f"fallback threshold (the bot would ask to rephrase); {errors - unsure} would have been acted on wrongly",
        "",
        "## Worst intents",
        "",
        "| intent | F1 | most often confused with (all draws) |",
        "|---|---:|---|",
    ]
    for name, row in worst:
        lines.append(f"| {name} | {row['f1-score']:.3f} | {confusions(confused[name].most_common(3))} |")
    lines += [
        "",
        "## Per intent (mean over the draws)",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in sorted(per_intent.items()):
        lines.append(
            f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} "
            f"| {row['support']:.0f} |"
        )
    if holdout is not None:
        lines += holdout_section(*holdout)
    lines.append("")
    return "\n".join(lines)


def holdout_section(report: dict[str, Any], errors: list[dict[str, Any]]) -> list[str]:
    """How the model trained on all of bot/data/nlu does on bot/tests/nlu_holdout.yml, which it never saw."""
    intents = intent_rows(report)
    total = sum(int(row["support"]) for row in intents.values())
    lines = [
        "",
        "## Held-out paraphrases",
        "",
        f"The trained model on the {total} examples of `bot/tests/nlu_holdout.yml`, which no model is trained "
        f"on: accuracy **{report['accuracy']:.3f}**; {below_threshold(errors)} of its {len(errors)} errors "
        f"scored below the {FALLBACK_THRESHOLD} fallback threshold.",
        "",
        "| intent | recall | examples | most often taken for |",
        "|---|---:|---:|---|",
    ]
    for name, row in sorted(intents.items()):
        if not row["support"]:
            continue  # an intent the model predicted that the set does not contain
        taken_for = confusions((row.get("confused_with") or {}).items())
        lines.append(f"| {name} | {row['recall']:.3f} | {row['support']} | {taken_for} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--cv", type=Path, nargs="+", required=True, help="cross-validation output folders, one per fold draw"
    )
    parser.add_argument("--holdout", type=Path, help="`rasa test nlu` output folder for the held-out set")
    parser.add_argument("--folds", type=int, required=True, help="number of folds, for the header")
    parser.add_argument("--seconds", type=int, default=0, help="how long the runs took, for the header")
    parser.add_argument("--out", type=Path, required=True, help="markdown file to write")
    args = parser.parse_args()
    # Folders are named seed-<n> by scripts/nlu_report.sh; the label is what the report prints.
    runs = [(folder.name.removeprefix("seed-"), *load_run(folder)) for folder in args.cv]
    holdout = load_run(args.holdout) if args.holdout else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(build_report(runs, holdout, folds=args.folds, seconds=args.seconds), encoding="utf-8")


if __name__ == "__main__":
    main()
