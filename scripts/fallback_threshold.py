"""What each NLU fallback threshold would do with a `rasa test nlu` run's predictions: answers acted on, right
and wrong, and right answers the bot would ask the customer to rephrase instead.

    .venv/bin/python scripts/fallback_threshold.py bot/results/cv   # a run made with --successes

Rasa's evaluation undoes the FallbackClassifier, so every prediction keeps its own confidence. Choose the
threshold on cross-validation predictions, not on the held-out set it is later scored on. The suggested one
minimises `wrong_cost` · wrong answers acted on + right answers asked again: a wrong answer costs the customer
more than being asked to rephrase, because they must notice it, say so, and rephrase anyway.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path


def load(run: Path) -> list[tuple[float, bool]]:
    """(confidence, right) for every prediction of the run."""
    predictions = []
    for name, right in (("intent_successes.json", True), ("intent_errors.json", False)):
        path = run / name
        if not path.is_file():
            raise SystemExit(f"{path} not found: run `rasa test nlu` with --successes")
        for item in json.loads(path.read_text(encoding="utf-8")):
            predictions.append((float(item["intent_prediction"]["confidence"]), right))
    return predictions


THRESHOLDS = [step / 100 for step in range(20, 81, 5)]


@dataclass(frozen=True)
class Tally:
    threshold: float
    acted_right: int
    acted_wrong: int
    asked_right: int
    asked_wrong: int

    def cost(self, wrong_cost: float) -> float:
        return wrong_cost * self.acted_wrong + self.asked_right


def tally(predictions: list[tuple[float, bool]], threshold: float) -> Tally:
    acted = [right for confidence, right in predictions if confidence >= threshold]
    asked = [right for confidence, right in predictions if confidence < threshold]
    return Tally(threshold, sum(acted), len(acted) - sum(acted), sum(asked), len(asked) - sum(asked))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run", type=Path, help="output folder of `rasa test nlu --successes`")
    parser.add_argument("--wrong-cost", type=float, default=2.0, help="a wrong answer, in rephrase requests")
    args = parser.parse_args()

    predictions = load(args.run)
    tallies = [tally(predictions, threshold) for threshold in THRESHOLDS]
    print(f"{len(predictions)} predictions, {sum(not right for _, right in predictions)} wrong")
    print(
        "| threshold | right, acted on | wrong, acted on | right, asked again | wrong, asked again | cost |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in tallies:
        print(
            f"| {t.threshold:.2f} | {t.acted_right} | {t.acted_wrong} | {t.asked_right} | {t.asked_wrong} "
            f"| {t.cost(args.wrong_cost):g} |"
        )
    best = min(tallies, key=lambda t: t.cost(args.wrong_cost))  # the lowest threshold among equals
    print(f"lowest cost at threshold {best.threshold:.2f}")


if __name__ == "__main__":
    main()
