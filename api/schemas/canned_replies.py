"""Canned reply (快捷回复) shapes: the shop's stored replies and one filled in for a case."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from huisheng.services.canned_replies import MAX_BODY_LENGTH, PLACEHOLDERS

PLACEHOLDER_HELP = "Placeholders: " + ", ".join(
    f"{{{name}}} ({meaning})" for name, meaning in PLACEHOLDERS.items()
)


class CannedReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=MAX_BODY_LENGTH, description=PLACEHOLDER_HELP)
    shortcut: str | None = Field(
        default=None, max_length=32, description="Typed after '/' in the reply box, e.g. 退货."
    )


class CannedReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    shortcut: str | None
    body: str
    updated_at: datetime


class RenderedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    text: str = Field(description="The reply with every placeholder that could be filled, filled.")
    unfilled: list[str] = Field(
        description="Placeholders left in the text (no order yet…): edit before sending."
    )
