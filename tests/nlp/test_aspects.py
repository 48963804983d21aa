"""Tests for nlp.aspects: clause-level aspect sentiment."""

from __future__ import annotations

import pytest

from nlp.aspects import AspectAnalyzer, AspectSentiment, Polarity
from nlp.errors import EmptyTextError
from nlp.segment import Segmenter


def labels(analyzer: AspectAnalyzer, text: str) -> dict[str, str]:
    return {aspect: m.label.value for aspect, m in analyzer.summarize(text).items()}


def test_contrast_gives_each_clause_its_own_polarity(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "快递很快但是质量太差") == {"物流": "positive", "质量": "negative"}


def test_result_carries_clause_terms_and_score(analyzer: AspectAnalyzer) -> None:
    mention = analyzer.summarize("快递很快但是质量太差")["质量"]
    assert mention.clause == "但是质量太差"
    assert mention.terms == ("质量",)
    assert mention.score < 0


def test_negation_flips_polarity(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "包装没有破损") == {"包装": "positive"}


def test_negated_positive_word_is_negative(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "这个功能不太好用") == {"功能": "negative"}


def test_two_aspects_in_one_clause_are_scored_separately(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "价格便宜质量差") == {"价格": "positive", "质量": "negative"}


def test_negation_before_an_aspect_cue_stays_with_it(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "好吃不贵") == {"口味": "positive", "价格": "positive"}


def test_coordinated_aspects_share_the_opinion(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "外观和做工都不错") == {"外观": "positive", "质量": "positive"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("太难吃了", {"口味": "negative"}),
        ("真便宜", {"价格": "positive"}),
        ("送得很快", {"物流": "positive"}),
    ],
)
def test_implicit_cues_detect_aspects(analyzer: AspectAnalyzer, text: str, expected: dict[str, str]) -> None:
    assert labels(analyzer, text) == expected


def test_aspect_without_opinion_is_neutral(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "快递是中通的") == {"物流": "neutral"}


def test_opinion_in_following_clause_is_attached(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "质量嘛，还行") == {"质量": "positive"}


def test_opinion_after_contrast_is_not_attached(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "物流是顺丰，但是太贵了")["物流"] == "neutral"


def test_traditional_characters_are_analysed(analyzer: AspectAnalyzer) -> None:
    assert labels(analyzer, "這個質量很差") == {"质量": "negative"}


def test_text_without_aspects_gives_empty_list(analyzer: AspectAnalyzer) -> None:
    assert analyzer.analyze("昨天下的单") == []


def test_english_only_text_gives_empty_list(analyzer: AspectAnalyzer) -> None:
    assert analyzer.analyze("The quality is good and shipping was fast") == []


@pytest.mark.parametrize("text", ["", "   ", "\x00\xff\ufffd", "😀😀"])
def test_unanalysable_text_raises_empty_text_error(analyzer: AspectAnalyzer, text: str) -> None:
    with pytest.raises(EmptyTextError):
        analyzer.analyze(text)


def test_very_long_text_is_analysed_without_error(analyzer: AspectAnalyzer) -> None:
    mentions = analyzer.analyze("物流很快，质量很好。" * 1000)  # 10,000 characters
    assert mentions and all(m.label is Polarity.POSITIVE for m in mentions)


def test_aspect_terms_are_configurable(segmenter: Segmenter) -> None:
    custom = AspectAnalyzer(segmenter, aspect_terms={"环境": ["环境", "装修"]})
    assert labels(custom, "环境很好，质量很差") == {"环境": "positive"}
    assert custom.aspects == ["环境"]


def test_confident_clause_scorer_decides_when_lexicon_has_no_opinion(segmenter: Segmenter) -> None:
    scored = AspectAnalyzer(segmenter, clause_scorer=lambda clauses: [0.95] * len(clauses))
    assert labels(scored, "快递是中通的") == {"物流": "positive"}


def test_unsure_clause_scorer_leaves_opinion_free_clause_neutral(segmenter: Segmenter) -> None:
    scored = AspectAnalyzer(segmenter, clause_scorer=lambda clauses: [0.6] * len(clauses))
    assert labels(scored, "快递是中通的") == {"物流": "neutral"}


def test_clause_scorer_is_combined_with_lexicon(segmenter: Segmenter) -> None:
    seen: list[list[str]] = []

    def scorer(clauses: list[str]) -> list[float]:
        seen.append(clauses)
        return [0.2] * len(clauses)

    result = AspectAnalyzer(segmenter, clause_scorer=scorer).summarize("快递很快但是质量太差")
    assert seen == [["快递很快", "但是质量太差"]]
    assert result["质量"].label is Polarity.NEGATIVE
    assert result["物流"].score < analyzer_score(segmenter, "快递很快但是质量太差", "物流")


def analyzer_score(segmenter: Segmenter, text: str, aspect: str) -> float:
    return AspectAnalyzer(segmenter).summarize(text)[aspect].score


def test_clause_scorer_returning_wrong_length_is_rejected(segmenter: Segmenter) -> None:
    scored = AspectAnalyzer(segmenter, clause_scorer=lambda clauses: [])
    with pytest.raises(ValueError, match="clause_scorer"):
        scored.analyze("快递很快")


def test_results_are_frozen_dataclasses(analyzer: AspectAnalyzer) -> None:
    mention = analyzer.analyze("快递很快")[0]
    assert isinstance(mention, AspectSentiment)
    with pytest.raises(AttributeError):
        mention.label = Polarity.NEGATIVE  # type: ignore[misc]
