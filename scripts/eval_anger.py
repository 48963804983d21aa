"""Measure the chat relay's "angry, hand over now" rule on labelled chat turns and scripted conversations.

Runs the shipped sentiment model over `nlp/resources/eval/chat_turns.csv` (text, label, style, split) and
`chat_conversations.yml`, and reports, for the rule in config.yml and the old score-only rule:
- precision / recall of `angry` per message on each split, and a sweep of each rule's thresholds;
- the thresholds the sweep would choose on the `dev` half (precision >= 0.9, then the highest recall), scored
  on the `test` half it never saw;
- per conversation, the turn at which each rule hands over, against the scripted one.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/eval_anger.py [--errors dev] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huisheng.errors import InvalidInputError  # noqa: E402
from huisheng.services.analysis import TextAnalyzer  # noqa: E402
from huisheng.settings import load_settings  # noqa: E402
from nlp.anger import AngerCues, AngerDetector, AngerThresholds  # noqa: E402

EVAL_DIR = ROOT / "nlp" / "resources" / "eval"
ANGRY = "angry"
TARGET_PRECISION = 0.9
OLD_BELOW = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
CUE_SCORES = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
GATES = (0.3, 0.5, 0.7, 0.9, 1.01)  # 1.01: the model never vetoes (cues alone)


@dataclass(frozen=True, slots=True)
class Turn:
    text: str
    label: str
    style: str
    split: str
    positive: float | None  # the sentiment model's P(positive); None when nothing was left to score
    cues: AngerCues


Decide = Callable[[Turn], bool]


def score(
    analyzer: TextAnalyzer, detector: AngerDetector, texts: Sequence[str]
) -> list[tuple[float | None, AngerCues]]:
    scores: list[float | None] = []
    for text in texts:
        try:
            scores.append(analyzer.sentiment(text)[1])
        except InvalidInputError:
            scores.append(None)  # emoji only: the relay stores no score either
    return list(zip(scores, detector.score(texts), strict=True))


def old_rule(below: float) -> Decide:
    """The relay before: angry when P(positive) < below (anger_turns in a row; per message here)."""
    return lambda turn: turn.positive is not None and turn.positive < below


def new_rule(thresholds: AngerThresholds) -> Decide:
    return lambda turn: thresholds.is_angry(turn.cues, turn.positive)


def precision_recall(turns: Sequence[Turn], decide: Decide) -> tuple[float, float, int, int, int]:
    tp = sum(1 for t in turns if decide(t) and t.label == ANGRY)
    fp = sum(1 for t in turns if decide(t) and t.label != ANGRY)
    fn = sum(1 for t in turns if not decide(t) and t.label == ANGRY)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def fmt(turns: Sequence[Turn], decide: Decide) -> str:
    p, r, tp, fp, fn = precision_recall(turns, decide)
    return f"P {p:.3f}  R {r:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def choose(turns: Sequence[Turn], candidates: dict[str, Decide]) -> str:
    """Precision >= target first, then the highest recall, then the higher precision; else the best F1."""

    def key(name: str) -> tuple[bool, float, float]:
        p, r, *_ = precision_recall(turns, candidates[name])
        return (p >= TARGET_PRECISION, r if p >= TARGET_PRECISION else 2 * p * r / (p + r or 1), p)

    return max(candidates, key=key)


def load_turns(analyzer: TextAnalyzer, detector: AngerDetector, path: Path) -> list[Turn]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scored = score(analyzer, detector, [row["text"] for row in rows])
    return [
        Turn(row["text"], row["label"], row["style"], row["split"], positive, cues)
        for row, (positive, cues) in zip(rows, scored, strict=True)
    ]


def first_handoff(
    turns: Sequence[dict[str, str]],
    angry: Sequence[bool],
    *,
    in_a_row: int,
    exempt_forms: frozenset[str],
) -> int | None:
    """The first turn at which the last `in_a_row` messages were angry and no exempt form was asking."""
    for index in range(len(turns)):
        window = angry[max(0, index - in_a_row + 1) : index + 1]
        if len(window) == in_a_row and all(window) and turns[index].get("form") not in exempt_forms:
            return index
    return None


def conversations(
    analyzer: TextAnalyzer,
    detector: AngerDetector,
    path: Path,
    rules: dict[str, tuple[Decide, int, frozenset[str]]],
) -> list[dict[str, object]]:
    results = []
    for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
        turns = conversation["turns"]
        scored = score(analyzer, detector, [str(t["text"]) for t in turns])
        probes = [Turn(str(t["text"]), "", "", "", p, c) for t, (p, c) in zip(turns, scored, strict=True)]
        row: dict[str, object] = {"name": conversation["name"], "expected": conversation["handoff_at"]}
        for name, (decide, in_a_row, exempt) in rules.items():
            row[name] = first_handoff(
                turns, [decide(t) for t in probes], in_a_row=in_a_row, exempt_forms=exempt
            )
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=Path, default=EVAL_DIR / "chat_turns.csv")
    parser.add_argument("--conversations", type=Path, default=EVAL_DIR / "chat_conversations.yml")
    parser.add_argument(
        "--errors", choices=["dev", "test", "all"], help="list the configured rule's mistakes"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    settings = load_settings()
    chat = settings.chat
    analyzer = TextAnalyzer.from_settings(settings.nlp)
    detector = AngerDetector.from_file(chat.anger_lexicon_file)
    turns = load_turns(analyzer, detector, args.turns)
    dev = [t for t in turns if t.split == "dev"]
    test = [t for t in turns if t.split == "test"]
    counts = Counter(t.label for t in turns)
    print(f"{len(turns)} messages ({len(dev)} dev, {len(test)} test): {dict(sorted(counts.items()))}\n")

    configured = AngerThresholds(cue_score=chat.anger_cue_score, positive_below=chat.anger_below)
    old_configured = 0.15  # the relay's threshold before the chat rule (P(positive) < 0.15 on 2 turns)
    print("Per message, angry = hand over now           dev                                test")
    for name, decide in [
        (f"old: P(positive) < {old_configured}", old_rule(old_configured)),
        (f"new: cues >= {configured.cue_score}, P < {configured.positive_below}", new_rule(configured)),
    ]:
        print(f"  {name:42} {fmt(dev, decide):34} {fmt(test, decide)}")

    print("\nSweep of the old rule (P(positive) below t), all messages:")
    for below in OLD_BELOW:
        print(f"  t = {below:<5} {fmt(turns, old_rule(below))}")
    old_candidates = {f"P < {b}": old_rule(b) for b in OLD_BELOW}
    old_pick = choose(dev, old_candidates)
    print(f"  chosen on dev: {old_pick}; on test: {fmt(test, old_candidates[old_pick])}")

    print("\nSweep of the new rule on dev (rows: cue sum >=; columns: model P(positive) below):")
    print("        " + "".join(f"{'none' if g > 1 else g:>16}" for g in GATES))
    candidates: dict[str, Decide] = {}
    for cue_score in CUE_SCORES:
        cells = []
        for gate in GATES:
            rule = new_rule(AngerThresholds(cue_score=cue_score, positive_below=gate))
            candidates[f"cues >= {cue_score}, P < {gate}"] = rule
            p, r, *_ = precision_recall(dev, rule)
            cells.append(f"{p:.2f}/{r:.2f}")
        print(f"  {cue_score:<5} " + "".join(f"{c:>16}" for c in cells))
    pick = choose(dev, candidates)
    print(f"  chosen on dev: {pick}; dev {fmt(dev, candidates[pick])}")
    print(f"  the same on test: {fmt(test, candidates[pick])}")

    print("\nConfigured rule on test, by style (angry recall; false alarms among the others):")
    styles = sorted({s for t in test for s in t.style.split("+")})
    decide = new_rule(configured)
    for style in styles:
        subset = [t for t in test if style in t.style.split("+")]
        angry = [t for t in subset if t.label == ANGRY]
        calm = [t for t in subset if t.label != ANGRY]
        caught = sum(decide(t) for t in angry)
        alarms = sum(decide(t) for t in calm)
        print(f"  {style:12} angry {caught}/{len(angry)}   false alarms {alarms}/{len(calm)}")

    exempt = frozenset(chat.anger_exempt_forms)
    results = conversations(
        analyzer,
        detector,
        args.conversations,
        {
            "old": (old_rule(old_configured), 2, frozenset()),
            "new": (new_rule(configured), chat.anger_turns, exempt),
        },
    )
    print("\nConversations (turn of the handoff; - = none):")
    for row in results:
        marks = "  ".join(
            f"{name} {'-' if row[name] is None else row[name]}{'' if row[name] == row['expected'] else ' ✗'}"
            for name in ("old", "new")
        )
        expected = "-" if row["expected"] is None else row["expected"]
        print(f"  expected {expected:>2}  {marks:22} {row['name']}")
    for name in ("old", "new"):
        right = sum(row[name] == row["expected"] for row in results)
        print(f"  {name}: {right}/{len(results)} conversations handed over at the scripted turn")

    if args.errors:
        chosen = turns if args.errors == "all" else [t for t in turns if t.split == args.errors]
        print(f"\nMistakes of the configured rule on {args.errors}:")
        for t in chosen:
            if decide(t) != (t.label == ANGRY):
                kind = "missed" if t.label == ANGRY else f"false ({t.label})"
                shown = "-" if t.positive is None else f"{t.positive:.2f}"
                print(f"  {kind:24} cues {t.cues.score:<4} P {shown:5} {','.join(t.cues.cues):30} {t.text}")

    if args.json:
        figures = {
            "counts": dict(counts),
            "old": {
                s: precision_recall(x, old_rule(old_configured))[:2]
                for s, x in [("dev", dev), ("test", test)]
            },
            "new": {s: precision_recall(x, decide)[:2] for s, x in [("dev", dev), ("test", test)]},
            "chosen_on_dev": pick,
            "conversations": results,
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
