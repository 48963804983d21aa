"""The console's role rules as typed parameters: a route takes the login its floor allows, and that is its rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import ConsoleLogin, require_console_role
from crm_store.enums import StaffRole

AgentLogin = Annotated[ConsoleLogin, Depends(require_console_role(StaffRole.AGENT))]
SupervisorLogin = Annotated[ConsoleLogin, Depends(require_console_role(StaffRole.SUPERVISOR))]
ManagerLogin = Annotated[ConsoleLogin, Depends(require_console_role(StaffRole.MANAGER))]
AdminLogin = Annotated[ConsoleLogin, Depends(require_console_role(StaffRole.ADMIN))]
