"""Review analysis into the store: follow-ups for strongly negative reviews, bulk import, bad rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import EscalationCategory, SentimentLabel
from crm_store.models import Escalation, Review
from huisheng.errors import InvalidInputError
from huisheng.services import review_analysis, reviews
from huisheng.services.analysis import TextAnalyzer
from tests.factories import make_customer, row_counts
from tests.stubs import stub_analyzer


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return stub_analyzer()


def test_a_review_is_stored_with_tokens_keywords_sentiment_and_aspects(
    session: Session, analyzer: TextAnalyzer
) -> None:
    review = review_analysis.analyze_and_store(session, analyzer, source="web", text="快递很快但是质量太差")
    assert review.sentiment_label is SentimentLabel.NEGATIVE
    assert "快递" in review.tokens and review.keywords
    assert {(a.aspect, a.label) for a in review.aspects} == {
        ("物流", SentimentLabel.POSITIVE),
        ("质量", SentimentLabel.NEGATIVE),
    }
    assert review.model_version == "keyword-stub@0"


def test_a_strongly_negative_review_from_a_known_customer_opens_a_follow_up(
    session: Session, analyzer: TextAnalyzer
) -> None:
    customer = make_customer(session)
    review = review_analysis.analyze_and_store(
        session, analyzer, source="web", text="质量太差了,再也不买了", customer_id=customer.id
    )
    case = session.scalar(select(Escalation).where(Escalation.review_id == review.id))
    assert case is not None
    assert case.category is EscalationCategory.REVIEW_FOLLOW_UP
    assert case.customer_id == customer.id


def test_an_anonymous_negative_review_opens_no_follow_up(session: Session, analyzer: TextAnalyzer) -> None:
    review_analysis.analyze_and_store(session, analyzer, source="web", text="质量太差了")
    assert session.scalar(select(Escalation)) is None


def test_a_positive_review_opens_no_follow_up(session: Session, analyzer: TextAnalyzer) -> None:
    customer = make_customer(session)
    review_analysis.analyze_and_store(
        session, analyzer, source="web", text="很好用,推荐", customer_id=customer.id
    )
    assert session.scalar(select(Escalation)) is None


@pytest.mark.parametrize("text", ["", "   ", "!!!???", "\x00\xff"])
def test_text_with_nothing_to_analyse_is_refused_and_nothing_is_stored(
    session: Session, analyzer: TextAnalyzer, text: str
) -> None:
    before = row_counts(session)
    with pytest.raises(InvalidInputError):
        review_analysis.analyze_and_store(session, analyzer, source="web", text=text)
    assert row_counts(session) == before


def test_pending_reviews_are_analysed_in_batches_and_blank_ones_become_neutral(
    session: Session, analyzer: TextAnalyzer
) -> None:
    for text in ["东西不错", "太差了", "!!!"]:
        reviews.store_review(session, source="demo", text=text)
    progress: list[int] = []
    done = review_analysis.analyze_pending(session, analyzer, batch_size=2, progress=progress.append)
    assert done == 3 and progress == [2, 1]
    labels = [r.sentiment_label for r in session.scalars(select(Review).order_by(Review.id))]
    assert labels == [SentimentLabel.POSITIVE, SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL]
    assert review_analysis.analyze_pending(session, analyzer) == 0
