"""The chat relay: stores every customer turn once, hands angry customers to staff, and asks the bot otherwise.

One turn at a time per customer on a channel (`TurnLocks`), so twenty messages sent at once are answered in
order, each reply stored next to the message it answers, instead of racing each other into Rasa's queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm_store.enums import (
    Channel,
    ConversationStatus,
    MessageDirection,
    MessageKind,
    MessageSender,
    SentimentLabel,
)
from crm_store.models import Conversation, Message
from huisheng.channels.delivery import Delivery
from huisheng.clients.rasa import BotReply, RasaClient
from huisheng.errors import InvalidInputError, UpstreamUnavailableError
from huisheng.live.locks import LocalTurnLocks, TurnLocks
from huisheng.services import chat_choices, conversations, csat, customers, escalations, receipts, transcript
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.anger import ANGER_REASON, AngerJudge, AngerRule
from huisheng.services.chat_choices import Choice
from huisheng.services.chat_texts import (
    HANDED_OVER_TEXT,
    KIND_REPLIES,
    RATED_TEXT,
    STAFF_ACK_TEXT,
    UNAVAILABLE_TEXT,
)
from huisheng.services.chat_turn import ChatTurn, as_customer_text, parse_sender_id, sender_id
from huisheng.services.validation import clean_text
from huisheng.settings import Settings
from nlp.anger import AngerDetector

__all__ = ["AngerRule", "ChatService", "ChatTurn", "SessionScope", "parse_sender_id", "sender_id"]

logger = logging.getLogger(__name__)

MESSAGE_ID_MAX = 64


SessionScope = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True, slots=True)
class _Incoming:
    """One customer message as it came in, checked and scored."""

    channel: Channel
    external_id: str
    body: str
    message_id: str | None
    display_name: str | None
    kind: MessageKind
    choice: Choice | None
    numbered_choices: bool
    label: SentimentLabel | None
    score: float | None
    auto_reply: str | None
    answer: bool
    angry: bool  # this message reads "a person, now", and no exempt form is asking (services/anger.py)


@dataclass(slots=True)
class _Inbound:
    """What the first, short transaction of a turn decided."""

    turn: ChatTurn
    message_id: int
    receipt_id: int | None
    ask_bot: str | None = None  # the text or button payload for Rasa, when the bot should answer
    pause_bot: bool = False


class ChatService:
    """One per process; sessions are short so the bot's action server can write between them."""

    def __init__(
        self,
        *,
        session_scope: SessionScope,
        analyzer: Callable[[], TextAnalyzer],
        rasa: RasaClient,
        anger: AngerRule | None = None,
        anger_detector: AngerDetector | None = None,
        sla_hours: Mapping[str, float] = escalations.DEFAULT_SLA_HOURS,
        locks: TurnLocks | None = None,
        delivery: Delivery | None = None,
        turn_wait_seconds: float = 30.0,
    ):
        self._session_scope = session_scope
        self._analyzer = analyzer
        self._rasa = rasa
        self._anger = AngerJudge(anger or AngerRule(), anger_detector or AngerDetector.from_file())
        self._sla_hours = sla_hours
        self._locks = locks or LocalTurnLocks()
        self._delivery = delivery
        self._turn_wait = turn_wait_seconds

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        session_scope: SessionScope,
        analyzer: Callable[[], TextAnalyzer],
        locks: TurnLocks,
        delivery: Delivery,
        rasa: RasaClient,
    ) -> ChatService:
        return cls(
            session_scope=session_scope,
            analyzer=analyzer,
            rasa=rasa,
            anger=AngerRule.from_settings(settings.chat),
            anger_detector=AngerDetector.from_file(settings.chat.anger_lexicon_file),
            sla_hours=dict(settings.escalation.sla_hours),
            locks=locks,
            delivery=delivery,
            turn_wait_seconds=settings.chat.turn_wait_seconds,
        )

    def handle(
        self,
        *,
        channel: Channel,
        external_id: str,
        text: str,
        message_id: str | None = None,
        display_name: str | None = None,
        kind: MessageKind = MessageKind.TEXT,
        choice: Choice | None = None,
        numbered_choices: bool = False,
        auto_reply: str | None = None,
        answer: bool = True,
    ) -> ChatTurn:
        """Records the customer's message once and returns what to show them.

        A message id seen before (a WeChat retry, a widget re-send) gets the original's stored answers. While
        a person owns the conversation the bot is silent; a customer still waiting for one is told so.
        `numbered_choices`: a bare number picks a button of the bot's last message (WeChat has no buttons).
        `auto_reply`: the answer to a message that is not text (e.g. the shop's welcome for a new follower).
        `answer=False`: stored and never answered (an unfollow: nobody is left to read a reply).
        """
        channel = Channel(channel)
        body = clean_text(text, field="text", max_length=conversations.MAX_MESSAGE_LENGTH)
        if message_id is not None:
            message_id = clean_text(message_id, field="message_id", max_length=MESSAGE_ID_MAX)
        label, score = self._sentiment(body) if kind is MessageKind.TEXT else (None, None)
        angry = kind is MessageKind.TEXT and self._anger.is_angry(body, score)
        with self._locks.hold(sender_id(channel, external_id), wait_seconds=self._turn_wait):
            angry = angry and not self._anger.exempts(self._active_form(sender_id(channel, external_id)))
            inbound = self._record_inbound(
                _Incoming(
                    channel,
                    external_id,
                    body,
                    message_id,
                    display_name,
                    kind,
                    choice,
                    numbered_choices,
                    label,
                    score,
                    auto_reply,
                    answer,
                    angry,
                )
            )
            if isinstance(inbound, ChatTurn):
                return inbound
            if inbound.pause_bot:
                self._quietly(self._rasa.pause, sender_id(channel, external_id))
            if inbound.ask_bot is not None:
                self._ask_bot(channel, external_id, inbound)
        if self._delivery is not None:
            turn = inbound.turn
            views = [v for v in [turn.message, *turn.replies] if v is not None]
            # Other tabs of the same visitor show the turn too.
            self._delivery.publish(channel=channel, external_ids=[external_id], views=views)
            if turn.status is not ConversationStatus.BOT:
                self._delivery.status(
                    channel=channel,
                    external_ids=[external_id],
                    status=turn.status,
                    agent_name=turn.agent_name,
                )
        return inbound.turn

    def _record_inbound(self, incoming: _Incoming) -> _Inbound | ChatTurn:
        channel, external_id, message_id = incoming.channel, incoming.external_id, incoming.message_id
        body, choice, kind = incoming.body, incoming.choice, incoming.kind
        with self._session_scope() as session:
            customer = customers.get_or_create_by_identity(
                session, channel=channel, external_id=external_id, display_name=incoming.display_name
            )
            receipt = None
            if message_id is not None:
                receipt = receipts.claim(
                    session, channel=channel, sender_key=external_id, external_id=message_id
                )
                if receipt is None:
                    customer_id = customer.id
                    session.rollback()
                    return self._repeat(channel, external_id, message_id, customer_id)
            conversation = conversations.current_conversation(
                session, customer_id=customer.id, channel=channel
            )
            payload, rated = None, None
            if kind is MessageKind.TEXT:
                rated = chat_choices.late_rating(
                    session,
                    customer_id=customer.id,
                    channel=channel,
                    current_id=conversation.id,
                    body=body,
                    choice=choice,
                    numbered_choices=incoming.numbered_choices,
                )
                if rated is not None:
                    csat.record_csat(session, conversation_id=rated.conversation_id, score=rated.score)
                    body = rated.title
                else:
                    if choice is None and incoming.numbered_choices:
                        choice = chat_choices.numbered(session, conversation.id, body)
                    if choice is not None:
                        picked = chat_choices.button(session, conversation.id, choice, typed=body)
                        payload, body = picked.payload, picked.title
            inbound = conversations.record_message(
                session,
                conversation_id=conversation.id,
                direction=MessageDirection.INBOUND,
                sender=MessageSender.CUSTOMER,
                kind=kind,
                text=body,
                external_id=message_id,
                sentiment_label=incoming.label,
                sentiment_score=incoming.score,
            )
            if receipt is not None:
                receipt.message_id = inbound.id
            result = _Inbound(
                ChatTurn(conversation.id, customer.id, conversation.status),
                inbound.id,
                receipt.id if receipt is not None else None,
            )
            if not incoming.answer:
                replies = []
            elif rated is not None:
                replies = [BotReply(RATED_TEXT, [])]
            else:
                replies = self._answer_without_bot(session, conversation, inbound, result, incoming)
            if incoming.answer and conversation.status is ConversationStatus.BOT and not replies:
                result.ask_bot = payload or as_customer_text(body)
            else:
                self._record_replies(
                    session, conversation.id, inbound.id, replies, sender=MessageSender.SYSTEM
                )
                if receipt is not None:
                    receipts.mark_answered(session, receipt_id=receipt.id)
            result.turn.status = conversation.status
            result.turn.agent_name = transcript.agent_name(session, conversation)
            result.turn.message = transcript.view_of(inbound)
            result.turn.replies = transcript.replies_to(session, message_id=inbound.id)
        return result

    def _answer_without_bot(
        self,
        session: Session,
        conversation: Conversation,
        inbound: Message,
        result: _Inbound,
        incoming: _Incoming,
    ) -> list[BotReply]:
        """Replies that need no bot: the anger handoff, the waiting notice, other kinds of message."""
        auto_reply = incoming.auto_reply
        angry = incoming.angry and conversation.status is ConversationStatus.BOT
        if angry and self._angry_in_a_row(session, conversation.id):
            case = conversations.hand_over(
                session, conversation_id=conversation.id, reason=ANGER_REASON, sla_hours=self._sla_hours
            )
            result.pause_bot = True
            return [BotReply(HANDED_OVER_TEXT.format(ticket=case.ticket_no), [])]
        if conversation.status is ConversationStatus.WAITING_FOR_STAFF:
            return [BotReply(STAFF_ACK_TEXT, [])]
        if conversation.status is ConversationStatus.BOT and inbound.kind is not MessageKind.TEXT:
            return [
                BotReply(auto_reply or KIND_REPLIES.get(inbound.kind, KIND_REPLIES[MessageKind.IMAGE]), [])
            ]
        return []

    def _ask_bot(self, channel: Channel, external_id: str, inbound: _Inbound) -> None:
        sender = sender_id(channel, external_id)
        turn = inbound.turn
        intent = None
        try:
            replies = self._rasa.send(
                sender_id=sender,
                text=inbound.ask_bot or "",
                metadata={"conversation_id": turn.conversation_id},
            )
            intent = self._rasa.last_intent(sender_id=sender)
            reply_sender = MessageSender.BOT
        except UpstreamUnavailableError:
            replies, reply_sender = [BotReply(UNAVAILABLE_TEXT, [])], MessageSender.SYSTEM
        with self._session_scope() as session:
            message = session.get(Message, inbound.message_id)
            if intent is not None and intent.name and message is not None:
                message.intent = intent.name
                message.intent_confidence = intent.confidence
            conversation = conversations.get_conversation(session, conversation_id=turn.conversation_id)
            if conversation.status is not ConversationStatus.CLOSED:
                self._record_replies(
                    session, conversation.id, inbound.message_id, replies, sender=reply_sender
                )
            if inbound.receipt_id is not None:
                receipts.mark_answered(session, receipt_id=inbound.receipt_id)
            # The bot's actions may have handed over or closed the conversation meanwhile.
            turn.status = conversation.status
            turn.agent_name = transcript.agent_name(session, conversation)
            turn.replies = transcript.replies_to(session, message_id=inbound.message_id)

    def _repeat(self, channel: Channel, external_id: str, message_id: str, customer_id: int) -> ChatTurn:
        """A message delivered before: the original's answers, waiting for them if it is still in hand."""

        def read() -> receipts.ReceiptState | None:
            with self._session_scope() as session:
                return receipts.state_of(
                    receipts.find(session, channel=channel, sender_key=external_id, external_id=message_id)
                )

        state = receipts.wait_until_answered(read, deadline_seconds=self._turn_wait)
        with self._session_scope() as session:
            original = session.get(Message, state.message_id) if state and state.message_id else None
            if original is None:
                conversation = conversations.current_conversation(
                    session, customer_id=customer_id, channel=channel
                )
                return ChatTurn(conversation.id, customer_id, conversation.status, duplicate=True)
            conversation = original.conversation
            return ChatTurn(
                conversation.id,
                customer_id,
                conversation.status,
                message=transcript.view_of(original),
                replies=transcript.replies_to(session, message_id=original.id),
                duplicate=True,
                agent_name=transcript.agent_name(session, conversation),
            )

    def _sentiment(self, text: str) -> tuple[SentimentLabel | None, float | None]:
        try:
            return self._analyzer().sentiment(text)
        except InvalidInputError:
            return None, None  # emoji or punctuation only: nothing to judge, still worth storing

    def _angry_in_a_row(self, session: Session, conversation_id: int) -> bool:
        """The message just stored was angry; with `turns` > 1 the ones before it must have been too."""
        if self._anger.rule.turns == 1:
            return True
        recent = conversations.recent_messages(session, conversation_id=conversation_id, limit=20)
        inbound = [
            m for m in recent if m.direction is MessageDirection.INBOUND and m.kind is MessageKind.TEXT
        ]
        return self._anger.all_angry((m.text, m.sentiment_score) for m in inbound)

    def _active_form(self, sender: str) -> str | None:
        """Asked only for an angry message; an unreachable Rasa hands over, which is the safe side."""
        try:
            return self._rasa.active_loop(sender_id=sender)
        except UpstreamUnavailableError:
            return None

    @staticmethod
    def _record_replies(
        session: Session,
        conversation_id: int,
        reply_to_id: int,
        replies: list[BotReply],
        *,
        sender: MessageSender,
    ) -> None:
        for reply in replies:
            conversations.record_message(
                session,
                conversation_id=conversation_id,
                direction=MessageDirection.OUTBOUND,
                sender=sender,
                text=reply.text[: conversations.MAX_MESSAGE_LENGTH],
                reply_to_id=reply_to_id,
                buttons=reply.buttons,
            )

    @staticmethod
    def _quietly(call: Callable[..., None], sender: str) -> None:
        try:
            call(sender_id=sender)
        except UpstreamUnavailableError:
            logger.warning("could not tell Rasa about a handoff; the relay keeps the bot silent anyway")

    def close(self) -> None:
        self._rasa.close()
