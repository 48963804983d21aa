"""Tests for nlp.keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.errors import EmptyTextError
from nlp.keywords import DEFAULT_IDF, KeywordExtractor, fit_idf, write_idf
from nlp.segment import Segmenter

REVIEW = "这个手机的屏幕很清晰，电池续航也不错，但是客服态度很差，退款拖了一个星期，我们都觉得售后太慢了。"


@pytest.fixture(scope="module")
def extractor(segmenter: Segmenter) -> KeywordExtractor:
    return KeywordExtractor(segmenter)


@pytest.mark.parametrize("method", ["tfidf", "textrank"])
def test_keywords_exclude_stopwords_and_single_characters(
    extractor: KeywordExtractor, segmenter: Segmenter, method: str
) -> None:
    keywords = getattr(extractor, method)(REVIEW, top_k=20)
    assert keywords
    assert all(len(word) >= 2 and word not in segmenter.stopwords for word, _ in keywords)


def test_tfidf_ranks_domain_terms_first(extractor: KeywordExtractor) -> None:
    words = [word for word, _ in extractor.tfidf(REVIEW, top_k=8)]
    assert {"续航", "退款", "售后"} <= set(words)


def test_tfidf_returns_weights_in_descending_order(extractor: KeywordExtractor) -> None:
    weights = [weight for _, weight in extractor.tfidf(REVIEW, top_k=8)]
    assert weights == sorted(weights, reverse=True)


def test_top_k_limits_the_number_of_keywords(extractor: KeywordExtractor) -> None:
    assert len(extractor.tfidf(REVIEW, top_k=3)) == 3


def test_keywords_of_empty_text_raise_empty_text_error(extractor: KeywordExtractor) -> None:
    with pytest.raises(EmptyTextError):
        extractor.tfidf("  \x00 ")


def test_fit_idf_gives_rarer_words_a_higher_idf(segmenter: Segmenter) -> None:
    texts = ["物流很快", "物流很慢", "物流一般，包装破损", "包装不错"]
    idf = fit_idf(texts, segmenter, min_df=1)
    assert idf["包装"] > idf["物流"]


def test_fit_idf_leaves_out_stopwords_and_single_characters(segmenter: Segmenter) -> None:
    idf = fit_idf(["我们觉得物流很快", "我们觉得物流好"], segmenter, min_df=1)
    assert "我们" not in idf and "好" not in idf and "物流" in idf


def test_fit_idf_skips_unanalysable_texts(segmenter: Segmenter) -> None:
    assert fit_idf(["", "\x00", "物流很快"], segmenter, min_df=1) == fit_idf(
        ["物流很快"], segmenter, min_df=1
    )


def test_written_idf_table_is_read_by_the_extractor(segmenter: Segmenter, tmp_path: Path) -> None:
    path = tmp_path / "idf.txt"
    write_idf({"续航": 9.0, "屏幕": 1.0, "退款": 1.0}, path)
    words = [w for w, _ in KeywordExtractor(segmenter, idf_path=path).tfidf("屏幕和续航，退款", top_k=1)]
    assert words == ["续航"]


def test_shipped_idf_table_is_fitted_on_reviews() -> None:
    lines = DEFAULT_IDF.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 5000
    assert all(len(line.split(" ")) == 2 for line in lines[:100])
