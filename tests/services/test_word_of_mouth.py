"""Word-of-mouth alerts: the Poisson tail, the rise test on planted and flat fixtures, dedupe, the webhook."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import AlertKind, AlertStatus, SentimentLabel
from crm_store.models import Alert, AuditEntry, Product, Review, ReviewAspect
from huisheng.runtime import Runtime
from huisheng.services.audit import Actor
from huisheng.services.word_of_mouth import service
from huisheng.services.word_of_mouth.detect import detect_alerts, test_rise
from huisheng.services.word_of_mouth.stats import poisson_upper_tail, two_proportion_z
from huisheng.settings import AlertSettings
from tests.factories import make_staff

NOW = utcnow().replace(microsecond=0)
SETTINGS = AlertSettings(top_keywords=0)


def add_review(
    session: Session,
    *,
    at: datetime,
    aspect: str = "质量",
    negative: bool = True,
    text: str = "质量太差了",
    product: Product | None = None,
    keywords: list[str] | None = None,
) -> Review:
    label = SentimentLabel.NEGATIVE if negative else SentimentLabel.POSITIVE
    review = Review(
        source="test",
        text=text,
        sentiment_label=label,
        sentiment_score=0.05 if negative else 0.95,
        keywords=keywords or [],
        product_id=product.id if product else None,
        created_at=at,
    )
    review.aspects.append(ReviewAspect(aspect=aspect, label=label, score=0.1, clause=text))
    session.add(review)
    return review


def plant(session: Session, *, aspect: str, per_baseline_day: int, in_window: int, **extra: Any) -> None:
    for day in range(1, 29):
        for n in range(per_baseline_day):
            add_review(session, at=NOW - timedelta(days=day, hours=1 + n), aspect=aspect, **extra)
    for n in range(in_window):
        add_review(session, at=NOW - timedelta(minutes=10 + n), aspect=aspect, **extra)
    session.flush()


def alert_keys(alerts: list[Alert], kind: AlertKind) -> set[str]:
    return {alert.key for alert in alerts if alert.kind is kind}


# --- the tail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "lam", "expected"),
    [
        # Known values: 1 − Σ_{i<k} e^{−λ} λ^i / i!, e.g. P(X ≥ 1 | 0.5) = 1 − e^{−0.5}.
        (1, 0.5, 1 - math.exp(-0.5)),
        (5, 1.0, 0.00365984682734371),
        (10, 2.5, 0.000277352094620836),
        (3, 7.0, 0.970363836119478),
        (7, 7.0, 0.550288944151300),
        (20, 7.0, 4.44024765396975e-05),
    ],
)
def test_poisson_tail_matches_known_values(k: int, lam: float, expected: float) -> None:
    assert poisson_upper_tail(k, lam) == pytest.approx(expected, rel=1e-9)


def test_poisson_tail_stays_accurate_far_out_where_summing_the_pmf_cancels() -> None:
    # P(X ≥ 50 | λ = 10) is dominated by its first term e^{−10} 10^50 / 50! ≈ 1.49e-19.
    first_term = math.exp(-10 + 50 * math.log(10) - math.lgamma(51))
    assert first_term < poisson_upper_tail(50, 10.0) < first_term * 1.3


def test_poisson_tail_edges() -> None:
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(3, 0.0) == 0.0


def test_two_proportion_z_of_equal_shares_is_zero_and_of_a_rise_positive() -> None:
    assert two_proportion_z(10, 100, 100, 1000) == pytest.approx(0.0)
    z = two_proportion_z(30, 100, 100, 1000)
    assert z is not None and z > 5


def test_rise_below_the_minimum_volume_is_not_flagged_however_unlikely() -> None:
    verdict = test_rise(4, 0, settings=AlertSettings(min_count=5))
    assert verdict.p_value < 1e-6
    assert not verdict.flagged
    assert test_rise(5, 0, settings=AlertSettings(min_count=5)).flagged


def test_expected_count_is_the_baseline_rate_times_the_window() -> None:
    verdict = test_rise(3, 56, settings=AlertSettings(window_days=1, baseline_days=28))
    assert verdict.expected == pytest.approx(56.5 / 28)


# --- the job on fixtures ----------------------------------------------------------------------------------


def test_a_planted_spike_on_one_aspect_is_flagged(session: Session) -> None:
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    alerts = detect_alerts(session, settings=SETTINGS, now=NOW)
    assert alert_keys(alerts, AlertKind.ASPECT) == {"质量"}
    alert = alerts[0]
    assert alert.observed == 12
    assert alert.expected == pytest.approx(28.5 / 28, rel=1e-3)
    assert alert.p_value == pytest.approx(poisson_upper_tail(12, 28.5 / 28), rel=1e-6)
    assert alert.share_now == 1.0 and alert.share_before == 1.0
    assert len(alert.examples) == 3 and alert.examples[0]["text"] == "质量太差了"
    assert alert.status is AlertStatus.OPEN


def test_a_flat_aspect_is_not_flagged(session: Session) -> None:
    plant(session, aspect="物流", per_baseline_day=6, in_window=7)
    assert detect_alerts(session, settings=SETTINGS, now=NOW) == []


def test_a_spike_under_the_minimum_volume_is_not_flagged(session: Session) -> None:
    plant(session, aspect="包装", per_baseline_day=0, in_window=4)
    assert detect_alerts(session, settings=SETTINGS, now=NOW) == []


def test_positive_mentions_do_not_count_but_set_the_share(session: Session) -> None:
    plant(session, aspect="价格", per_baseline_day=1, in_window=0, negative=False)
    for n in range(6):
        add_review(session, at=NOW - timedelta(hours=2, minutes=n), aspect="价格")
    for n in range(6):
        add_review(session, at=NOW - timedelta(hours=3, minutes=n), aspect="价格", negative=False)
    session.flush()
    (alert,) = detect_alerts(session, settings=SETTINGS, now=NOW)
    assert (alert.key, alert.observed, alert.share_now, alert.share_before) == ("价格", 6, 0.5, 0.0)


def test_a_product_and_a_keyword_spike_are_flagged_with_the_products_name(session: Session) -> None:
    product = Product(sku="SKU-WOM", name="保温杯", category="家居", price=Decimal("59.00"))
    session.add(product)
    session.flush()
    for n in range(8):
        add_review(
            session,
            at=NOW - timedelta(hours=1, minutes=n),
            aspect="功能",
            product=product,
            text="保温杯漏水",
            keywords=["漏水"],
        )
    session.flush()
    alerts = detect_alerts(session, settings=AlertSettings(top_keywords=5), now=NOW)
    (product_alert,) = [a for a in alerts if a.kind is AlertKind.PRODUCT]
    assert (product_alert.key, product_alert.label, product_alert.observed) == (str(product.id), "保温杯", 8)
    (keyword_alert,) = [a for a in alerts if a.kind is AlertKind.KEYWORD]
    assert (keyword_alert.key, keyword_alert.share_now) == ("漏水", 1.0)
    assert keyword_alert.examples[0]["text"] == "保温杯漏水"


def test_running_again_the_same_day_stores_no_duplicate(session: Session) -> None:
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    assert len(detect_alerts(session, settings=SETTINGS, now=NOW)) == 1
    assert detect_alerts(session, settings=SETTINGS, now=NOW + timedelta(minutes=5)) == []
    assert session.scalar(select(Alert.id).where(Alert.key == "质量").limit(2).offset(1)) is None


def test_old_spikes_outside_the_window_are_baseline_not_alerts(session: Session) -> None:
    for n in range(12):
        add_review(session, at=NOW - timedelta(days=3, minutes=n), aspect="服务")
    session.flush()
    assert detect_alerts(session, settings=SETTINGS, now=NOW) == []


def test_acknowledge_records_who_and_when_once(session: Session) -> None:
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    (alert,) = detect_alerts(session, settings=SETTINGS, now=NOW)
    manager = make_staff(session, username="wom-manager")
    actor = Actor.staff(manager.id, manager.username)
    service.acknowledge(session, alert_id=alert.id, actor=actor)
    first_at = alert.acknowledged_at
    service.acknowledge(session, alert_id=alert.id, actor=Actor.staff(manager.id, "again"))
    assert (alert.status, alert.acknowledged_by_id, alert.acknowledged_at) == (
        AlertStatus.ACKNOWLEDGED,
        manager.id,
        first_at,
    )
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.acknowledged")).all()
    assert [e.entity_id for e in entries] == [alert.id]


# --- the webhook ------------------------------------------------------------------------------------------


class _Hook:
    def __init__(self, status: int):
        self.status = status
        self.bodies: list[dict[str, Any]] = []


@pytest.fixture()
def hook_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, _Hook]]:
    hook = _Hook(getattr(request, "param", 200))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            hook.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(hook.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/robot/send?key=test", hook
    server.shutdown()
    server.server_close()


def test_each_new_alert_is_posted_to_the_webhook_as_markdown(
    runtime: Runtime, session: Session, hook_server: tuple[str, _Hook]
) -> None:
    url, hook = hook_server
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    session.commit()
    result = service.run_job(
        runtime.session, settings=AlertSettings(top_keywords=0, webhook_url=url), now=NOW
    )
    assert (len(result.new_alert_ids), result.notified, result.failed) == (1, 1, 0)
    (body,) = hook.bodies
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert "质量" in content and "差评 **12** 条" in content and "质量太差了" in content
    alert = session.get(Alert, result.new_alert_ids[0])
    session.refresh(alert)
    assert alert is not None and alert.notified_at is not None and alert.notify_error is None


@pytest.mark.parametrize("hook_server", [500], indirect=True)
def test_a_failing_webhook_is_retried_once_and_recorded_on_the_alert(
    runtime: Runtime, session: Session, hook_server: tuple[str, _Hook]
) -> None:
    url, hook = hook_server
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    session.commit()
    result = service.run_job(
        runtime.session, settings=AlertSettings(top_keywords=0, webhook_url=url), now=NOW
    )
    assert (result.notified, result.failed, len(hook.bodies)) == (0, 1, 2)
    alert = session.get(Alert, result.new_alert_ids[0])
    session.refresh(alert)
    assert alert is not None and alert.notify_error == "HTTP 500" and alert.notified_at is None


def test_an_unreachable_webhook_does_not_stop_the_job(runtime: Runtime, session: Session) -> None:
    plant(session, aspect="质量", per_baseline_day=1, in_window=12)
    session.commit()
    settings = AlertSettings(
        top_keywords=0, webhook_url="http://127.0.0.1:9/nothing", webhook_timeout_seconds=1
    )
    result = service.run_job(runtime.session, settings=settings, now=NOW)
    assert (len(result.new_alert_ids), result.failed) == (1, 1)
    alert = session.get(Alert, result.new_alert_ids[0])
    session.refresh(alert)
    assert alert is not None and alert.notify_error and alert.notify_error.startswith("ConnectError")
