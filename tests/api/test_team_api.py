"""Managers see the team's workload over the JSON API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import StaffRole
from huisheng.services import case_work
from tests.api.conftest import signed_in
from tests.factories import make_case, make_staff


def test_the_workload_counts_open_and_breached_cases_per_person(client: TestClient, session: Session) -> None:
    busy = make_staff(session, username="busy.one")
    late, on_time = make_case(session), make_case(session)
    for case in (late, on_time):
        case_work.claim(session, escalation_id=case.id, staff=busy, version=case.version)
    late.sla_due_at = utcnow() - timedelta(minutes=1)
    _manager, headers = signed_in(session, StaffRole.MANAGER)
    response = client.get("/api/team/workload", headers=headers)
    assert response.status_code == 200
    first = response.json()[0]
    assert (first["staff_id"], first["open_cases"], first["breached"]) == (busy.id, 2, 1)
