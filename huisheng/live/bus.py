"""Publish/subscribe for live events: in-process by default, through Redis pub/sub across API processes.

Publishers are service code running in worker threads; subscribers are async SSE streams. Every process
delivers to its own subscribers from one place (`_fan_out`), so with Redis a process also hears its own
publications through Redis and never twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

logger = logging.getLogger(__name__)

PREFIX = "huisheng:live:"
# A subscriber that falls this far behind loses events; it reconnects and replays them from the store.
QUEUE_LIMIT = 256


def identity_topic(channel: str, external_id: str) -> str:
    """One topic per channel identity: a visitor's stream exists before any customer record does."""
    return f"identity:{channel}:{external_id}"


class _LocalSubscribers:
    """The queues of this process's subscribers, each fed on its own event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = (
            defaultdict(set)
        )

    def add(self, topic: str) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[dict[str, Any]](maxsize=QUEUE_LIMIT))
        with self._lock:
            self._queues[topic].add(entry)
        return entry

    def remove(
        self, topic: str, entry: tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]
    ) -> None:
        with self._lock:
            self._queues[topic].discard(entry)
            if not self._queues[topic]:
                del self._queues[topic]

    def fan_out(self, topic: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._queues.get(topic, ()))
        for loop, queue in targets:
            # RuntimeError: the subscriber's loop has closed; it is about to unsubscribe.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_offer, queue, event)


def _offer(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:
        logger.warning("a live subscriber is %d events behind; dropping one", QUEUE_LIMIT)


class InProcessBus:
    """One API process: publications go straight to this process's subscribers."""

    def __init__(self) -> None:
        self._local = _LocalSubscribers()

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._local.fan_out(topic, event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        entry = self._local.add(topic)
        try:
            yield entry[1]
        finally:
            self._local.remove(topic, entry)

    def close(self) -> None:
        pass


class RedisBus(InProcessBus):
    """Several API processes: publish to Redis; one listener thread per process feeds its subscribers."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url)
        self._redis.ping()  # a wrong URL should fail at start-up, not at the first staff reply
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        self._pubsub.psubscribe(f"{PREFIX}*")
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="huisheng-live-redis", daemon=True)
        self._thread.start()

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._redis.publish(PREFIX + topic, json.dumps(event, ensure_ascii=False))

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._pubsub.get_message(timeout=1.0)
            except Exception:  # a dropped connection: redis-py reconnects on the next call
                logger.warning("lost the Redis live channel; reconnecting", exc_info=True)
                self._stopping.wait(1.0)
                continue
            if message is None or message.get("type") != "pmessage":
                continue
            channel = message["channel"].decode()
            try:
                event = json.loads(message["data"])
            except (ValueError, TypeError):
                logger.warning("ignored a malformed live event on %s", channel)
                continue
            self._local.fan_out(channel.removeprefix(PREFIX), event)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=3)
        self._pubsub.close()
        self._redis.close()


def create_bus(redis_url: str) -> InProcessBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
