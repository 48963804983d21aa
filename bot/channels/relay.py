"""The only way into the bot: Huisheng's chat relay, proving itself with a shared token.

Rasa's stock REST channel answers anyone who can reach the port, as any sender id: whoever can reach it can
read another customer's orders through the bot. This channel is the REST channel behind a bearer token that
only Huisheng holds (HUISHENG_RASA_TOKEN, given in credentials.yml).
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class HuishengRelayInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "huisheng"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "HuishengRelayInput":
        token = str((credentials or {}).get("token") or "")
        if len(token) < 16:
            raise ValueError("the huisheng channel needs a token of at least 16 characters (HUISHENG_RASA_TOKEN)")
        return cls(token)

    def __init__(self, token: Text) -> None:
        self._expected = f"Bearer {token}".encode()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_token(request: Request) -> Optional[HTTPResponse]:
            if request.method == "GET":  # the channel's health check
                return None
            given = (request.headers.get("Authorization") or "").encode()
            if not hmac.compare_digest(given, self._expected):
                return response.json({"error": "this channel only answers the Huisheng relay"}, status=401)
            return None

        return webhook
