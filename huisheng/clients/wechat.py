"""HTTP client for WeChat's customer-service message API, holding the access token until it expires."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from huisheng.errors import UpstreamUnavailableError

logger = logging.getLogger(__name__)

# The stable token: every caller gets the same token while it is valid. The plain /cgi-bin/token hands out a
# new one each time and voids the last, so several API processes would keep locking each other out.
TOKEN_PATH = "/cgi-bin/stable_token"
SEND_PATH = "/cgi-bin/message/custom/send"
# 40001 invalid credential, 40014 invalid token, 42001 expired token: a fresh token may fix the call.
STALE_TOKEN_CODES = frozenset({40001, 40014, 42001})
# The customer last wrote more than 48 hours ago: WeChat refuses messages until they write again.
WINDOW_CLOSED_CODE = 45015
# Refresh this long before WeChat's stated expiry, so a send in flight never carries a dead token.
EXPIRY_MARGIN_SECONDS = 300.0


class WeChatApiError(UpstreamUnavailableError):
    """WeChat answered with a non-zero errcode (or not at all)."""

    def __init__(self, message: str, *, errcode: int | None = None):
        super().__init__(message, code="wechat_api_error", details={"errcode": errcode} if errcode else None)
        self.errcode = errcode


class ReplyWindowClosedError(WeChatApiError):
    """45015: the 48 hours after the customer's last message have passed; retrying cannot help."""


_SECRET_IN_URL = re.compile(r"((?:secret|access_token)=)[^&\s\"']+")


def redacted(text: str) -> str:
    """`text` with the app secret and access token of any WeChat URL in it replaced by ***."""
    return _SECRET_IN_URL.sub(r"\1***", text)


class _RedactSecrets(logging.Filter):
    """httpx logs every URL at INFO, and WeChat wants the app secret and the token in the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            # Only arguments that quote a secret become strings: "%d" still needs its number.
            record.args = tuple(redacted(str(a)) if _SECRET_IN_URL.search(str(a)) else a for a in args)
        return True


_redact = _RedactSecrets()


class WeChatClient:
    """One per process: the token is shared by every thread that sends, and fetched again only when needed."""

    def __init__(
        self,
        base_url: str,
        *,
        app_id: str,
        app_secret: str,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        logging.getLogger("httpx").addFilter(_redact)  # adding the same filter twice keeps one
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self._app_id = app_id
        self._app_secret = app_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def send_text(self, *, openid: str, content: str) -> None:
        """Sends one text message; a stale token is replaced and the message sent once more."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        token = self.access_token()
        try:
            self._post_message(token, payload)
        except WeChatApiError as error:
            if error.errcode not in STALE_TOKEN_CODES:
                raise
            logger.info("WeChat refused the access token (errcode %s); fetching a new one", error.errcode)
            self._post_message(self.access_token(stale=token), payload)

    def access_token(self, *, stale: str | None = None) -> str:
        """The cached token, or a new one when it has expired or equals `stale` (refused by WeChat)."""
        with self._lock:
            # Another thread may have replaced the refused token already; then that one is used.
            if self._token is not None and self._token != stale and self._clock() < self._expires_at:
                return self._token
            data = self._call(
                "POST",
                TOKEN_PATH,
                json={
                    "grant_type": "client_credential",
                    "appid": self._app_id,
                    "secret": self._app_secret,
                    "force_refresh": False,
                },
            )
            token, expires_in = data.get("access_token"), data.get("expires_in", 7200)
            if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
                raise WeChatApiError("WeChat's token endpoint answered without an access_token")
            self._token = token
            self._expires_at = self._clock() + max(expires_in - EXPIRY_MARGIN_SECONDS, expires_in / 2)
            return token

    def _post_message(self, token: str, payload: dict[str, Any]) -> None:
        # ensure_ascii=False: WeChat shows \uXXXX escapes literally instead of the characters.
        self._call(
            "POST",
            SEND_PATH,
            params={"access_token": token},
            content=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            # httpx's messages quote the URL, query string and all.
            raise WeChatApiError(f"WeChat's API did not answer {path}: {redacted(str(error))}") from None
        if not isinstance(data, dict):
            raise WeChatApiError(f"WeChat's API answered {path} with something other than an object")
        try:
            errcode = int(data.get("errcode", 0))
        except (TypeError, ValueError):
            raise WeChatApiError(f"WeChat's API answered {path} with errcode {data['errcode']!r}") from None
        if errcode:
            message = f"WeChat refused {path}: errcode {errcode} ({data.get('errmsg', '')})"
            error_type = ReplyWindowClosedError if errcode == WINDOW_CLOSED_CODE else WeChatApiError
            raise error_type(message, errcode=errcode)
        return data

    def close(self) -> None:
        self._http.close()
