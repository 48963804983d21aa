"""API fixtures: a client on the test runtime and staff tokens per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.runtime import Runtime
from huisheng.services import staff
from huisheng.settings import load_settings
from tests.factories import make_staff
from tests.stubs import FakeRasa, install_fake_rasa, shop_answers


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
    return signed_in(session, role)[1]


def signed_in(
    session: Session, role: StaffRole = StaffRole.AGENT, **kwargs: str
) -> tuple[StaffUser, dict[str, str]]:
    """A new staff user of `role` and the headers their API token goes in."""
    user = make_staff(session, role=role, **kwargs)
    token = staff.issue_api_token(session, staff_id=user.id)
    session.commit()
    return user, {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def fake_rasa(runtime: Runtime) -> FakeRasa:
    """The relay and the staff desk talking to a stand-in for Rasa."""
    rasa = FakeRasa(shop_answers)
    install_fake_rasa(runtime, rasa)
    return rasa


@pytest.fixture()
def agent_headers(session: Session) -> dict[str, str]:
    return token_for(session, StaffRole.AGENT)
