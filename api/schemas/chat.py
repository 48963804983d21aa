"""Website chat widget shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from crm_store.enums import ConversationStatus


class ChatMessageIn(BaseModel):
    visitor_id: str = Field(
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The widget's random, persistent visitor id.",
    )
    text: str = Field(min_length=1, max_length=4000)
    message_id: str | None = Field(
        default=None, max_length=64, description="Client id, to drop resent messages."
    )
    display_name: str | None = Field(default=None, max_length=100)


class ChatMessageOut(BaseModel):
    conversation_id: int
    status: ConversationStatus = Field(description="bot, waiting_for_staff, with_staff or closed")
    replies: list[str] = Field(description="What the bot says back; empty while staff own the conversation.")
    duplicate: bool = False
