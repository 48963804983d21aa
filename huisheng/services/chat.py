"""The chat relay: stores every customer turn, hands angry customers to staff, and asks the bot otherwise."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus, MessageDirection, MessageSender, SentimentLabel
from crm_store.models import Message
from huisheng.clients.rasa import RasaClient
from huisheng.errors import InvalidInputError, UpstreamUnavailableError
from huisheng.services import conversations, customers, escalations
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.validation import clean_text
from huisheng.settings import Settings

logger = logging.getLogger(__name__)

HANDED_OVER_TEXT = "看得出您很着急，已为您转接人工客服（工单号 {ticket}），客服会尽快回复您，请稍候。"
UNAVAILABLE_TEXT = "抱歉，智能客服暂时无法回复，我们已记录您的消息，人工客服会尽快联系您。"


def sender_id(channel: Channel, external_id: str) -> str:
    return f"{channel.value}:{external_id}"


def parse_sender_id(value: str) -> tuple[Channel, str]:
    channel_name, sep, external_id = value.partition(":")
    if not sep or not external_id:
        raise InvalidInputError(f"sender id '{value}' is not of the form '<channel>:<id>'")
    try:
        return Channel(channel_name), external_id
    except ValueError:
        raise InvalidInputError(f"sender id '{value}' names an unknown channel") from None


@dataclass(frozen=True, slots=True)
class AngerRule:
    """Hand over when the last `turns` customer messages were all negative below `below`."""

    below: float = 0.15
    turns: int = 2


@dataclass(slots=True)
class ChatTurn:
    """What the channel shows the customer after one message."""

    conversation_id: int
    status: ConversationStatus
    replies: list[str] = field(default_factory=list)
    duplicate: bool = False


SessionScope = Callable[[], AbstractContextManager[Session]]


class ChatService:
    """One per process; sessions are short so the bot's action server can write between them."""

    def __init__(
        self,
        *,
        session_scope: SessionScope,
        analyzer: Callable[[], TextAnalyzer],
        rasa: RasaClient,
        anger: AngerRule | None = None,
        sla_hours: Mapping[str, float] = escalations.DEFAULT_SLA_HOURS,
    ):
        self._session_scope = session_scope
        self._analyzer = analyzer
        self._rasa = rasa
        self._anger = anger or AngerRule()
        self._sla_hours = sla_hours

    @classmethod
    def from_settings(
        cls, settings: Settings, *, session_scope: SessionScope, analyzer: Callable[[], TextAnalyzer]
    ) -> ChatService:
        return cls(
            session_scope=session_scope,
            analyzer=analyzer,
            rasa=RasaClient(settings.rasa.url, timeout=settings.rasa.timeout_seconds),
            anger=AngerRule(below=settings.chat.anger_below, turns=settings.chat.anger_turns),
            sla_hours=dict(settings.escalation.sla_hours),
        )

    def handle(
        self,
        *,
        channel: Channel,
        external_id: str,
        text: str,
        message_id: str | None = None,
        display_name: str | None = None,
    ) -> ChatTurn:
        """Records the customer's message and returns what to show them.

        While staff own the conversation the bot stays silent: the message is stored for them and no
        reply comes back. A message id seen before (WeChat retries) is answered as a duplicate.
        """
        channel = Channel(channel)
        body = clean_text(text, field="text", max_length=conversations.MAX_MESSAGE_LENGTH)
        label, score = self._sentiment(body)
        with self._session_scope() as session:
            customer = customers.get_or_create_by_identity(
                session, channel=channel, external_id=external_id, display_name=display_name
            )
            conversation = conversations.current_conversation(
                session, customer_id=customer.id, channel=channel
            )
            if message_id and conversations.find_message(
                session, conversation_id=conversation.id, external_id=message_id
            ):
                return ChatTurn(conversation.id, conversation.status, duplicate=True)
            inbound = conversations.record_message(
                session,
                conversation_id=conversation.id,
                direction=MessageDirection.INBOUND,
                sender=MessageSender.CUSTOMER,
                text=body,
                external_id=message_id,
                sentiment_label=label,
                sentiment_score=score,
            )
            turn = ChatTurn(conversation.id, conversation.status)
            if conversation.status is ConversationStatus.BOT and self._is_angry(session, conversation.id):
                case = conversations.hand_over(
                    session,
                    conversation_id=conversation.id,
                    reason="negative sentiment on consecutive turns",
                    sla_hours=self._sla_hours,
                )
                reply = HANDED_OVER_TEXT.format(ticket=case.ticket_no)
                self._record_bot(session, conversation.id, [reply])
                return ChatTurn(conversation.id, ConversationStatus.WAITING_FOR_STAFF, [reply])
            inbound_id = inbound.id
        if turn.status is not ConversationStatus.BOT:
            return turn
        return self._ask_bot(channel, external_id, body, turn, inbound_id)

    def _ask_bot(
        self, channel: Channel, external_id: str, body: str, turn: ChatTurn, inbound_id: int
    ) -> ChatTurn:
        sender = sender_id(channel, external_id)
        try:
            replies = [
                r.text
                for r in self._rasa.send(
                    sender_id=sender, text=body, metadata={"conversation_id": turn.conversation_id}
                )
            ]
            intent = self._rasa.last_intent(sender_id=sender)
        except UpstreamUnavailableError:
            replies, intent = [UNAVAILABLE_TEXT], None
        with self._session_scope() as session:
            if intent is not None and intent.name:
                message = session.get(Message, inbound_id)
                if message is not None:
                    message.intent = intent.name
                    message.intent_confidence = intent.confidence
            self._record_bot(session, turn.conversation_id, replies)
            # The bot's actions may have handed over or closed the conversation meanwhile.
            status = conversations.get_conversation(session, conversation_id=turn.conversation_id).status
        return ChatTurn(turn.conversation_id, status, replies)

    def _sentiment(self, text: str) -> tuple[SentimentLabel | None, float | None]:
        try:
            return self._analyzer().sentiment(text)
        except InvalidInputError:
            return None, None  # emoji or punctuation only: nothing to judge, still worth storing

    def _is_angry(self, session: Session, conversation_id: int) -> bool:
        recent = conversations.recent_messages(session, conversation_id=conversation_id, limit=20)
        inbound = [m for m in recent if m.direction is MessageDirection.INBOUND][-self._anger.turns :]
        return len(inbound) == self._anger.turns and all(
            m.sentiment_label is SentimentLabel.NEGATIVE
            and m.sentiment_score is not None
            and m.sentiment_score < self._anger.below
            for m in inbound
        )

    @staticmethod
    def _record_bot(session: Session, conversation_id: int, replies: list[str]) -> None:
        for reply in replies:
            conversations.record_message(
                session,
                conversation_id=conversation_id,
                direction=MessageDirection.OUTBOUND,
                sender=MessageSender.BOT,
                text=reply[: conversations.MAX_MESSAGE_LENGTH],
            )

    def close(self) -> None:
        self._rasa.close()
