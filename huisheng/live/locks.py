"""One turn at a time per conversation, so replies stay next to their question and Rasa never queues up.

Within a process a lock per sender does it; with Redis configured the lock is Redis's, so a customer whose
messages reach two API processes is still served in order.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from huisheng.errors import ConflictError

BUSY_MESSAGE = "上一条消息还在处理中，请稍后再发"


class TurnLocks(Protocol):
    def hold(self, key: str, *, wait_seconds: float) -> AbstractContextManager[None]: ...


class LocalTurnLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        # Weak values: a sender's lock goes away with its last waiter, so the table never grows unbounded.
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()

    @contextmanager
    def hold(self, key: str, *, wait_seconds: float) -> Iterator[None]:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = threading.Lock()
                self._locks[key] = lock
        if not lock.acquire(timeout=wait_seconds):
            raise ConflictError(BUSY_MESSAGE, code="busy")
        try:
            yield
        finally:
            lock.release()


class RedisTurnLocks:
    def __init__(self, url: str, *, lease_seconds: float = 60.0) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        # The lease outlives any one turn; it only matters when a process dies holding the lock.
        self._lease = lease_seconds

    @contextmanager
    def hold(self, key: str, *, wait_seconds: float) -> Iterator[None]:
        lock = self._redis.lock(f"huisheng:turn:{key}", timeout=self._lease, blocking_timeout=wait_seconds)
        if not lock.acquire():
            raise ConflictError(BUSY_MESSAGE, code="busy")
        try:
            yield
        finally:
            from redis.exceptions import LockError

            # LockError: the lease ran out first and the next turn already holds it.
            with contextlib.suppress(LockError):
                lock.release()


def create_turn_locks(redis_url: str) -> TurnLocks:
    return RedisTurnLocks(redis_url) if redis_url else LocalTurnLocks()
