"""The only way into the bot: Huisheng's chat relay, proving itself with a shared token.

Rasa's stock REST channel answers anyone who can reach the port, as any sender id: whoever can reach it can
read another customer's orders through the bot. This channel is the REST channel behind a bearer token that
only Huisheng holds (HUISHENG_RASA_TOKEN, given in credentials.yml).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


class HuishengRelayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "huisheng"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HuishengRelayInput:
        credentials = credentials or {}
        token = str(credentials.get("token") or "")
        if len(token) < 16:
            raise ValueError(
                "the huisheng channel needs a token of at least 16 characters (HUISHENG_RASA_TOKEN)"
            )
        return cls(token, str(credentials.get("push_url") or ""))

    def __init__(self, token: str, push_url: str = "") -> None:
        self._token = token
        self._expected = f"Bearer {token}".encode()
        self._push_url = push_url

    def get_output_channel(self) -> OutputChannel | None:
        # Used by Rasa for messages nobody is waiting for (trigger_intent with output_channel=latest).
        return HuishengPushOutput(self._push_url, self._token) if self._push_url else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            if request.method == "GET":  # the channel's health check
                return None
            given = (request.headers.get("Authorization") or "").encode()
            if not hmac.compare_digest(given, self._expected):
                return response.json({"error": "this channel only answers the Huisheng relay"}, status=401)
            return None

        return webhook


class HuishengPushOutput(CollectingOutputChannel):
    """Bot messages produced outside a customer's request (Rasa's trigger_intent, reminders), pushed to
    Huisheng, which stores them and delivers them on the customer's own channel."""

    @classmethod
    def name(cls) -> str:
        return "huisheng"

    def __init__(self, push_url: str, token: str) -> None:
        super().__init__()
        self._push_url = push_url
        self._headers = {"Authorization": f"Bearer {token}"}

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await super()._persist_message(message)
        timeout = aiohttp.ClientTimeout(total=10)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self._push_url, json=message, headers=self._headers) as reply,
            ):
                if reply.status >= 400:
                    logger.warning("Huisheng refused a pushed bot message: HTTP %s", reply.status)
        except (TimeoutError, aiohttp.ClientError):
            logger.warning("could not push a bot message to Huisheng at %s", self._push_url)
