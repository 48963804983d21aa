"""Anger in customer chat: weighted cue phrases (negation-aware) combined with a sentiment model's score.

A review model reads almost every service question as negative (能退货吗 scores P(positive) 0.04), so its score
alone cannot tell a return request from a furious customer. What can is how anger is *said*: insults, threats
to go to a regulator or the press, fury words, being passed around, sarcasm. `AngerDetector` adds up the cues
of a message; `AngerThresholds` turns that sum and the model's score into "angry, hand over now" or not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.segment import RESOURCES
from nlp.text import TextNormalizer

DEFAULT_ANGER_LEXICON = RESOURCES / "lexicon" / "anger.txt"
NEGATION_WINDOW = 4
"""How many characters before a cue, inside its clause, are searched for a negation or an imperative."""
_CLAUSE_BREAK = re.compile(r"[，,。.!！?？;；:：~～…、\s]")
_HAS_WORD = re.compile(r"[\w\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class AngerLexicon:
    """Cue phrases with weights (0 = blocker), patterns, negations, imperatives and degree factors."""

    phrases: Mapping[str, float]
    patterns: tuple[tuple[re.Pattern[str], float], ...] = ()
    negations: frozenset[str] = frozenset()
    keeps: frozenset[str] = frozenset()
    degrees: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DEFAULT_ANGER_LEXICON) -> AngerLexicon:
        """Read the one-file format described at the top of `resources/lexicon/anger.txt`."""
        phrases: dict[str, float] = {}
        patterns: list[tuple[re.Pattern[str], float]] = []
        negations: set[str] = set()
        keeps: set[str] = set()
        degrees: dict[str, float] = {}
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, _, rest = line.partition(":")
            if kind in {"neg", "keep"} and rest:
                (negations if kind == "neg" else keeps).add(rest.strip())
                continue
            body, _, weight_text = (rest if kind in {"re", "deg"} and rest else line).rpartition(" ")
            if not body:
                body, weight_text = weight_text, "1"
            try:
                weight = float(weight_text)
            except ValueError:
                raise ValueError(f"{path}:{number}: the weight {weight_text!r} is not a number") from None
            if kind == "re" and rest:
                patterns.append((re.compile(body), weight))
            elif kind == "deg" and rest:
                degrees[body] = weight
            else:
                phrases[_fold(body)] = weight
        return cls(phrases, tuple(patterns), frozenset(negations), frozenset(keeps), degrees)


@dataclass(frozen=True, slots=True)
class AngerCues:
    """The cue sum of one message and the cues behind it (a cancelled one as `not:<cue>`)."""

    score: float
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AngerThresholds:
    """Angry when the cue sum reaches `cue_score` and the model's P(positive) is below `positive_below`.

    The model only vetoes: a message it reads as positive (不垃圾哈哈，挺好用的) is not angry whatever its words.
    """

    cue_score: float = 2.0
    positive_below: float = 0.5

    def is_angry(self, cues: AngerCues, positive: float | None) -> bool:
        # No score: nothing the model could read (emoji only), so the cues decide alone.
        vetoed = positive is not None and positive >= self.positive_below
        return cues.score >= self.cue_score and not vetoed


class AngerDetector:
    """Finds anger cues in a message: longest phrase first, negation and degree read from just before it."""

    def __init__(self, lexicon: AngerLexicon, *, normalizer: TextNormalizer | None = None) -> None:
        self.lexicon = lexicon
        self._normalizer = normalizer or TextNormalizer()
        self._longest = max((len(p) for p in lexicon.phrases), default=0)
        self._symbols = {p: w for p, w in lexicon.phrases.items() if not _HAS_WORD.search(p)}
        modifiers = sorted(lexicon.negations | lexicon.keeps, key=len, reverse=True)
        self._modifier = re.compile("|".join(map(re.escape, modifiers))) if modifiers else None

    @classmethod
    def from_file(cls, path: Path = DEFAULT_ANGER_LEXICON) -> AngerDetector:
        return cls(AngerLexicon.load(path))

    def cues(self, text: str) -> AngerCues:
        folded = self._normalizer.clean(text, max_chars=None)
        found: dict[str, float] = {}
        self._phrases(folded, found)
        raw = unicodedata.normalize("NFKC", text)
        for symbol, weight in self._symbols.items():
            if symbol in raw:
                found[symbol] = max(found.get(symbol, 0.0), weight)
        for pattern, weight in self.lexicon.patterns:
            if pattern.search(folded):
                found[f"re:{pattern.pattern}"] = weight
        score = sum(found.values())
        return AngerCues(score=round(score, 4), cues=tuple(found))

    def score(self, texts: Sequence[str]) -> list[AngerCues]:
        return [self.cues(text) for text in texts]

    def _phrases(self, text: str, found: dict[str, float]) -> None:
        i, clause_start = 0, 0
        while i < len(text):
            if _CLAUSE_BREAK.match(text, i):
                i += 1
                clause_start = i
                continue
            phrase = self._match(text, i)
            if phrase is None:
                i += 1
                continue
            weight = self.lexicon.phrases[phrase]
            if weight > 0:
                prefix = text[max(clause_start, i - NEGATION_WINDOW) : i]
                if self._negated(prefix):
                    found.setdefault(f"not:{phrase}", 0.0)
                else:
                    found[phrase] = max(found.get(phrase, 0.0), weight * self._degree(prefix))
            i += len(phrase)

    def _match(self, text: str, start: int) -> str | None:
        for length in range(min(self._longest, len(text) - start), 0, -1):
            candidate = text[start : start + length]
            if candidate in self.lexicon.phrases and not self._inside_latin_run(text, start, length):
                return candidate
        return None

    @staticmethod
    def _inside_latin_run(text: str, start: int, length: int) -> bool:
        """sb in usb, 12315 in 123156: a Latin or digit cue must be a whole run of letters and digits."""
        before = text[start - 1] if start > 0 else ""
        after = text[start + length] if start + length < len(text) else ""
        return bool(
            (_LATIN.match(text[start]) and _LATIN.match(before))
            or (_LATIN.match(text[start + length - 1]) and _LATIN.match(after))
        )

    def _negated(self, prefix: str) -> bool:
        """The last negation or imperative before the cue decides: 不会投诉 cancels, 不要再敷衍 does not."""
        if self._modifier is None:
            return False
        last = None
        for match in self._modifier.finditer(prefix):
            last = match.group()
        return last is not None and last in self.lexicon.negations

    def _degree(self, prefix: str) -> float:
        """A degree word right before the cue: 有点生气 counts half, 非常生气 half again."""
        for word, factor in sorted(self.lexicon.degrees.items(), key=lambda item: -len(item[0])):
            if prefix.endswith(word):
                return factor
        return 1.0


def _fold(phrase: str) -> str:
    """Lexicon phrases are compared with folded text, so fold them the same way (without OpenCC)."""
    return unicodedata.normalize("NFKC", phrase).lower()
