"""What a tapped button or a bare number means: a button the bot offered, or a score for a finished service.

Payloads stay on the server: the customer picks (message id, button index) or types a number, and only a
button the bot really showed in this conversation counts. The one exception is the rating question sent when
staff resolve a conversation: that conversation is closed, so its stars are answered from the next one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel, ConversationStatus, MessageDirection
from crm_store.models import Conversation, Message
from huisheng.errors import InvalidInputError
from huisheng.services import conversations, transcript

# A rating question older than this is no longer answered as a rating.
RATING_WINDOW = timedelta(days=3)
RATING_BUTTONS: list[dict[str, str]] = [
    {"title": title, "payload": f'{transcript.RATING_PAYLOAD}{{"rating":"{score}"}}'}
    for score, title in ((5, "5分 非常满意"), (4, "4分"), (3, "3分"), (2, "2分"), (1, "1分 很不满意"))
]


@dataclass(frozen=True, slots=True)
class Choice:
    """A tapped quick reply: which bot message, which of its buttons."""

    message_id: int
    index: int


@dataclass(frozen=True, slots=True)
class Picked:
    payload: str
    title: str


@dataclass(frozen=True, slots=True)
class LateRating:
    """A score for a conversation that staff already closed."""

    conversation_id: int
    score: int
    title: str


def button(session: Session, conversation_id: int, choice: Choice, *, typed: str) -> Picked:
    """The payload and title of a tapped button, checked against what the bot really offered."""
    message = session.get(Message, choice.message_id)
    if (
        message is None
        or message.conversation_id != conversation_id
        or message.direction is not MessageDirection.OUTBOUND
        or not message.buttons
    ):
        raise InvalidInputError("choice.message_id is not a message with buttons in this conversation")
    return _pick(message, choice.index, typed)


def _pick(message: Message, index: int, typed: str) -> Picked:
    assert message.buttons
    if not 0 <= index < len(message.buttons):
        raise InvalidInputError(f"choice.index must be from 0 to {len(message.buttons) - 1}")
    chosen = message.buttons[index]
    return Picked(str(chosen.get("payload") or typed), str(chosen.get("title") or typed))


def numbered(session: Session, conversation_id: int, body: str) -> Choice | None:
    """'2' after a bot message with buttons picks its second button, but only right after that message."""
    if not body.isdigit() or len(body) > 2:
        return None
    recent = conversations.recent_messages(session, conversation_id=conversation_id, limit=10)
    outbound = [m for m in recent if m.direction is MessageDirection.OUTBOUND]
    if not outbound or not outbound[-1].buttons:
        return None
    if transcript.presentation_of(outbound[-1].buttons) == "rating":
        return None  # a score is typed as its number (3 means 3 分), which the survey reads itself
    index = int(body) - 1
    if not 0 <= index < len(outbound[-1].buttons):
        return None
    return Choice(outbound[-1].id, index)


def late_rating(
    session: Session,
    *,
    customer_id: int,
    channel: Channel,
    current_id: int,
    body: str,
    choice: Choice | None,
    numbered_choices: bool,
) -> LateRating | None:
    """A star tapped (or, on WeChat, a 1–5 typed first thing) for the customer's just-resolved conversation."""
    typed_score = choice is None and numbered_choices and body in {"1", "2", "3", "4", "5"}
    if choice is None and not typed_score:
        return None  # most turns: nothing that could be a rating, so no look-ups on the hot path
    question = _open_rating_question(session, customer_id, channel)
    if question is None:
        return None
    if choice is not None:
        if choice.message_id != question.id:
            return None
        picked = _pick(question, choice.index, body)
        return LateRating(question.conversation_id, _score(picked.payload), picked.title)
    fresh = not any(
        m.direction is MessageDirection.OUTBOUND
        for m in conversations.recent_messages(session, conversation_id=current_id, limit=5)
    )
    return LateRating(question.conversation_id, int(body), f"{body}分") if fresh else None


def _open_rating_question(session: Session, customer_id: int, channel: Channel) -> Message | None:
    last_closed = session.scalar(
        select(Conversation)
        .where(
            Conversation.customer_id == customer_id,
            Conversation.channel == channel,
            Conversation.status == ConversationStatus.CLOSED,
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if last_closed is None or last_closed.csat_score is not None:
        return None
    if last_closed.ended_at is None or utcnow() - last_closed.ended_at > RATING_WINDOW:
        return None
    last = session.scalar(
        select(Message).where(Message.conversation_id == last_closed.id).order_by(Message.id.desc()).limit(1)
    )
    if last is None or transcript.presentation_of(last.buttons) != "rating":
        return None
    return last


def _score(payload: str) -> int:
    try:
        return int(json.loads(payload.removeprefix(transcript.RATING_PAYLOAD))["rating"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError("that button is not a rating") from None
