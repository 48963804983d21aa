"""Splitting segmented text into clauses at punctuation and transition words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from nlp.segment import is_punctuation

CONTRAST_WORDS = frozenset(
    {"但是", "可是", "不过", "然而", "但", "只是", "只不过", "虽然", "虽说", "尽管", "反而", "倒是"}
)
"""Words that start a clause whose opinion may oppose the previous one."""
ADDITIVE_WORDS = frozenset({"而且", "并且", "另外", "同时", "还有", "况且", "再说", "就是", "此外", "而"})
"""Words that start a new clause continuing the same line of thought."""


class Boundary(StrEnum):
    """What separates a clause from the one before it."""

    START = "start"
    PUNCTUATION = "punctuation"
    CONTRAST = "contrast"
    ADDITIVE = "additive"


@dataclass(frozen=True, slots=True)
class Clause:
    tokens: tuple[str, ...]
    boundary: Boundary

    @property
    def text(self) -> str:
        return _join(self.tokens)


def split_clauses(tokens: Sequence[str]) -> list[Clause]:
    """Split tokens into clauses; punctuation tokens are dropped, transition words open a clause.

    The enumeration comma 、 does not split (外观、做工都不错 is one clause).
    """
    clauses: list[Clause] = []
    current: list[str] = []
    boundary = Boundary.START  # what precedes the clause being built
    for token in tokens:
        if token == "、":
            continue
        kind = _separator_kind(token)
        if kind is None:
            current.append(token)
            continue
        if current:
            clauses.append(Clause(tuple(current), boundary))
            current = []
            boundary = kind
        elif clauses:
            # Nothing since the last clause (，但是): keep the strongest separator seen.
            boundary = max(boundary, kind, key=_STRENGTH.index)
        if kind is not Boundary.PUNCTUATION:
            current.append(token)
    if current:
        clauses.append(Clause(tuple(current), boundary))
    return clauses


_STRENGTH = [Boundary.START, Boundary.PUNCTUATION, Boundary.ADDITIVE, Boundary.CONTRAST]


def _separator_kind(token: str) -> Boundary | None:
    if token in CONTRAST_WORDS:
        return Boundary.CONTRAST
    if token in ADDITIVE_WORDS:
        return Boundary.ADDITIVE
    if is_punctuation(token):
        return Boundary.PUNCTUATION
    return None


def _join(tokens: Sequence[str]) -> str:
    # Chinese joins without spaces; keep a space between two Latin/digit words.
    out = ""
    for token in tokens:
        if out and out[-1].isascii() and out[-1].isalnum() and token[:1].isascii() and token[:1].isalnum():
            out += " "
        out += token
    return out
