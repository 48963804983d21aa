"""HTTP client for the Rasa server: the REST channel webhook, trackers, and pausing/resuming a conversation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from huisheng.errors import UpstreamUnavailableError

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/huisheng/webhook"


@dataclass(frozen=True, slots=True)
class BotReply:
    text: str
    buttons: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ParsedIntent:
    name: str | None
    confidence: float | None


class RasaClient:
    """Talks to one Rasa server; every network failure becomes UpstreamUnavailableError."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        # The relay channel (bot/channels/relay.py) checks the bearer header; Rasa's HTTP API (`--auth-token`)
        # reads the same token from the query string.
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, headers=headers
        )
        self._auth = {"token": token} if token else {}

    def send(self, *, sender_id: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotReply]:
        payload: dict[str, Any] = {"sender": sender_id, "message": text}
        if metadata:
            payload["metadata"] = metadata
        data = self._request("POST", WEBHOOK_PATH, json=payload)
        replies: list[BotReply] = []
        for item in data or []:
            if item.get("text"):
                replies.append(BotReply(text=str(item["text"]), buttons=list(item.get("buttons") or [])))
        return replies

    def last_intent(self, *, sender_id: str) -> ParsedIntent:
        """The intent Rasa gave the latest user message of this conversation."""
        intent = self._tracker(sender_id).get("latest_message", {}).get("intent") or {}
        confidence = intent.get("confidence")
        return ParsedIntent(
            name=intent.get("name"), confidence=float(confidence) if confidence is not None else None
        )

    def active_loop(self, *, sender_id: str) -> str | None:
        """The form the bot is asking questions for in this conversation (e.g. complaint_form), if any."""
        name = (self._tracker(sender_id).get("active_loop") or {}).get("name")
        return str(name) if name else None

    def _tracker(self, sender_id: str) -> dict[str, Any]:
        tracker = self._request(
            "GET",
            f"/conversations/{quote(sender_id, safe=':')}/tracker",
            params={"include_events": "NONE", **self._auth},
        )
        return tracker or {}

    def pause(self, *, sender_id: str) -> None:
        """Silences the bot for this conversation while staff own it (Rasa's ConversationPaused)."""
        self._append_event(sender_id, {"event": "pause"})

    def resume(self, *, sender_id: str) -> None:
        """Lets the bot answer again after staff hand the conversation back (Rasa's ConversationResumed)."""
        self._append_event(sender_id, {"event": "resume"})

    def _append_event(self, sender_id: str, event: dict[str, Any]) -> None:
        self._request(
            "POST",
            f"/conversations/{quote(sender_id, safe=':')}/tracker/events",
            json=event,
            params=self._auth,
        )

    def is_ready(self) -> bool:
        try:
            return self._http.get("/status").status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
            response.raise_for_status()
        except httpx.HTTPError as error:
            logger.warning("Rasa %s %s failed: %s", method, path, type(error).__name__)
            raise UpstreamUnavailableError(
                "the assistant is not answering right now; please try again in a moment"
            ) from error
        return response.json() if response.content else None
