"""The demo's word-of-mouth story: after seeding and analysing, the alert job finds the one planted spike and
nothing the ordinary seeded reviews would raise on their own; reviews never lie in the future."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from itertools import chain

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import AlertKind
from crm_store.models import Alert, Order, Product, Review
from huisheng.demo import review_text, seed_demo_data, word_of_mouth
from huisheng.services import review_analysis
from huisheng.services.word_of_mouth.detect import detect_alerts
from huisheng.settings import AlertSettings
from tests.stubs import KeywordSentiment, stub_analyzer

# As many customers as `huisheng seed-demo` makes by default: piling-up shows only at that size.
CUSTOMERS = 300
SPIKE = "demo-spike%"


def _pieces(templates: Iterable[str]) -> set[str]:
    return {piece for t in templates for piece in re.split(r"\{\w\}|[，。！]", t) if piece}


class DemoSentiment(KeywordSentiment):
    """Reads the demo's tones as a good model would: negative when a text holds a piece of a negative
    template (one no positive template shares), so the test sees as many negative reviews as the demo has."""

    def __init__(self) -> None:
        negative = [*chain(*review_text.NEGATIVE.values()), *chain(*review_text.CATEGORY_NEGATIVE.values())]
        negative += [*review_text.CLOSERS["negative"], *word_of_mouth.SPIKE_TEXTS]
        positive = [*chain(*review_text.POSITIVE.values()), *chain(*review_text.CATEGORY_POSITIVE.values())]
        shared = "\n".join(positive)
        self.markers = {piece for piece in _pieces(negative) if piece not in shared}

    def predict_scores(self, texts: Sequence[str]) -> list[float]:
        return [0.02 if any(m in t for m in self.markers) else 0.95 for t in texts]


@pytest.fixture()
def analysed(session: Session) -> Session:
    seed_demo_data(session, customers=CUSTOMERS, seed=7)
    review_analysis.analyze_pending(session, stub_analyzer(DemoSentiment()))
    session.expire_all()
    return session


def spike_product(session: Session) -> Product:
    ids = set(session.scalars(select(Review.product_id).where(Review.external_id.like(SPIKE))))
    assert len(ids) == 1
    product = session.get(Product, ids.pop())
    assert product is not None
    return product


def test_the_alert_job_finds_the_planted_spike(analysed: Session) -> None:
    product = spike_product(analysed)
    found = detect_alerts(analysed, settings=AlertSettings())
    assert (AlertKind.PRODUCT, str(product.id)) in {(a.kind, a.key) for a in found}


def test_without_the_planted_spike_the_seeded_reviews_raise_no_alert(analysed: Session) -> None:
    # Counts only grow when the spike is added, so every alert found with it is about the spike.
    analysed.execute(delete(Review).where(Review.external_id.like(SPIKE)))
    found = detect_alerts(analysed, settings=AlertSettings())
    assert [(a.kind.value, a.label, a.observed) for a in found] == []
    assert analysed.scalars(select(Alert)).all() == []


def test_order_reviews_come_after_delivery_and_not_after_seeding(analysed: Session) -> None:
    now = utcnow()
    rows = analysed.execute(
        select(Review.created_at, Order.delivered_at).join(Order, Order.id == Review.order_id)
    ).all()
    assert rows
    assert all(delivered is not None and delivered < created <= now for created, delivered in rows)
    # Spread out, not piled onto the moment of seeding.
    last_day = sum(1 for created, _ in rows if created > now - timedelta(days=1))
    assert last_day < 0.1 * len(rows)
