"""`huisheng detect-alerts`, `compute-segments` and `refresh-insights` on a small store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_store.base import utcnow
from crm_store.enums import SentimentLabel
from crm_store.models import Review, ReviewAspect
from huisheng.cli.main import app
from huisheng.runtime import Runtime
from tests.factories import make_customer, make_order

runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("HUISHENG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    runtime = Runtime()
    with runtime.session() as session:
        customer = make_customer(session, name="赵六")
        make_order(session, customer=customer)
        for n in range(6):
            review = Review(
                source="test",
                text="物流太慢了",
                sentiment_label=SentimentLabel.NEGATIVE,
                created_at=utcnow() - timedelta(hours=1, minutes=n),
            )
            review.aspects.append(
                ReviewAspect(aspect="物流", label=SentimentLabel.NEGATIVE, score=0.1, clause="物流")
            )
            session.add(review)
    return runtime


def test_detect_alerts_reports_the_rise_once_a_day(store: Runtime) -> None:
    first = runner.invoke(app, ["detect-alerts"])
    assert first.exit_code == 0, first.output
    assert "alert aspect 物流: 6 negative" in first.output and "new alerts" in first.output
    again = runner.invoke(app, ["detect-alerts"])
    assert "0 new alerts" in again.output
    store.close()


def test_compute_segments_reports_the_thresholds_and_sizes(store: Runtime) -> None:
    result = runner.invoke(app, ["compute-segments"])
    assert result.exit_code == 0, result.output
    assert "1 customers, 1 segment rows" in result.output and "一般挽留: 1" in result.output
    store.close()


def test_refresh_insights_counts_every_day_first_then_only_what_changed(store: Runtime) -> None:
    first = runner.invoke(app, ["refresh-insights"])
    assert first.exit_code == 0, first.output
    assert "days recounted (all of them)" in first.output  # nothing was counted yet
    again = runner.invoke(app, ["refresh-insights"])
    assert again.exit_code == 0 and again.output.strip() == "0 days recounted"
    full = runner.invoke(app, ["refresh-insights", "--full"])
    assert full.exit_code == 0 and "(all of them)" in full.output
    store.close()
