"""Escalation shapes: the queue, one case with its conversation, and the changes staff make to a case."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.chat import CLIENT_ID, DeskOut
from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationCategory,
    EscalationEventKind,
    EscalationStatus,
    MessageKind,
    MessageSender,
    OrderStatus,
    Priority,
    ResolutionReason,
    SentimentLabel,
)
from huisheng.services.case_queue import QueueFilter, SlaState
from huisheng.services.case_view import CaseView
from huisheng.services.escalations import MAX_DESCRIPTION_LENGTH, OPEN_STATUSES

VERSION = Field(ge=1, description="The case's `version` as you last saw it; a stale one is refused (409).")
NOTE_LENGTH = 2000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class QueueQuery(BaseModel):
    status: list[EscalationStatus] = Field(
        default_factory=list, description="Repeat for several; the open statuses when left out."
    )
    channel: Channel | None = None
    category: EscalationCategory | None = None
    assignee_id: int | None = Field(default=None, ge=1)
    unassigned: bool = False
    tag: str | None = Field(default=None, min_length=1, max_length=50)
    mine: bool = Field(default=False, description="Only cases assigned to you.")
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int | None = Field(
        default=None, ge=1, le=200, description="The console's setting if left out."
    )

    @model_validator(mode="after")
    def _one_assignee_filter(self) -> QueueQuery:
        if sum((self.mine, self.unassigned, self.assignee_id is not None)) > 1:
            raise ValueError("choose one of mine, unassigned and assignee_id")
        return self

    def to_filter(self, *, viewer_id: int) -> QueueFilter:
        return QueueFilter(
            statuses=frozenset(self.status) or OPEN_STATUSES,
            channel=self.channel,
            category=self.category,
            assignee_id=self.assignee_id,
            unassigned=self.unassigned,
            tag=self.tag.strip() if self.tag else None,
            mine_of=viewer_id if self.mine else None,
        )


class QueueRowOut(_Out):
    id: int
    ticket_no: str
    version: int
    category: EscalationCategory
    priority: Priority
    status: EscalationStatus
    customer_id: int
    customer_name: str | None
    channel: Channel | None
    assignee_id: int | None
    assignee_name: str | None
    description: str
    sentiment_label: SentimentLabel | None
    sentiment_score: float | None
    created_at: datetime
    sla_due_at: datetime
    sla_state: SlaState = Field(description="breached, near (within the warning time), ok, or done")
    minutes_left: int = Field(description="Until the SLA deadline; negative once breached.")
    tags: list[str]


class QueuePageOut(_Out):
    rows: list[QueueRowOut]
    total: int
    page: int
    page_size: int
    pages: int
    breached: int
    near: int
    newest_id: int | None = Field(description="The newest open case: a larger one next time means new work.")


class CaseOut(_Out):
    """The case after a change: send `version` with the next one."""

    id: int
    ticket_no: str
    version: int
    status: EscalationStatus
    priority: Priority
    category: EscalationCategory
    assignee_id: int | None
    assignee_name: str | None
    resolution_reason: ResolutionReason | None
    resolution: str | None
    updated_at: datetime
    tags: list[str]


class ThreadMessageOut(_Out):
    id: int
    sender: MessageSender
    kind: MessageKind
    text: str
    created_at: datetime
    staff_name: str | None
    intent: str | None
    intent_confidence: float | None
    sentiment_label: SentimentLabel | None
    sentiment_score: float | None = Field(description="P(positive), 0–1.")
    buttons: list[str]


class CaseDetailOut(BaseModel):
    id: int
    ticket_no: str
    version: int
    status: EscalationStatus
    priority: Priority
    category: EscalationCategory
    description: str
    customer_id: int
    customer_name: str | None
    customer_phone: str | None
    contact_phone: str | None
    masked: bool = Field(description="Whether phone numbers and addresses are masked for your role.")
    assignee_id: int | None
    assignee_name: str | None
    sentiment_label: SentimentLabel | None
    sentiment_score: float | None
    sla_due_at: datetime
    created_at: datetime
    resolution_reason: ResolutionReason | None
    resolution: str | None
    tags: list[str]


class ConversationOut(_Out):
    id: int
    channel: Channel
    status: ConversationStatus
    started_at: datetime


class CaseOrderOut(BaseModel):
    order_no: str
    status: OrderStatus
    amount: Decimal
    items: list[dict[str, object]]
    carrier: str | None
    tracking_no: str | None
    address: str | None
    created_at: datetime


class EarlierContactOut(_Out):
    conversation_id: int
    channel: Channel
    status: ConversationStatus
    started_at: datetime
    csat_score: int | None
    first_text: str | None


class OtherCaseOut(_Out):
    id: int
    ticket_no: str
    category: EscalationCategory
    status: EscalationStatus
    created_at: datetime


class EventOut(_Out):
    id: int
    kind: EscalationEventKind
    actor_label: str
    from_status: EscalationStatus | None
    to_status: EscalationStatus | None
    note: str | None
    created_at: datetime


class CaseViewOut(BaseModel):
    escalation: CaseDetailOut
    version: int
    conversation: ConversationOut | None
    messages: list[ThreadMessageOut]
    orders: list[CaseOrderOut]
    earlier_contacts: list[EarlierContactOut]
    other_cases: list[OtherCaseOut]
    events: list[EventOut]
    next_statuses: list[EscalationStatus]
    can_change: bool
    can_assign: bool
    can_reply: bool

    @classmethod
    def of(cls, view: CaseView) -> CaseViewOut:
        case = view.escalation
        return cls(
            escalation=CaseDetailOut(
                id=case.id,
                ticket_no=case.ticket_no,
                version=case.version,
                status=case.status,
                priority=case.priority,
                category=case.category,
                description=case.description,
                customer_id=case.customer_id,
                customer_name=view.customer_name,
                customer_phone=view.customer_phone,
                contact_phone=view.contact_phone,
                masked=view.masked,
                assignee_id=case.assignee_id,
                assignee_name=case.assignee.display_name if case.assignee is not None else None,
                sentiment_label=case.sentiment_label,
                sentiment_score=case.sentiment_score,
                sla_due_at=case.sla_due_at,
                created_at=case.created_at,
                resolution_reason=case.resolution_reason,
                resolution=case.resolution,
                tags=[t.name for t in case.tags],
            ),
            version=case.version,
            conversation=ConversationOut.model_validate(view.conversation) if view.conversation else None,
            messages=[ThreadMessageOut.model_validate(m) for m in view.messages],
            orders=[
                CaseOrderOut(
                    order_no=o.order_no,
                    status=o.status,
                    amount=o.amount,
                    items=o.items,
                    carrier=o.carrier,
                    tracking_no=o.tracking_no,
                    address=view.order_addresses.get(o.order_no),
                    created_at=o.created_at,
                )
                for o in view.orders
            ],
            earlier_contacts=[EarlierContactOut.model_validate(c) for c in view.earlier_contacts],
            other_cases=[OtherCaseOut.model_validate(c) for c in view.other_cases],
            events=[EventOut.model_validate(e) for e in view.events],
            next_statuses=view.next_statuses,
            can_change=view.can_change,
            can_assign=view.can_assign,
            can_reply=view.can_reply,
        )


class VersionIn(_In):
    version: int = VERSION


class AssignIn(_In):
    assignee_id: int = Field(ge=1, description="The staff member who takes the case.")
    version: int = VERSION


class BulkItemIn(_In):
    id: int = Field(ge=1)
    version: int = VERSION


class BulkAssignIn(_In):
    assignee_id: int = Field(ge=1)
    items: list[BulkItemIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _each_case_once(self) -> BulkAssignIn:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("each case may appear only once")
        return self


class BulkOutcomeOut(_Out):
    escalation_id: int
    assigned: bool
    version: int | None = Field(description="The case's new version when assigned.")
    error: str | None = Field(description="Why this case was not assigned.")
    code: str | None


class StatusIn(_In):
    to_status: EscalationStatus
    version: int = VERSION
    note: str | None = Field(default=None, max_length=NOTE_LENGTH)
    reason: ResolutionReason | None = Field(default=None, description="Needed to resolve or close.")
    resolution: str | None = Field(default=None, max_length=MAX_DESCRIPTION_LENGTH)


class ResolveCaseIn(_In):
    version: int = VERSION
    reason: ResolutionReason
    resolution: str = Field(min_length=1, max_length=MAX_DESCRIPTION_LENGTH, description="What was done.")


class ReopenIn(_In):
    version: int = VERSION
    note: str = Field(min_length=1, max_length=NOTE_LENGTH, description="Why the case is open again.")


class NoteIn(_In):
    text: str = Field(
        min_length=1, max_length=NOTE_LENGTH, description="Internal: the customer never sees it."
    )


class TagIn(_In):
    tag: str = Field(min_length=1, max_length=50)


class CaseReplyIn(_In):
    text: str = Field(min_length=1, max_length=4000)
    client_id: str = CLIENT_ID


class NoteOut(BaseModel):
    note: EventOut
    case: CaseOut


class CaseDeskOut(BaseModel):
    case: CaseOut
    conversation: DeskOut | None = Field(description="What the customer's channel was sent, if anything.")
