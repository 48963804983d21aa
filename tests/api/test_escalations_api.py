"""The escalation queue and case changes over the JSON API: statuses, codes and stored data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import EscalationStatus, MessageDirection, MessageSender, Priority, StaffRole
from crm_store.models import AuditEntry, Escalation
from huisheng.services import case_work, conversations
from tests.api.conftest import signed_in
from tests.factories import make_case, make_customer, make_handoff, make_order, make_staff, row_counts


def _fresh(session: Session, case: Escalation) -> Escalation:
    session.expire_all()
    return session.get_one(Escalation, case.id)


def test_the_queue_lists_open_cases_with_sla_state_time_left_and_version(
    client: TestClient, session: Session
) -> None:
    late = make_case(session, priority=Priority.HIGH)
    late.sla_due_at = utcnow() - timedelta(minutes=5)
    soon = make_case(session, priority=Priority.NORMAL)
    soon.sla_due_at = utcnow() + timedelta(minutes=30)
    _user, agent = signed_in(session)
    response = client.get("/api/escalations", headers=agent)
    assert response.status_code == 200
    body = response.json()
    assert [(r["id"], r["sla_state"]) for r in body["rows"]] == [(late.id, "breached"), (soon.id, "near")]
    assert body["rows"][0]["minutes_left"] < 0 < body["rows"][1]["minutes_left"]
    assert body["rows"][0]["version"] == late.version
    assert (body["total"], body["breached"], body["near"], body["newest_id"]) == (2, 1, 1, soon.id)


def test_the_mine_filter_shows_only_my_cases(client: TestClient, session: Session) -> None:
    mine = make_case(session)
    make_case(session)
    me, headers = signed_in(session)
    case_work.claim(session, escalation_id=mine.id, staff=me, version=mine.version)
    session.commit()
    rows = client.get("/api/escalations", params={"mine": "true"}, headers=headers).json()["rows"]
    assert [r["id"] for r in rows] == [mine.id]


def test_several_statuses_can_be_asked_for(client: TestClient, session: Session) -> None:
    fresh, done = make_case(session), make_case(session)
    case_work.resolve(
        session,
        escalation_id=done.id,
        staff=make_staff(session),
        version=done.version,
        reason="solved",
        resolution="好",
    )
    _user, agent = signed_in(session)
    rows = client.get("/api/escalations", params={"status": ["new", "resolved"]}, headers=agent).json()[
        "rows"
    ]
    assert sorted(r["id"] for r in rows) == sorted([fresh.id, done.id])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mine": "true", "unassigned": "true"}, "query"),
        ({"status": "lost"}, "query.status.0"),
        ({"page_size": "500"}, "query.page_size"),
        ({"page": "0"}, "query.page"),
        ({"channel": "fax"}, "query.channel"),
    ],
)
def test_a_bad_queue_filter_is_a_422_naming_it(
    client: TestClient, session: Session, params: dict[str, str], field: str
) -> None:
    _user, agent = signed_in(session)
    response = client.get("/api/escalations", params=params, headers=agent)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


def test_the_case_view_shows_each_message_with_its_sentiment_and_intent(
    client: TestClient, session: Session
) -> None:
    case = make_handoff(session, text="东西是坏的，太差了")
    _user, agent = signed_in(session)
    response = client.get(f"/api/escalations/{case.id}", headers=agent)
    assert response.status_code == 200
    body = response.json()
    customer_message = next(m for m in body["messages"] if m["sender"] == "customer")
    assert (customer_message["text"], customer_message["sentiment_label"]) == (
        "东西是坏的，太差了",
        "negative",
    )
    assert (customer_message["sentiment_score"], customer_message["intent"]) == (0.04, "complain")
    assert body["version"] == body["escalation"]["version"] == _fresh(session, case).version
    assert body["next_statuses"] == ["assigned", "closed"]
    assert body["conversation"]["status"] == "waiting_for_staff"


def test_opening_a_case_is_written_to_the_audit_log(client: TestClient, session: Session) -> None:
    case = make_handoff(session)
    user, agent = signed_in(session)
    client.get(f"/api/escalations/{case.id}", headers=agent)
    viewed = session.scalars(select(AuditEntry).where(AuditEntry.action == "escalation.viewed")).one()
    assert (viewed.actor_id, viewed.entity_id) == (user.id, case.id)


@pytest.mark.parametrize(
    ("role", "address"),
    [(StaffRole.AGENT, "上海市浦东新****"), (StaffRole.SUPERVISOR, "上海市浦东新区世纪大道100号")],
)
def test_order_addresses_in_the_case_view_are_masked_per_role(
    client: TestClient, session: Session, role: StaffRole, address: str
) -> None:
    customer = make_customer(session)
    make_order(session, customer=customer)
    case = make_case(session, customer=customer)
    _user, headers = signed_in(session, role)
    body = client.get(f"/api/escalations/{case.id}", headers=headers).json()
    assert [o["address"] for o in body["orders"]] == [address]
    assert body["escalation"]["masked"] is (role is StaffRole.AGENT)


def test_an_unknown_case_is_a_404_with_a_message(client: TestClient, session: Session) -> None:
    _user, agent = signed_in(session)
    response = client.get("/api/escalations/987654", headers=agent)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "escalation 987654 does not exist"}


def test_messages_after_an_id_are_only_the_newer_ones(client: TestClient, session: Session) -> None:
    case = make_handoff(session)
    assert case.conversation_id is not None
    conversations.record_message(
        session,
        conversation_id=case.conversation_id,
        direction=MessageDirection.INBOUND,
        sender=MessageSender.CUSTOMER,
        text="人呢？",
    )
    _user, agent = signed_in(session)
    everything = client.get(f"/api/escalations/{case.id}/messages", headers=agent).json()
    newer = client.get(
        f"/api/escalations/{case.id}/messages", params={"after": everything[0]["id"]}, headers=agent
    ).json()
    assert [m["text"] for m in everything][-1] == "人呢？"
    assert [m["id"] for m in newer] == [m["id"] for m in everything[1:]] != []


def test_claiming_assigns_the_case_to_me_and_answers_the_new_version(
    client: TestClient, session: Session
) -> None:
    case = make_case(session)
    seen = case.version
    me, agent = signed_in(session)
    response = client.post(f"/api/escalations/{case.id}/claim", headers=agent, json={"version": seen})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["assignee_id"], body["assignee_name"]) == (
        "assigned",
        me.id,
        me.display_name,
    )
    assert body["version"] == _fresh(session, case).version > seen


def test_a_change_on_a_stale_version_is_a_409_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    case = make_case(session)
    seen = case.version
    case_work.add_note(session, escalation_id=case.id, staff=make_staff(session), text="先看一下")
    session.commit()
    _user, agent = signed_in(session)
    before = row_counts(session)
    response = client.post(f"/api/escalations/{case.id}/claim", headers=agent, json={"version": seen})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale_version" and error["details"]["your_version"] == seen
    assert "请查看最新内容后再操作" in error["message"]
    assert row_counts(session) == before and _fresh(session, case).assignee_id is None


@pytest.mark.parametrize("body", [{}, {"version": 0}, {"version": "two"}, {"version": 2, "extra": 1}])
def test_a_claim_without_a_proper_version_is_a_422(
    client: TestClient, session: Session, body: dict[str, object]
) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.post(f"/api/escalations/{case.id}/claim", headers=agent, json=body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"


def test_a_supervisor_assigns_a_case(client: TestClient, session: Session) -> None:
    case, agent = make_case(session), make_staff(session)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.post(
        f"/api/escalations/{case.id}/assign",
        headers=supervisor,
        json={"assignee_id": agent.id, "version": case.version},
    )
    assert response.status_code == 200 and response.json()["assignee_id"] == agent.id


def test_assigning_to_nobody_known_is_a_404_and_stores_nothing(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    before = row_counts(session)
    response = client.post(
        f"/api/escalations/{case.id}/assign",
        headers=supervisor,
        json={"assignee_id": 99999, "version": case.version},
    )
    assert response.status_code == 404 and row_counts(session) == before


def test_bulk_assign_answers_an_outcome_per_case(client: TestClient, session: Session) -> None:
    fresh, stale, agent = make_case(session), make_case(session), make_staff(session)
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.post(
        "/api/escalations/bulk-assign",
        headers=supervisor,
        json={
            "assignee_id": agent.id,
            "items": [
                {"id": fresh.id, "version": fresh.version},
                {"id": stale.id, "version": stale.version + 5},
            ],
        },
    )
    assert response.status_code == 200
    outcomes = {o["escalation_id"]: o for o in response.json()}
    assert (
        outcomes[fresh.id]["assigned"] is True
        and outcomes[fresh.id]["version"] == _fresh(session, fresh).version
    )
    assert (outcomes[stale.id]["assigned"], outcomes[stale.id]["code"]) == (False, "stale_version")
    assert _fresh(session, stale).assignee_id is None


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"id": 1, "version": 1}, {"id": 1, "version": 1}],
        [{"id": n, "version": 1} for n in range(1, 202)],
    ],
)
def test_a_bad_bulk_assign_is_a_422(client: TestClient, session: Session, items: list[object]) -> None:
    _user, supervisor = signed_in(session, StaffRole.SUPERVISOR)
    response = client.post(
        "/api/escalations/bulk-assign", headers=supervisor, json={"assignee_id": 1, "items": items}
    )
    assert response.status_code == 422


def test_a_status_change_moves_the_case_one_step(client: TestClient, session: Session) -> None:
    case = make_case(session)
    me, agent = signed_in(session)
    case_work.claim(session, escalation_id=case.id, staff=me, version=case.version)
    session.commit()
    response = client.post(
        f"/api/escalations/{case.id}/status",
        headers=agent,
        json={"to_status": "in_progress", "version": case.version},
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"


def test_an_illegal_status_change_is_a_422_and_stores_nothing(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    before = row_counts(session)
    response = client.post(
        f"/api/escalations/{case.id}/status",
        headers=agent,
        json={"to_status": "resolved", "version": case.version, "reason": "solved", "resolution": "好了"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "illegal_transition"
    assert row_counts(session) == before and _fresh(session, case).status is EscalationStatus.NEW


def test_closing_a_new_case_as_a_duplicate(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.post(
        f"/api/escalations/{case.id}/status",
        headers=agent,
        json={
            "to_status": "closed",
            "version": case.version,
            "reason": "duplicate",
            "resolution": "与 HS1 重复",
        },
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolution_reason"]) == ("closed", "duplicate")


def test_reopening_a_resolved_case_with_a_note(client: TestClient, session: Session) -> None:
    case = make_case(session)
    me, agent = signed_in(session)
    case_work.resolve(
        session, escalation_id=case.id, staff=me, version=case.version, reason="solved", resolution="好"
    )
    session.commit()
    response = client.post(
        f"/api/escalations/{case.id}/reopen",
        headers=agent,
        json={"version": case.version, "note": "客户说还没好"},
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    assert _fresh(session, case).events[-1].note == "客户说还没好"


def test_reopening_needs_a_note(client: TestClient, session: Session) -> None:
    case = make_case(session)
    _user, agent = signed_in(session)
    response = client.post(
        f"/api/escalations/{case.id}/reopen", headers=agent, json={"version": case.version}
    )
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "note"
