"""Staff working a handed-over conversation: reply on the customer's channel, hand back to the bot, resolve.

Each operation commits first and delivers after, so a message a customer sees is always in the store, and
a delivery that fails never undoes what staff did. The case-side calls (`reply_to_case`, `resolve_case`,
`release_case`) reach the same conversation from the escalation staff are working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_store.enums import (
    Channel,
    ConversationStatus,
    EscalationStatus,
    MessageDirection,
    MessageSender,
    ResolutionReason,
    StaffRole,
)
from crm_store.models import ChannelIdentity, Conversation, Message, StaffUser
from huisheng.channels.delivery import Delivery
from huisheng.clients.rasa import RasaClient
from huisheng.errors import (
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
    UpstreamUnavailableError,
)
from huisheng.services import audit, canned_replies, case_work, conversations, escalations, transcript
from huisheng.services.audit import Actor
from huisheng.services.case_work import CaseState
from huisheng.services.chat_choices import RATING_BUTTONS
from huisheng.services.chat_texts import BOT_BACK_TEXT, RATING_REQUEST_TEXT, RESOLVED_TEXT, STAFF_JOINED_TEXT
from huisheng.services.chat_turn import sender_id
from huisheng.services.transcript import MessageView
from huisheng.services.validation import clean_text

logger = logging.getLogger(__name__)

SessionScope = Callable[[], AbstractContextManager[Session]]
MAX_REPLY_LENGTH = conversations.MAX_MESSAGE_LENGTH


@dataclass(slots=True)
class DeskResult:
    conversation_id: int
    status: ConversationStatus
    messages: list[MessageView] = field(default_factory=list)
    agent_name: str | None = None
    duplicate: bool = False


@dataclass(slots=True)
class CaseDeskResult:
    """A case-side operation: the case as it now stands, and what the conversation was told (if it was)."""

    case: CaseState
    desk: DeskResult | None = None


@dataclass(frozen=True, slots=True)
class _Outbox:
    channel: Channel
    # The customer's ids on the conversation's channel, the one seen last first.
    external_ids: list[str]

    @property
    def senders(self) -> list[str]:
        """Rasa keeps one tracker per channel identity."""
        return [sender_id(self.channel, i) for i in self.external_ids]


def ensure_can_work(session: Session, *, staff: StaffUser, conversation: Conversation) -> None:
    """Agents work what waits in the queue or is theirs; supervisors and above may step into any conversation."""
    if staff.role is not StaffRole.AGENT:
        return
    if conversation.assignee_id == staff.id:
        return
    case = escalations.open_for_conversation(session, conversation_id=conversation.id)
    waiting = conversation.status is ConversationStatus.WAITING_FOR_STAFF
    if case is not None and (case.assignee_id == staff.id or (waiting and case.assignee_id is None)):
        # Queued and nobody's yet, or the agent's own case (claimed or assigned to them).
        return
    raise PermissionDeniedError(
        f"conversation {conversation.id} is not in the queue or assigned to you; ask a supervisor to assign it",
        code="not_your_conversation",
    )


class StaffDesk:
    def __init__(self, *, session_scope: SessionScope, delivery: Delivery, rasa: RasaClient):
        self._session_scope = session_scope
        self._delivery = delivery
        self._rasa = rasa

    def reply(
        self, *, conversation_id: int, staff_id: int, text: str, client_id: str | None = None
    ) -> DeskResult:
        """Stores a staff reply and delivers it; the first reply takes the conversation over from the queue."""
        body = clean_text(text, field="text", max_length=MAX_REPLY_LENGTH)
        _refuse_unfilled(body)
        if client_id is not None:
            client_id = clean_text(client_id, field="client_id", max_length=64)
        try:
            result, outbox, joined = self._store_reply_retrying(conversation_id, staff_id, body, client_id)
        except IntegrityError:
            # The message's unique (conversation, client id) turned a double submit away, however the two
            # requests interleaved; everything the second one did is rolled back and the first one stands.
            if client_id is None:
                raise
            return self._earlier_reply(conversation_id, client_id)
        if joined:
            self._tell_rasa(outbox, self._rasa.pause)
        self._deliver(outbox, result)
        return result

    def _store_reply_retrying(
        self, conversation_id: int, staff_id: int, body: str, client_id: str | None
    ) -> tuple[DeskResult, _Outbox, bool]:
        # A reply does not depend on the case's state, so losing the race on the case row (someone changed
        # the case between our read and our update) is retried once on fresh state rather than refused.
        try:
            return self._store_reply(conversation_id, staff_id, body, client_id)
        except StaleDataError:
            try:
                return self._store_reply(conversation_id, staff_id, body, client_id)
            except StaleDataError:
                raise ConflictError(
                    "工单刚被同事修改，回复没有发出，请再发一次", code="stale_version"
                ) from None

    def _store_reply(
        self, conversation_id: int, staff_id: int, body: str, client_id: str | None
    ) -> tuple[DeskResult, _Outbox, bool]:
        with self._session_scope() as session:
            staff, conversation = self._load(session, conversation_id, staff_id)
            fresh: list[MessageView] = []
            joined = (
                conversation.status is not ConversationStatus.WITH_STAFF
                or conversation.assignee_id != staff.id
            )
            if joined:
                conversations.take_over(
                    session, conversation_id=conversation.id, staff_id=staff.id, actor=_actor(staff)
                )
                notice = _notice(session, conversation.id, STAFF_JOINED_TEXT.format(name=staff.display_name))
                fresh.append(transcript.view_of(notice))
            case = escalations.open_for_conversation(session, conversation_id=conversation.id)
            if case is not None and case.status is EscalationStatus.ASSIGNED:
                escalations.transition(
                    session,
                    escalation_id=case.id,
                    to_status=EscalationStatus.IN_PROGRESS,
                    actor=_actor(staff),
                )
            message = conversations.record_message(
                session,
                conversation_id=conversation.id,
                direction=MessageDirection.OUTBOUND,
                sender=MessageSender.STAFF,
                staff_id=staff.id,
                text=body,
                external_id=client_id,
            )
            fresh.append(transcript.view_of(message))
            _audit(session, staff, "conversation.replied", conversation.id)
            result = DeskResult(conversation.id, conversation.status, fresh, staff.display_name)
            return result, self._outbox(session, conversation), joined

    def _earlier_reply(self, conversation_id: int, client_id: str) -> DeskResult:
        with self._session_scope() as session:
            conversation = conversations.get_conversation(session, conversation_id=conversation_id)
            earlier = conversations.find_message(
                session, conversation_id=conversation.id, external_id=client_id
            )
            views = [transcript.view_of(earlier)] if earlier is not None else []
            return DeskResult(
                conversation.id,
                conversation.status,
                views,
                transcript.agent_name(session, conversation),
                duplicate=True,
            )

    def release(self, *, conversation_id: int, staff_id: int) -> DeskResult:
        """Hands the conversation back to the bot; Rasa is resumed so it answers the next message."""
        with self._session_scope() as session:
            staff, conversation = self._load(session, conversation_id, staff_id)
            if conversation.status is ConversationStatus.BOT:
                raise InvalidInputError(
                    f"conversation {conversation.id} is already with the bot", code="not_handed_over"
                )
            conversations.return_to_bot(session, conversation_id=conversation.id)
            _audit(session, staff, "conversation.released", conversation.id)
            notice = _notice(session, conversation.id, BOT_BACK_TEXT)
            result = DeskResult(conversation.id, conversation.status, [transcript.view_of(notice)])
            outbox = self._outbox(session, conversation)
        self._tell_rasa(outbox, self._rasa.resume)
        self._deliver(outbox, result)
        return result

    def resolve(
        self,
        *,
        conversation_id: int,
        staff_id: int,
        resolution: str,
        reason: ResolutionReason | str = ResolutionReason.SOLVED,
    ) -> DeskResult:
        """Resolves the conversation's open case with what was done, and closes the conversation."""
        with self._session_scope() as session:
            staff, conversation = self._load(session, conversation_id, staff_id)
            case = escalations.open_for_conversation(session, conversation_id=conversation.id)
            if case is not None:
                case_work.resolve(
                    session,
                    escalation_id=case.id,
                    staff=staff,
                    version=None,
                    reason=reason,
                    resolution=resolution,
                )
            else:
                clean_text(resolution, field="resolution", max_length=2000)
            result, outbox = self._close(session, staff, conversation)
        self._after_close(outbox, result)
        return result

    def resolve_case(
        self,
        *,
        escalation_id: int,
        staff_id: int,
        version: int | None,
        reason: ResolutionReason | str,
        resolution: str,
    ) -> CaseDeskResult:
        """Resolves the case (on the version its author saw) and, in the same transaction, closes its
        conversation when that is still open, so the case and the conversation never disagree."""
        with self._session_scope() as session:
            staff = self._staff(session, staff_id)
            case = case_work.resolve(
                session,
                escalation_id=escalation_id,
                staff=staff,
                version=version,
                reason=reason,
                resolution=resolution,
            )
            conversation = case.conversation
            closed: tuple[DeskResult, _Outbox] | None = None
            if conversation is not None and conversation.status is not ConversationStatus.CLOSED:
                closed = self._close(session, staff, conversation)
            state = case_work.state_of(case)
        if closed is None:
            return CaseDeskResult(state)
        self._after_close(closed[1], closed[0])
        return CaseDeskResult(state, closed[0])

    def reply_to_case(
        self, *, escalation_id: int, staff_id: int, text: str, client_id: str | None = None
    ) -> CaseDeskResult:
        """A reply on the case's conversation, delivered on the customer's channel."""
        conversation_id = self._case_conversation(escalation_id, staff_id)
        result = self.reply(
            conversation_id=conversation_id, staff_id=staff_id, text=text, client_id=client_id
        )
        return CaseDeskResult(self._case_state(escalation_id), result)

    def release_case(self, *, escalation_id: int, staff_id: int) -> CaseDeskResult:
        """Hands the case's conversation back to the bot; the case itself stays as it is."""
        conversation_id = self._case_conversation(escalation_id, staff_id)
        result = self.release(conversation_id=conversation_id, staff_id=staff_id)
        return CaseDeskResult(self._case_state(escalation_id), result)

    def _case_conversation(self, escalation_id: int, staff_id: int) -> int:
        with self._session_scope() as session:
            staff = self._staff(session, staff_id)
            case = escalations.get_escalation(session, escalation_id=escalation_id)
            case_work.ensure_can_change(staff, case)
            if case.conversation_id is None:
                raise InvalidInputError(
                    f"工单 {case.ticket_no} 没有关联的会话，无法联系客户", code="no_conversation"
                )
            return case.conversation_id

    def _case_state(self, escalation_id: int) -> CaseState:
        with self._session_scope() as session:
            return case_work.state_of(escalations.get_escalation(session, escalation_id=escalation_id))

    def _close(
        self, session: Session, staff: StaffUser, conversation: Conversation
    ) -> tuple[DeskResult, _Outbox]:
        """Tells the customer service has ended, asks for a rating and closes the conversation."""
        notice = _notice(session, conversation.id, RESOLVED_TEXT)
        # Asked last, so the customer's stars (answered from their next conversation) find it.
        rating = _notice(session, conversation.id, RATING_REQUEST_TEXT, buttons=RATING_BUTTONS)
        conversations.close_conversation(session, conversation_id=conversation.id)
        _audit(session, staff, "conversation.resolved", conversation.id)
        result = DeskResult(
            conversation.id, conversation.status, [transcript.view_of(notice), transcript.view_of(rating)]
        )
        return result, self._outbox(session, conversation)

    def _after_close(self, outbox: _Outbox, result: DeskResult) -> None:
        # The customer's next message opens a new conversation, and the bot must be there to answer it.
        self._tell_rasa(outbox, self._rasa.resume)
        self._deliver(outbox, result)

    @staticmethod
    def _staff(session: Session, staff_id: int) -> StaffUser:
        staff = session.get(StaffUser, staff_id)
        if staff is None or not staff.is_active:
            raise PermissionDeniedError("this staff account is inactive")
        return staff

    def _load(self, session: Session, conversation_id: int, staff_id: int) -> tuple[StaffUser, Conversation]:
        staff = self._staff(session, staff_id)
        conversation = conversations.get_conversation(session, conversation_id=conversation_id)
        ensure_can_work(session, staff=staff, conversation=conversation)
        if conversation.status is ConversationStatus.CLOSED:
            raise InvalidInputError(f"conversation {conversation.id} is closed", code="conversation_closed")
        return staff, conversation

    @staticmethod
    def _outbox(session: Session, conversation: Conversation) -> _Outbox:
        ids = list(
            session.scalars(
                select(ChannelIdentity.external_id)
                .where(
                    ChannelIdentity.customer_id == conversation.customer_id,
                    ChannelIdentity.channel == conversation.channel,
                )
                .order_by(ChannelIdentity.last_seen_at.desc())
            )
        )
        return _Outbox(conversation.channel, ids)

    def _deliver(self, outbox: _Outbox, result: DeskResult) -> None:
        self._delivery.push(channel=outbox.channel, external_ids=outbox.external_ids, views=result.messages)
        self._delivery.status(
            channel=outbox.channel,
            external_ids=outbox.external_ids,
            status=result.status,
            agent_name=result.agent_name,
        )

    @staticmethod
    def _tell_rasa(outbox: _Outbox, call: Callable[..., None]) -> None:
        for sender in outbox.senders:
            try:
                call(sender_id=sender)
            except UpstreamUnavailableError:
                # The relay decides who answers, so a missed pause/resume only matters to Rasa's own state.
                logger.warning("Rasa did not take a pause/resume; it will be told on the next handoff")


def _refuse_unfilled(text: str) -> None:
    """A canned reply sent before its placeholders were filled in would show the customer "{订单号}"."""
    unfilled = canned_replies.unfilled_placeholders(text)
    if unfilled:
        names = "、".join(dict.fromkeys(f"{{{name}}}" for name in unfilled))
        raise InvalidInputError(
            f"回复里还有未填写的占位符 {names}：请换成实际内容后再发送",
            code="unfilled_placeholder",
            details={"placeholders": list(dict.fromkeys(unfilled))},
        )


def _notice(
    session: Session, conversation_id: int, text: str, buttons: list[dict[str, str]] | None = None
) -> Message:
    """What the system itself tells the customer: who joined, that the bot is back, that service ended."""
    return conversations.record_message(
        session,
        conversation_id=conversation_id,
        direction=MessageDirection.OUTBOUND,
        sender=MessageSender.SYSTEM,
        text=text,
        buttons=buttons,
    )


def _actor(staff: StaffUser) -> Actor:
    return Actor.staff(staff.id, staff.username)


def _audit(session: Session, staff: StaffUser, action: str, conversation_id: int) -> None:
    audit.record(
        session, actor=_actor(staff), action=action, entity_type="conversation", entity_id=conversation_id
    )
