"""API fixtures: a client on the test runtime and staff tokens per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from crm_store.enums import StaffRole
from huisheng.runtime import Runtime
from huisheng.services import staff
from huisheng.settings import load_settings
from tests.factories import make_staff


@pytest.fixture()
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


@pytest.fixture()
def settings_unmigrated(tmp_path: Path) -> Iterator[Runtime]:
    runtime = Runtime(load_settings(database={"url": f"sqlite:///{tmp_path / 'empty.db'}"}))
    yield runtime
    runtime.close()


def token_for(session: Session, role: StaffRole) -> dict[str, str]:
    user = make_staff(session, role=role)
    token = staff.issue_api_token(session, staff_id=user.id)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def agent_headers(session: Session) -> dict[str, str]:
    return token_for(session, StaffRole.AGENT)
