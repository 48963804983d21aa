"""Admins read the audit log over the JSON API, filtered by who, what, which record and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from huisheng.services import audit
from huisheng.services.audit import Actor
from tests.api.conftest import signed_in

LI = Actor.staff(501, "li.na")
WANG = Actor.staff(502, "wang.fang")


def _entries(session: Session) -> None:
    base = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    rows = [
        (LI, "customer.viewed", "customer", 7, base),
        (LI, "customer.pii_revealed", "customer", 7, base + timedelta(hours=1)),
        (WANG, "escalation.assigned", "escalation", 3, base + timedelta(hours=2)),
        (WANG, "canned_reply.created", "canned_reply", 1, base + timedelta(hours=3)),
    ]
    for actor, action, entity_type, entity_id, at in rows:
        entry = audit.record(
            session,
            actor=Actor(label=actor.label),
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
        )
        entry.created_at = at
    session.commit()


def _actions(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get("/api/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [e["action"] for e in response.json()["entries"] if e["actor_label"] in ("li.na", "wang.fang")]


@pytest.fixture()
def admin(session: Session) -> dict[str, str]:
    _entries(session)
    return signed_in(session, StaffRole.ADMIN)[1]


def test_a_trailing_dot_finds_every_action_of_a_kind(client: TestClient, admin: dict[str, str]) -> None:
    assert _actions(client, admin, action="customer.") == ["customer.pii_revealed", "customer.viewed"]


def test_a_full_action_name_finds_only_that_action(client: TestClient, admin: dict[str, str]) -> None:
    assert _actions(client, admin, action="customer.viewed") == ["customer.viewed"]


def test_an_underscore_in_a_prefix_is_matched_literally(client: TestClient, admin: dict[str, str]) -> None:
    assert _actions(client, admin, action="canned_reply.") == ["canned_reply.created"]
    assert _actions(client, admin, action="canned%reply.") == []


def test_the_actor_filter(client: TestClient, admin: dict[str, str]) -> None:
    assert _actions(client, admin, actor="wang.fang") == ["canned_reply.created", "escalation.assigned"]


def test_the_entity_filter(client: TestClient, admin: dict[str, str]) -> None:
    assert _actions(client, admin, entity_type="escalation", entity_id="3") == ["escalation.assigned"]


def test_since_and_until_bound_the_time_in_any_zone(client: TestClient, admin: dict[str, str]) -> None:
    # 17:30 and 19:30 in Beijing are 09:30 and 11:30 UTC.
    window = {"since": "2026-11-30T17:30:00+08:00", "until": "2026-11-30T19:30:00+08:00"}
    assert _actions(client, admin, **window) == ["canned_reply.created", "escalation.assigned"]


def test_entries_are_paged_newest_first_with_the_total(client: TestClient, admin: dict[str, str]) -> None:
    body = client.get(
        "/api/audit", params={"actor": "li.na", "page_size": 1, "page": 2}, headers=admin
    ).json()
    assert (body["total"], [e["action"] for e in body["entries"]]) == (2, ["customer.viewed"])


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-11-30T08:00:00"},
        {"since": "yesterday"},
        {"since": "2026-12-01T00:00:00Z", "until": "2026-11-30T00:00:00Z"},
        {"page_size": "1000"},
        {"entity_id": "0"},
    ],
)
def test_a_bad_filter_is_a_422(client: TestClient, admin: dict[str, str], params: dict[str, str]) -> None:
    response = client.get("/api/audit", params=params, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["message"]
