"""Evaluate aspect detection and polarity on a labelled CSV (text, aspects like ``物流:pos;质量:neg``)."""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlp.aspects import AspectAnalyzer
from nlp.errors import EmptyTextError
from nlp.segment import RESOURCES, Segmenter

DEFAULT_EVAL = RESOURCES / "eval" / "aspect_clauses.csv"
_LABELS = {"pos": "positive", "neg": "negative", "neu": "neutral"}


@dataclass
class AspectCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    polarity_right: int = 0
    polarity_confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def polarity_accuracy(self) -> float:
        return self.polarity_right / self.tp if self.tp else 0.0


def parse_gold(field_value: str) -> dict[str, str]:
    """``物流:pos;质量:neg`` → {"物流": "positive", "质量": "negative"}; empty means no aspect."""
    gold: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in field_value.split(";"))):
        aspect, _, polarity = part.partition(":")
        gold[aspect.strip()] = _LABELS[polarity.strip()]
    return gold


def evaluate(rows: list[tuple[str, dict[str, str]]], analyzer: AspectAnalyzer) -> dict[str, AspectCounts]:
    counts: dict[str, AspectCounts] = {aspect: AspectCounts() for aspect in analyzer.aspects}
    for text, gold in rows:
        try:
            predicted = {a: m.label.value for a, m in analyzer.summarize(text).items()}
        except EmptyTextError:
            predicted = {}
        for aspect in gold.keys() | predicted.keys():
            c = counts.setdefault(aspect, AspectCounts())
            if aspect in gold and aspect in predicted:
                c.tp += 1
                c.polarity_right += gold[aspect] == predicted[aspect]
                c.polarity_confusion[(gold[aspect], predicted[aspect])] += 1
            elif aspect in predicted:
                c.fp += 1
            else:
                c.fn += 1
    return counts


def markdown_table(counts: dict[str, AspectCounts]) -> str:
    lines = [
        "| aspect | gold | P | R | F1 | polarity acc (on detected) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = AspectCounts()
    for aspect, c in counts.items():
        lines.append(
            f"| {aspect} | {c.tp + c.fn} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
            f"| {c.polarity_accuracy:.2f} ({c.polarity_right}/{c.tp}) |"
        )
        total.tp += c.tp
        total.fp += c.fp
        total.fn += c.fn
        total.polarity_right += c.polarity_right
    lines.append(
        f"| **micro** | {total.tp + total.fn} | {total.precision:.2f} | {total.recall:.2f} | {total.f1:.2f} "
        f"| {total.polarity_accuracy:.2f} ({total.polarity_right}/{total.tp}) |"
    )
    return "\n".join(lines)


def read_rows(path: Path) -> list[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], parse_gold(row["aspects"])) for row in csv.DictReader(handle)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_EVAL, help="labelled clauses")
    parser.add_argument("--errors", action="store_true", help="also list the texts the analyzer got wrong")
    args = parser.parse_args(argv)

    rows = read_rows(args.csv)
    analyzer = AspectAnalyzer(Segmenter())
    print(f"{len(rows)} texts from {args.csv}\n")
    print(markdown_table(evaluate(rows, analyzer)))
    if args.errors:
        print("\n| text | gold | predicted |\n| --- | --- | --- |")
        for text, gold in rows:
            try:
                predicted = {a: m.label.value for a, m in analyzer.summarize(text).items()}
            except EmptyTextError:
                predicted = {}
            if predicted != gold:
                print(f"| {text} | {gold} | {predicted} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
