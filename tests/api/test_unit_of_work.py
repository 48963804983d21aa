"""A request's unit of work commits before its answer is sent: a commit that fails is the answer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from crm_store.enums import StaffRole
from crm_store.models import CustomerNote
from huisheng.errors import ConflictError
from huisheng.runtime import Runtime
from tests.api.conftest import token_for
from tests.factories import make_customer, row_counts


def test_a_commit_that_fails_is_answered_as_the_error_and_keeps_nothing(
    client: TestClient, runtime: Runtime, session: Session, session_factory: sessionmaker[Session]
) -> None:
    customer = make_customer(session)
    headers = token_for(session, StaffRole.AGENT)
    before = row_counts(session)

    def noted(request_session: Session, *_flush: Any) -> None:
        if any(isinstance(obj, CustomerNote) for obj in request_session.new):
            request_session.info["noted"] = True

    def refuse(request_session: Session) -> None:
        if request_session.info.pop("noted", False):
            raise ConflictError("the store refused the commit", code="commit_failed")

    event.listen(session_factory, "before_flush", lambda s, c, _i: noted(s, c))
    event.listen(session_factory, "before_commit", refuse)
    try:
        response = client.post(
            f"/api/customers/{customer.id}/notes", headers=headers, json={"text": "只收顺丰"}
        )
    finally:
        event.remove(session_factory, "before_commit", refuse)
    assert response.status_code == 409 and response.json()["error"]["code"] == "commit_failed"
    assert row_counts(session) == before
