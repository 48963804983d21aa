"""Aspect detection and per-aspect sentiment at clause level (快递很快但是质量太差 → 物流+, 质量-)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from nlp.clauses import Boundary, Clause, split_clauses
from nlp.lexicon import FUNCTION_CHARS, ClauseScore, SentimentLexicon, TokenRefiner, lexicon_probability
from nlp.segment import RESOURCES, Segmenter

DEFAULT_ASPECTS = RESOURCES / "aspects.yml"
ClauseScorer = Callable[[list[str]], list[float]]
"""Probability of positive for each clause text, e.g. the transformer sentiment model."""


class Polarity(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class AspectSentiment:
    """One aspect mentioned in one clause, with its polarity.

    ``score`` is in [-1, 1] (negative to positive); ``terms`` are the trigger terms found and
    ``opinions`` the lexicon words that decided the polarity (``not:`` marks a negated word).
    """

    aspect: str
    label: Polarity
    score: float
    clause: str
    terms: tuple[str, ...]
    opinions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Unit:
    """A stretch of a clause about one aspect: the smallest piece that gets a polarity."""

    aspect: str
    tokens: tuple[str, ...]
    terms: tuple[str, ...]
    clause_index: int


def load_aspect_terms(path: Path = DEFAULT_ASPECTS) -> dict[str, list[str]]:
    """Read an ``aspect: [term, ...]`` YAML mapping."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of aspect to a list of terms")
    return {str(aspect): [str(term) for term in terms or []] for aspect, terms in data.items()}


class AspectAnalyzer:
    """Finds aspects in a review and gives each a polarity from its own clause.

    Polarity comes from the sentiment lexicon. With ``clause_scorer``, the model's probability
    is averaged with the lexicon's (``model_weight`` is the model's share) where the lexicon has
    an opinion; where it has none, the model decides only when it is confident
    (``p >= 0.5 + model_margin`` or ``p <= 0.5 - model_margin``), otherwise the aspect is neutral.
    """

    def __init__(
        self,
        segmenter: Segmenter,
        *,
        aspect_terms: Mapping[str, Sequence[str]] | None = None,
        lexicon: SentimentLexicon | None = None,
        clause_scorer: ClauseScorer | None = None,
        model_weight: float = 0.5,
        model_margin: float = 0.35,
        neutral_band: float = 0.1,
    ) -> None:
        self.segmenter = segmenter
        self._aspect_terms = aspect_terms
        self._lexicon = lexicon
        self.clause_scorer = clause_scorer
        self.model_weight = model_weight
        self.model_margin = model_margin
        self.neutral_band = neutral_band
        self._ready: tuple[dict[str, tuple[str, ...]], SentimentLexicon, TokenRefiner, re.Pattern[str]] | None
        self._ready = None
        self._lock = threading.Lock()

    def _resources(
        self,
    ) -> tuple[dict[str, tuple[str, ...]], SentimentLexicon, TokenRefiner, re.Pattern[str]]:
        if self._ready is None:
            with self._lock:
                if self._ready is None:
                    terms = self._aspect_terms if self._aspect_terms is not None else load_aspect_terms()
                    lexicon = self._lexicon or SentimentLexicon.load()
                    index: dict[str, tuple[str, ...]] = {}
                    for aspect, aspect_terms in terms.items():
                        for term in aspect_terms:
                            term = self.segmenter.normalizer.clean(term)
                            if term:
                                index[term] = (*index.get(term, ()), aspect)
                    refiner = TokenRefiner(
                        frozenset(lexicon.polarity) | frozenset(index),
                        lexicon.negations | frozenset(lexicon.degrees) | lexicon.neutral,
                    )
                    multi = sorted((t for t in index if len(t) >= 2), key=len, reverse=True)
                    inner = re.compile("|".join(map(re.escape, multi))) if multi else re.compile(r"(?!)")
                    self._ready = (index, lexicon, refiner, inner)
        return self._ready

    @property
    def aspects(self) -> list[str]:
        """The configured aspect names, in lexicon order."""
        index = self._resources()[0]
        return list(dict.fromkeys(a for aspects in index.values() for a in aspects))

    def analyze(self, text: str) -> list[AspectSentiment]:
        """Aspect mentions in reading order; raises EmptyTextError when nothing analysable remains.

        Text without any aspect term (including English-only text) gives an empty list.
        """
        index, lexicon, refiner, inner = self._resources()
        tokens = refiner.refine(self.segmenter.cut_normalized(self.segmenter.normalize(text)))
        clauses = split_clauses(tokens)
        units: list[_Unit] = []
        for number, clause in enumerate(clauses):
            units.extend(self._units(clause, number, index, inner, lexicon))
        if not units:
            return []
        scores = [lexicon.score(unit.tokens) for unit in units]
        scores = _inherit_opinions(units, scores, clauses, lexicon)
        probabilities = self._model_probabilities(units)
        results = []
        for position, (unit, score) in enumerate(zip(units, scores, strict=True)):
            p_model = probabilities[position] if probabilities is not None else None
            label, value = self._decide(score, p_model)
            results.append(
                AspectSentiment(
                    aspect=unit.aspect,
                    label=label,
                    score=round(value, 4),
                    clause=clauses[unit.clause_index].text,
                    terms=unit.terms,
                    opinions=score.opinions,
                )
            )
        return results

    def summarize(self, text: str) -> dict[str, AspectSentiment]:
        """One result per aspect: the mention with the strongest opinion (first on ties)."""
        best: dict[str, AspectSentiment] = {}
        for mention in self.analyze(text):
            current = best.get(mention.aspect)
            if current is None or abs(mention.score) > abs(current.score):
                best[mention.aspect] = mention
        return best

    def _units(
        self,
        clause: Clause,
        number: int,
        index: Mapping[str, tuple[str, ...]],
        inner: re.Pattern[str],
        lexicon: SentimentLexicon,
    ) -> list[_Unit]:
        hits = _drop_predicate_cues(_find_terms(clause.tokens, index, inner), clause.tokens, lexicon)
        if not hits:
            return []
        # A clause naming several aspects (价格便宜质量差) is cut where the next aspect starts.
        starts: list[tuple[int, str, list[str]]] = []
        for position, aspect, term in hits:
            existing = next((s for s in starts if s[1] == aspect), None)
            if existing is None:
                starts.append((position, aspect, [term]))
            elif term not in existing[2]:
                existing[2].append(term)
        starts.sort(key=lambda s: s[0])
        cuts = [0]
        for k in range(1, len(starts)):
            # Modifiers just before the next aspect's term belong to it: 好吃|不贵, 屏幕|没有划痕.
            cut = starts[k][0]
            while cut > cuts[-1] + 1 and _is_modifier(clause.tokens[cut - 1], lexicon):
                cut -= 1
            cuts.append(cut)
        cuts.append(len(clause.tokens))
        units = []
        for k, (_, aspect, terms) in enumerate(starts):
            begin, end = cuts[k], cuts[k + 1]
            if end <= begin:  # two aspects on one token (退货 is 服务; 破损 is 包装): share the clause
                begin, end = 0, len(clause.tokens)
            units.append(_Unit(aspect, tuple(clause.tokens[begin:end]), tuple(terms), number))
        return units

    def _model_probabilities(self, units: Sequence[_Unit]) -> list[float] | None:
        if self.clause_scorer is None:
            return None
        probabilities = self.clause_scorer(["".join(unit.tokens) for unit in units])
        if len(probabilities) != len(units):
            raise ValueError(f"clause_scorer returned {len(probabilities)} values for {len(units)} clauses")
        return [min(1.0, max(0.0, float(p))) for p in probabilities]

    def _decide(self, score: ClauseScore, p_model: float | None) -> tuple[Polarity, float]:
        if p_model is None:
            if not score.has_opinion or abs(score.score) < 0.2:
                return Polarity.NEUTRAL, 0.0
            value = max(-1.0, min(1.0, score.score / 2.0))
            return (Polarity.POSITIVE if value > 0 else Polarity.NEGATIVE), value
        if score.has_opinion:
            p = self.model_weight * p_model + (1 - self.model_weight) * lexicon_probability(score.score)
            band = self.neutral_band
        else:
            p, band = p_model, self.model_margin
        if p >= 0.5 + band:
            return Polarity.POSITIVE, 2 * p - 1
        if p <= 0.5 - band:
            return Polarity.NEGATIVE, 2 * p - 1
        return Polarity.NEUTRAL, 2 * p - 1


def _find_terms(
    tokens: Sequence[str], index: Mapping[str, tuple[str, ...]], inner: re.Pattern[str]
) -> list[tuple[int, str, str]]:
    """(token position, aspect, term) for each trigger term, longest match first."""
    hits: list[tuple[int, str, str]] = []
    i = 0
    while i < len(tokens):
        for length in range(min(4, len(tokens) - i), 0, -1):
            joined = "".join(tokens[i : i + length])
            if joined in index:
                hits.extend((i, aspect, joined) for aspect in index[joined])
                i += length
                break
        else:
            # Terms of two or more characters also count inside a longer token (物流 in 物流速度).
            for match in inner.finditer(tokens[i]):
                hits.extend((i, aspect, match.group()) for aspect in index[match.group()])
            i += 1
    return hits


def _is_modifier(token: str, lexicon: SentimentLexicon) -> bool:
    return token in lexicon.negations or token in lexicon.degrees or token in FUNCTION_CHARS


def _drop_predicate_cues(
    hits: list[tuple[int, str, str]], tokens: Sequence[str], lexicon: SentimentLexicon
) -> list[tuple[int, str, str]]:
    """Drop an implicit cue that is the predicate of another aspect's noun.

    In 包装盒很漂亮, 漂亮 describes the packaging, so it does not add 外观; in 质量好又便宜,
    便宜 follows an opinion, not the noun, and still adds 价格.
    """
    explicit = {(pos, aspect) for pos, aspect, term in hits if term not in lexicon.polarity}
    kept = []
    for position, aspect, term in hits:
        if term in lexicon.polarity:
            q = position - 1
            while q >= 0 and _is_modifier(tokens[q], lexicon):
                q -= 1
            if any(pos == q and other != aspect for pos, other in explicit):
                continue
        kept.append((position, aspect, term))
    return kept


def _inherit_opinions(
    units: Sequence[_Unit], scores: list[ClauseScore], clauses: Sequence[Clause], lexicon: SentimentLexicon
) -> list[ClauseScore]:
    """Give an opinion-free mention the opinion that follows it.

    Inside a clause, 外观和做工都不错: 外观 takes the next unit's opinion. Across clauses,
    质量嘛，还行: a clause with aspects but no opinion takes the next clause's opinion when that
    clause names no aspect and is not introduced by a contrast word (但是, 可是...).
    """
    result = list(scores)
    with_aspects = {unit.clause_index for unit in units}
    for k in range(len(units) - 1, -1, -1):
        if result[k].has_opinion:
            continue
        unit = units[k]
        if k + 1 < len(units) and units[k + 1].clause_index == unit.clause_index:
            result[k] = result[k + 1]
            continue
        following = unit.clause_index + 1
        if following >= len(clauses) or following in with_aspects:
            continue
        if clauses[following].boundary is Boundary.CONTRAST:
            continue
        result[k] = lexicon.score(clauses[following].tokens)
    return result
