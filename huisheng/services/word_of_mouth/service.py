"""The alert job (detect, store, notify) and what managers do with alerts: list and acknowledge them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import AlertStatus
from crm_store.models import Alert
from huisheng.errors import NotFoundError
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.word_of_mouth.detect import detect_alerts
from huisheng.services.word_of_mouth.webhook import deliver
from huisheng.settings import AlertSettings

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True, slots=True)
class JobResult:
    new_alert_ids: list[int]
    notified: int
    failed: int


def run_job(unit_of_work: UnitOfWork, *, settings: AlertSettings, now: datetime | None = None) -> JobResult:
    """Detects and stores in one transaction, then posts each new alert in another, so a slow or failing
    webhook neither holds the write lock nor loses the alerts; each alert records how its post went."""
    with unit_of_work() as session:
        ids = [alert.id for alert in detect_alerts(session, settings=settings, now=now)]
    notified = failed = 0
    if settings.webhook_url and ids:
        with unit_of_work() as session:
            for alert_id in ids:
                alert = session.get(Alert, alert_id)
                if alert is None:
                    continue
                error = deliver(alert, url=settings.webhook_url, timeout=settings.webhook_timeout_seconds)
                if error is None:
                    alert.notified_at = utcnow()
                    notified += 1
                else:
                    alert.notify_error = error[:1000]
                    failed += 1
    log.info("alert job: %d new alerts, %d posted, %d posts failed", len(ids), notified, failed)
    return JobResult(ids, notified, failed)


def list_alerts(session: Session, *, status: AlertStatus | None = None, limit: int = 100) -> list[Alert]:
    # Open alerts first, each group newest first.
    still_open = case((Alert.status == AlertStatus.OPEN, 0), else_=1)
    query = select(Alert).order_by(still_open, Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Alert.status == status)
    return list(session.scalars(query))


def get_alert(session: Session, *, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError(f"预警 {alert_id} 不存在", code="alert_not_found")
    return alert


def acknowledge(session: Session, *, alert_id: int, actor: Actor) -> Alert:
    """Marks the alert seen; acknowledging it again keeps the first person and time."""
    alert = get_alert(session, alert_id=alert_id)
    if alert.status is AlertStatus.ACKNOWLEDGED:
        return alert
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by_id = actor.staff_id
    alert.acknowledged_at = utcnow()
    audit.record(session, actor=actor, action="alert.acknowledged", entity_type="alert", entity_id=alert.id)
    return alert
