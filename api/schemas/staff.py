"""Staff shapes: who is signed in, their API tokens, the accounts admins manage and the team's workload."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_store.enums import StaffRole


class _In(BaseModel):
    # A misspelt field is refused by name instead of silently ignored.
    model_config = ConfigDict(extra="forbid")


class _FromOrm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StaffOut(_FromOrm):
    id: int
    username: str
    display_name: str
    email: str | None
    role: StaffRole
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenOut(_FromOrm):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, only its hash is kept.")


class LoginTokenOut(NewTokenOut):
    staff: StaffOut


class TokenLoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    token_name: str = Field(
        default="API", min_length=1, max_length=100, description="What the token is for, e.g. 'shop ERP'."
    )


class NewTokenIn(_In):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'shop ERP'.")


class StaffIn(_In):
    username: str = Field(min_length=2, max_length=64, description="2–64 lowercase letters, digits, . _ -")
    display_name: str = Field(min_length=1, max_length=100, description="The name customers see, e.g. 小王.")
    role: StaffRole
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")


class StaffPatchIn(_In):
    role: StaffRole | None = None
    is_active: bool | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=254, description="An empty string removes it.")

    @model_validator(mode="after")
    def _something_to_change(self) -> StaffPatchIn:
        if all(value is None for value in (self.role, self.is_active, self.display_name, self.email)):
            raise ValueError("send at least one of role, is_active, display_name, email")
        return self


class PasswordIn(_In):
    password: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")


class WorkloadOut(BaseModel):
    staff_id: int
    username: str
    display_name: str
    role: StaffRole
    open_cases: int
    breached: int = Field(description="Open cases past their SLA deadline.")
