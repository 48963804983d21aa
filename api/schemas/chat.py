"""Website widget and staff-reply shapes (docs/widget_api.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from crm_store.enums import ConversationStatus, MessageKind, MessageSender, ResolutionReason
from huisheng.services.staff_desk import DeskResult
from huisheng.services.transcript import MessageView

CLIENT_ID = Field(
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9_-]+$",
    description="The sender's own id for this message: a re-send with the same id is stored once.",
)


class VisitorIn(BaseModel):
    visitor_token: str | None = Field(default=None, max_length=200, description="The token stored earlier.")


class ShopOut(BaseModel):
    name: str
    greeting: str


class VisitorOut(BaseModel):
    visitor_token: str
    shop: ShopOut


class ChoiceIn(BaseModel):
    message_id: int = Field(ge=1, description="The bot message whose button was tapped.")
    index: int = Field(ge=0, le=20, description="Which of its buttons, from 0.")


class ChatMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    client_id: str = CLIENT_ID
    choice: ChoiceIn | None = None


class ButtonOut(BaseModel):
    title: str


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    sender: MessageSender
    kind: MessageKind
    text: str
    buttons: list[ButtonOut]
    presentation: str | None = Field(description="'buttons' (quick replies), 'rating' (1–5 stars) or null")
    staff_name: str | None
    client_id: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, view: MessageView) -> MessageOut:
        return cls.model_validate(view.to_event())


class AgentOut(BaseModel):
    display_name: str


class ChatTurnOut(BaseModel):
    conversation_id: int
    status: ConversationStatus = Field(description="bot, waiting_for_staff, with_staff or closed")
    agent: AgentOut | None
    duplicate: bool
    message: MessageOut | None
    replies: list[MessageOut]


class HistoryOut(BaseModel):
    status: ConversationStatus | None
    agent: AgentOut | None
    messages: list[MessageOut]


class StaffReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    client_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Optional id: a double submit with the same id posts once.",
    )


class ResolveIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000, description="What was done for the customer.")
    reason: ResolutionReason = Field(
        default=ResolutionReason.SOLVED, description="Recorded on the conversation's open case."
    )


class DeskOut(BaseModel):
    conversation_id: int
    status: ConversationStatus
    agent: AgentOut | None
    duplicate: bool
    messages: list[MessageOut]

    @classmethod
    def of(cls, result: DeskResult) -> DeskOut:
        return cls(
            conversation_id=result.conversation_id,
            status=result.status,
            agent=agent_of(result.agent_name),
            duplicate=result.duplicate,
            messages=[MessageOut.of(m) for m in result.messages],
        )


def agent_of(name: str | None) -> AgentOut | None:
    return AgentOut(display_name=name) if name else None
