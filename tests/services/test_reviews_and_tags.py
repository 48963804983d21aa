"""Reviews stored with their analysis, and tags on customers and escalations."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import SentimentLabel
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import reviews, tags
from huisheng.services.reviews import AspectResult, ReviewAnalysis
from tests.factories import make_customer, make_order, row_counts

ANALYSIS = ReviewAnalysis(
    tokens=["快递", "很快", "质量", "太差"],
    keywords=["快递", "质量"],
    sentiment_label=SentimentLabel.NEGATIVE,
    sentiment_score=0.08,
    model_version="test-1",
    aspects=[
        AspectResult(aspect="物流", label=SentimentLabel.POSITIVE, score=0.9, clause="快递很快"),
        AspectResult(aspect="质量", label=SentimentLabel.NEGATIVE, score=0.05, clause="质量太差"),
    ],
)


def test_a_review_is_stored_with_its_aspects(session: Session) -> None:
    customer = make_customer(session)
    order = make_order(session, customer=customer)
    review = reviews.store_review(
        session,
        source="web",
        text="快递很快但是质量太差",
        customer_id=customer.id,
        order_no=order.order_no,
        rating=2,
        analysis=ANALYSIS,
    )
    assert review.sentiment_label is SentimentLabel.NEGATIVE and review.analyzed_at is not None
    assert [(a.aspect, a.label) for a in review.aspects] == [
        ("物流", SentimentLabel.POSITIVE),
        ("质量", SentimentLabel.NEGATIVE),
    ]


def test_the_same_external_review_is_not_stored_twice(session: Session) -> None:
    reviews.store_review(session, source="tmall", external_id="r-1", text="不错")
    before = row_counts(session)
    with pytest.raises(ConflictError, match="already stored"):
        reviews.store_review(session, source="tmall", external_id="r-1", text="不错")
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"text": "好" * 10_001}, InvalidInputError, "limit is 10000"),
        ({"text": "  "}, InvalidInputError, "must not be empty"),
        ({"text": "好", "rating": 7}, InvalidInputError, "from 1 to 5"),
        ({"text": "好", "customer_id": 987654}, NotFoundError, "customer 987654"),
        ({"text": "好", "order_no": "202400009999"}, NotFoundError, "order 202400009999"),
    ],
)
def test_bad_reviews_are_refused_and_nothing_is_stored(
    session: Session, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    before = row_counts(session)
    with pytest.raises(error, match=match):
        reviews.store_review(session, source="web", **kwargs)  # type: ignore[arg-type]
    assert row_counts(session) == before


def test_tagging_twice_keeps_one_tag(session: Session) -> None:
    customer = make_customer(session)
    tags.tag_customer(session, customer_id=customer.id, tag="VIP")
    tags.tag_customer(session, customer_id=customer.id, tag="VIP")
    assert [t.name for t in customer.tags] == ["VIP"]


def test_untagging_removes_only_that_tag(session: Session) -> None:
    customer = make_customer(session)
    tags.tag_customer(session, customer_id=customer.id, tag="VIP")
    tags.tag_customer(session, customer_id=customer.id, tag="老客户")
    tags.untag_customer(session, customer_id=customer.id, tag="VIP")
    assert [t.name for t in customer.tags] == ["老客户"]


def test_an_over_long_tag_is_refused(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(InvalidInputError, match="limit is 50"):
        tags.tag_customer(session, customer_id=customer.id, tag="长" * 51)
    assert customer.tags == []
