"""Delivering messages produced outside a customer's own request: staff replies, notices, late bot replies.

Every message goes to the live bus (the widget's stream, in this process or, with Redis, any other). Channels
that cannot hold a stream open (WeChat) also get a sender that pushes the message through their own API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from crm_store.enums import Channel, ConversationStatus
from huisheng.live.bus import InProcessBus, identity_topic
from huisheng.services.transcript import MessageView

logger = logging.getLogger(__name__)


class ChannelSender(Protocol):
    """Pushes messages to one customer on a channel that has a send API (WeChat's customer-service API)."""

    def send(self, *, external_id: str, messages: list[MessageView]) -> None: ...


def status_event(status: ConversationStatus, agent_name: str | None) -> dict[str, Any]:
    return {
        "type": "status",
        "status": status.value,
        "agent": {"display_name": agent_name} if agent_name else None,
    }


def message_event(view: MessageView) -> dict[str, Any]:
    return {"type": "message", "message": view.to_event()}


class Delivery:
    def __init__(
        self, bus: InProcessBus, senders: Mapping[Channel, Callable[[], ChannelSender]] | None = None
    ):
        self._bus = bus
        self._senders = dict(senders or {})
        # Channel APIs are slow and may fail: they never hold up the request that produced the message.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="huisheng-delivery")

    @property
    def bus(self) -> InProcessBus:
        return self._bus

    def add_sender(self, channel: Channel, factory: Callable[[], ChannelSender]) -> None:
        self._senders[channel] = factory

    def publish(self, *, channel: Channel, external_ids: list[str], views: list[MessageView]) -> None:
        """To the live streams only: the customer's own request already carries these messages."""
        for external_id in external_ids:
            for view in views:
                self._bus.publish(identity_topic(channel, external_id), message_event(view))

    def push(self, *, channel: Channel, external_ids: list[str], views: list[MessageView]) -> None:
        """To the live streams of every id and, on channels with a send API, to the id seen last (first)."""
        self.publish(channel=channel, external_ids=external_ids, views=views)
        factory = self._senders.get(channel)
        if factory is None or not views or not external_ids:
            return
        self._pool.submit(self._send, factory(), external_ids[0], views)

    def status(
        self, *, channel: Channel, external_ids: list[str], status: ConversationStatus, agent_name: str | None
    ) -> None:
        for external_id in external_ids:
            self._bus.publish(identity_topic(channel, external_id), status_event(status, agent_name))

    @staticmethod
    def _send(sender: ChannelSender, external_id: str, views: list[MessageView]) -> None:
        try:
            sender.send(external_id=external_id, messages=views)
        except Exception:
            # The message is stored and shown to staff as sent by them; the customer sees it on their next visit.
            logger.exception("could not push %d message(s) to a customer", len(views))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
