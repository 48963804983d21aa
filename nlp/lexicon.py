"""Lexicon sentiment for short clauses: opinion words with negation and degree modifiers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.segment import RESOURCES, read_word_list

DEFAULT_LEXICON_DIR = RESOURCES / "lexicon"
NEGATION_WINDOW = 4
"""How many tokens before an opinion word are searched for negation and degree words."""
NEGATED_FACTOR = 0.7
"""Negation flips and softens: 不满意 is clearly negative, 不便宜 is only mildly so."""
_MAX_NGRAM = 4
_MAX_WORD_LEN = 8
FUNCTION_CHARS = frozenset("的得地了着过啊呀吧啦哦呢嘛哈都也又就还才再更")
"""Particles and adverbs that may be split off a token (太好了 → 太 好 了, 慢得 → 慢 得)."""


@dataclass(frozen=True, slots=True)
class ClauseScore:
    """Lexicon score of one clause: the signed sum and the opinion words that produced it."""

    score: float
    opinions: tuple[str, ...]

    @property
    def has_opinion(self) -> bool:
        return bool(self.opinions)


def _read_weighted(path: Path, sign: float) -> dict[str, float]:
    weights: dict[str, float] = {}
    for line in read_word_list(path):
        word, _, weight = line.partition(" ")
        weights[word] = sign * (float(weight) if weight.strip() else 1.0)
    return weights


@dataclass(frozen=True)
class SentimentLexicon:
    """Opinion words (signed weights), negations, degree multipliers and opinion-free blockers."""

    polarity: Mapping[str, float]
    negations: frozenset[str] = frozenset()
    degrees: Mapping[str, float] = field(default_factory=dict)
    neutral: frozenset[str] = frozenset()

    @classmethod
    def load(cls, directory: Path = DEFAULT_LEXICON_DIR) -> SentimentLexicon:
        """Read positive.txt, negative.txt, negation.txt, degree.txt and neutral.txt."""
        polarity = _read_weighted(directory / "positive.txt", 1.0)
        polarity.update(_read_weighted(directory / "negative.txt", -1.0))
        degrees = _read_weighted(directory / "degree.txt", 1.0)
        return cls(
            polarity=polarity,
            negations=frozenset(read_word_list(directory / "negation.txt")),
            degrees=degrees,
            neutral=frozenset(read_word_list(directory / "neutral.txt")),
        )

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexicon knows."""
        return frozenset(self.polarity) | self.negations | frozenset(self.degrees) | self.neutral

    def score(self, tokens: Sequence[str]) -> ClauseScore:
        """Score segmented tokens (see :meth:`TokenRefiner.refine`)."""
        total = 0.0
        opinions: list[str] = []
        last_end = 0  # modifiers are not shared across opinion words
        i = 0
        while i < len(tokens):
            word, length = self._match(tokens, i)
            if word is None:
                i += 1
                continue
            if word in self.neutral:
                i += length
                last_end = i
                continue
            if length == 1 and word in self.degrees and self._match(tokens, i + 1)[0] in self.polarity:
                i += 1  # 好 in 好快 is a degree word, not an opinion
                continue
            negated, degree = self._modifiers(tokens[max(last_end, i - NEGATION_WINDOW) : i])
            value = self.polarity[word]
            if negated:
                total += -value * NEGATED_FACTOR
                opinions.append(f"not:{word}")
            else:
                total += value * degree
                opinions.append(word)
            i += length
            last_end = i
        return ClauseScore(score=total, opinions=tuple(opinions))

    def _match(self, tokens: Sequence[str], start: int) -> tuple[str | None, int]:
        for length in range(min(_MAX_NGRAM, len(tokens) - start), 0, -1):
            joined = "".join(tokens[start : start + length])
            if joined in self.polarity or joined in self.neutral:
                return joined, length
        return None, 0

    def _modifiers(self, window: Sequence[str]) -> tuple[bool, float]:
        negations = sum(1 for token in window if token in self.negations)
        degree = 1.0
        for token in window:
            degree *= self.degrees.get(token, 1.0)
        return negations % 2 == 1, degree


class TokenRefiner:
    """Splits jieba tokens that hide known words (价格便宜 → 价格 便宜, 很快 → 很 快, 太好了 → 太 好 了).

    jieba's dictionary holds many adverb+adjective and noun+adjective compounds; scoring needs
    the parts. A token is split by forward maximum matching only when it decomposes entirely
    into known words and at least one part is a content word (an opinion word or aspect term),
    so 卫生间 is not read as 卫生 and 不过 is not read as 不 过.
    """

    def __init__(self, content: Iterable[str], modifiers: Iterable[str] = ()) -> None:
        self._content = frozenset(w for w in content if w and len(w) <= _MAX_WORD_LEN)
        self._known = self._content | frozenset(modifiers) | FUNCTION_CHARS

    def refine(self, tokens: Iterable[str]) -> list[str]:
        refined: list[str] = []
        for token in tokens:
            refined.extend(self._split(token))
        return refined

    def _split(self, token: str) -> list[str]:
        if token in self._known or len(token) < 2 or not _has_cjk(token):
            return [token]
        pieces: list[str] = []
        i = 0
        while i < len(token):
            for end in range(min(len(token), i + _MAX_WORD_LEN), i, -1):
                if token[i:end] in self._known:
                    pieces.append(token[i:end])
                    i = end
                    break
            else:
                return [token]
        return pieces if any(piece in self._content for piece in pieces) else [token]


_CJK = re.compile(r"[\u3400-\u9fff]")


def _has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def lexicon_probability(score: float, *, steepness: float = 2.0) -> float:
    """Map a lexicon score to a probability of positive (0 → 0.5)."""
    return 1.0 / (1.0 + math.exp(-steepness * score))
