"""The WeChat Official Account channel: wechatpy messages in, chat turns out as WeChat text, sent in time."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_store.enums import Channel, MessageKind
from huisheng.clients.wechat import ReplyWindowClosedError, WeChatClient
from huisheng.errors import InvalidInputError
from huisheng.services import conversations
from huisheng.services.chat import ChatService, ChatTurn, SessionScope
from huisheng.services.transcript import MessageView
from huisheng.services.validation import clean_text
from huisheng.settings import WechatSettings

if TYPE_CHECKING:
    from huisheng.runtime import Runtime

logger = logging.getLogger(__name__)

# What staff see in the transcript for messages that are not text (the customer gets KIND_REPLIES).
IMAGE_TEXT = "[图片] {url}"
VOICE_TEXT = "[语音] {recognition}"
VIDEO_TEXT = "[视频]"
LOCATION_TEXT = "[位置] {label} ({x}, {y})"
LINK_TEXT = "[链接] {title} {url}"
SUBSCRIBE_TEXT = "[关注公众号]"
UNSUBSCRIBE_TEXT = "[取消关注]"
# WeChat text has no buttons: they become numbered lines, and a bare number picks one.
OPTION_LINE = "{number}. {title}"
OPTIONS_HINT = "（回复 {numbers} 选择）"
RATING_HINT = "回复 1-{top} 分（{top} 分最满意）"
# A passive text reply longer than this (in UTF-8 bytes) is refused by WeChat.
PASSIVE_MAX_BYTES = 2048
OPENID_MAX = 128


@dataclass(frozen=True, slots=True)
class WeChatInbound:
    """One message or event from a follower, checked, in the terms of the chat relay."""

    openid: str
    kind: MessageKind
    text: str
    message_id: str
    auto_reply: str | None = None
    answer: bool = True  # False for unsubscribe: stored, but nobody is left to read a reply


def inbound_of(message: Any, *, welcome_text: str) -> WeChatInbound | None:
    """The relay's view of a parsed wechatpy message; None for events Huisheng ignores (menus, scans)."""
    openid = clean_text(_text_field(message, "source"), field="FromUserName", max_length=OPENID_MAX)
    kind = message.type
    if kind == "event":
        return _event_of(message, openid, welcome_text)
    message_id = _message_id(message)
    if kind == "text":
        text = clean_text(
            _text_field(message, "content"), field="Content", max_length=conversations.MAX_MESSAGE_LENGTH
        )
        return WeChatInbound(openid, MessageKind.TEXT, text, message_id)
    if kind == "image":
        text = IMAGE_TEXT.format(url=_text_field(message, "image"))
        return WeChatInbound(openid, MessageKind.IMAGE, text, message_id)
    if kind == "voice":
        text = VOICE_TEXT.format(recognition=_text_field(message, "recognition"))
        return WeChatInbound(openid, MessageKind.VOICE, text, message_id)
    if kind in ("video", "shortvideo"):
        return WeChatInbound(openid, MessageKind.VIDEO, VIDEO_TEXT, message_id)
    if kind == "location":
        text = LOCATION_TEXT.format(
            label=_text_field(message, "label"),
            x=_text_field(message, "location_x"),
            y=_text_field(message, "location_y"),
        )
        return WeChatInbound(openid, MessageKind.LOCATION, text, message_id)
    if kind == "link":
        text = LINK_TEXT.format(title=_text_field(message, "title"), url=_text_field(message, "url"))
        return WeChatInbound(openid, MessageKind.LINK, text, message_id)
    return None


def _event_of(message: Any, openid: str, welcome_text: str) -> WeChatInbound | None:
    event = _text_field(message, "event")
    # Events carry no MsgId; WeChat's own advice is to tell retries apart by sender and CreateTime.
    event_id = f"event:{_create_time(message)}:{event}"
    if event in ("subscribe", "subscribe_scan"):
        return WeChatInbound(openid, MessageKind.EVENT, SUBSCRIBE_TEXT, event_id, auto_reply=welcome_text)
    if event == "unsubscribe":
        return WeChatInbound(openid, MessageKind.EVENT, UNSUBSCRIBE_TEXT, event_id, answer=False)
    return None


def _text_field(message: Any, name: str) -> str:
    value = getattr(message, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInputError(f"the message's {name} field must be text", details={"field": name})
    return value


def _message_id(message: Any) -> str:
    try:
        value = int(message.id)
    except (TypeError, ValueError):
        raise InvalidInputError("MsgId must be a number", details={"field": "MsgId"}) from None
    if value <= 0:
        raise InvalidInputError("MsgId is missing", details={"field": "MsgId"})
    return str(value)


def _create_time(message: Any) -> int:
    try:
        return int(message.time)
    except (TypeError, ValueError):
        raise InvalidInputError("CreateTime must be a Unix time", details={"field": "CreateTime"}) from None


def render_message(view: MessageView) -> str:
    """One message as WeChat text: buttons as numbered options, a rating question as a range of scores."""
    if not view.buttons:
        return view.text
    if view.presentation == "rating":
        return f"{view.text}\n{RATING_HINT.format(top=len(view.buttons))}"
    lines = [OPTION_LINE.format(number=i, title=title) for i, title in enumerate(view.buttons, start=1)]
    numbers = "、".join(str(i) for i in range(1, len(view.buttons) + 1))
    return "\n".join([view.text, *lines, OPTIONS_HINT.format(numbers=numbers)])


def passive_text(replies: list[MessageView]) -> str:
    """All of a turn's replies in the one text a passive reply may carry, cut to what WeChat accepts."""
    text = "\n\n".join(render_message(view) for view in replies)
    encoded = text.encode("utf-8")
    if len(encoded) <= PASSIVE_MAX_BYTES:
        return text
    return encoded[: PASSIVE_MAX_BYTES - 3].decode("utf-8", errors="ignore") + "…"


class WeChatSender:
    """Pushes messages through the customer-service API: late bot replies, staff replies, notices."""

    def __init__(self, client: WeChatClient):
        self._client = client

    def send(self, *, external_id: str, messages: list[MessageView]) -> None:
        for index, view in enumerate(messages):
            try:
                self._client.send_text(openid=external_id, content=render_message(view))
            except ReplyWindowClosedError:
                # Retrying cannot help until the customer writes again; staff still see the message stored.
                logger.warning(
                    "a WeChat customer's 48-hour window has passed: %d message(s) not delivered",
                    len(messages) - index,
                )
                return

    def close(self) -> None:
        self._client.close()


class _Handoff:
    """Decides once, under a lock, whether a turn is answered in its request or sent later through the API."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settled: str | None = None

    def finished(self) -> bool:
        """The turn is ready: True if its request is still waiting to answer it passively."""
        return self._settle("passive") == "passive"

    def give_up(self) -> bool:
        """The request stops waiting: True if the turn, once ready, must be sent through the API."""
        return self._settle("later") == "later"

    def _settle(self, outcome: str) -> str:
        with self._lock:
            if self._settled is None:
                self._settled = outcome
            return self._settled


class WeChatChannel:
    """One per app: runs turns off the event loop and answers within WeChat's five seconds."""

    def __init__(
        self,
        settings: WechatSettings,
        *,
        chat: Callable[[], ChatService],
        session_scope: SessionScope,
        sender: WeChatSender | None,
        workers: int = 32,
    ):
        self.settings = settings
        self._chat = chat
        self._session_scope = session_scope
        self._sender = sender
        # Not the event loop's default pool: retries wait for their original, and must not starve new turns.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="huisheng-wechat")

    async def respond(self, inbound: WeChatInbound) -> ChatTurn | None:
        """The turn to answer passively, or None to answer `success` (its replies, if any, follow later)."""
        loop = asyncio.get_running_loop()
        if not inbound.answer:
            await loop.run_in_executor(self._pool, self._handle, inbound)
            return None
        handoff = _Handoff()
        future = loop.run_in_executor(self._pool, self._run, inbound, handoff)
        try:
            # asyncio.wait never cancels the work: a turn that misses the budget runs on and is sent later.
            await asyncio.wait({future}, timeout=self.settings.passive_reply_seconds)
        finally:
            late = handoff.give_up()
        if late:
            return None
        return await future

    def _run(self, inbound: WeChatInbound, handoff: _Handoff) -> ChatTurn | None:
        try:
            turn = self._handle(inbound)
        except Exception:
            if handoff.finished():
                raise  # the request is still there to answer with the error
            logger.exception("a WeChat turn that missed the passive window failed")
            return None
        if handoff.finished():
            return turn
        # A repeat's replies are the original's: its own request answered them or sends them.
        if not turn.duplicate and turn.replies:
            self._send_later(inbound.openid, turn.replies)
        return None

    def _send_later(self, openid: str, replies: list[MessageView]) -> None:
        if self._sender is None:
            logger.warning(
                "a reply missed WeChat's passive window and HUISHENG_WECHAT_APP_SECRET is not set: not sent"
            )
            return
        try:
            self._sender.send(external_id=openid, messages=replies)
        except Exception:
            logger.exception("could not send %d late reply(ies) to a WeChat customer", len(replies))

    def _handle(self, inbound: WeChatInbound) -> ChatTurn:
        # An unfollow (answer=False) is stored once and never answered: nobody is left to read it.
        return self._chat().handle(
            channel=Channel.WECHAT,
            external_id=inbound.openid,
            text=inbound.text,
            message_id=inbound.message_id,
            kind=inbound.kind,
            numbered_choices=True,
            auto_reply=inbound.auto_reply,
            answer=inbound.answer,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._sender is not None:
            self._sender.close()


def attach(runtime: Runtime) -> WeChatChannel | None:
    """The channel when a WeChat token is configured, its sender registered so staff replies reach WeChat."""
    settings = runtime.settings.wechat
    if settings.token is None or not settings.token.get_secret_value():
        logger.info("HUISHENG_WECHAT_TOKEN is not set: /wechat refuses every request")
        return None
    sender = None
    if settings.app_id and settings.app_secret is not None:
        client = WeChatClient(
            settings.api_base_url,
            app_id=settings.app_id,
            app_secret=settings.app_secret.get_secret_value(),
        )
        sender = shared = WeChatSender(client)
        # One sender for every push: it holds the access token that all of them share.
        runtime.delivery.add_sender(Channel.WECHAT, lambda: shared)
    else:
        logger.warning(
            "wechat.app_id or HUISHENG_WECHAT_APP_SECRET is not set: only passive replies reach WeChat"
        )
    return WeChatChannel(settings, chat=lambda: runtime.chat, session_scope=runtime.session, sender=sender)
