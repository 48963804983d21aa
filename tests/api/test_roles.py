"""Roles rank agent < supervisor < manager < admin; a lower role is refused with 403."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from api.deps import require_role
from crm_store.enums import StaffRole
from huisheng.errors import PermissionDeniedError
from tests.factories import make_staff


def test_an_agent_cannot_do_manager_work(session: Session) -> None:
    agent = make_staff(session, role=StaffRole.AGENT)
    with pytest.raises(PermissionDeniedError, match="needs the manager role or higher; you are agent"):
        require_role(StaffRole.MANAGER)(agent)


def test_an_admin_can_do_everything_a_manager_can(session: Session) -> None:
    admin = make_staff(session, role=StaffRole.ADMIN)
    assert require_role(StaffRole.MANAGER)(admin) is admin
