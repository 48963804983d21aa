"""Signed visitor tokens: the server decides who a website visitor is, so an id alone proves nothing.

A token is `v1.<visitor id>.<issued-at>.<HMAC-SHA256 signature>`; the widget keeps it in localStorage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from huisheng.errors import NotAuthenticatedError

VERSION = "v1"
_INVALID = "the visitor token is missing, forged or expired; ask POST /api/chat/visitors for a new one"


@dataclass(frozen=True, slots=True)
class VisitorToken:
    visitor_id: str
    token: str


class VisitorTokens:
    def __init__(self, secret: bytes, *, max_age_days: int = 365):
        if len(secret) < 16:
            raise ValueError("the visitor token secret must be at least 16 bytes")
        # A key of its own, derived from the app secret, so a token signature reveals nothing reusable.
        self._key = hmac.new(secret, b"huisheng visitor token", hashlib.sha256).digest()
        self._max_age = max_age_days * 86400

    def issue(self, *, now: float | None = None) -> VisitorToken:
        visitor_id = "v" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
        issued = str(int(now if now is not None else time.time()))
        body = f"{VERSION}.{visitor_id}.{issued}"
        return VisitorToken(visitor_id, f"{body}.{self._sign(body)}")

    def continue_or_issue(self, token: str | None) -> str:
        """The stored token when it is still valid, else a new visitor's: a forged or expired one is no error."""
        try:
            self.verify(token)
        except NotAuthenticatedError:
            return self.issue().token
        assert token is not None  # verify() refuses None
        return token

    def verify(self, token: str | None, *, now: float | None = None) -> str:
        """The visitor id inside a valid token; NotAuthenticatedError otherwise."""
        if not token or len(token) > 200:
            raise NotAuthenticatedError(_INVALID, code="invalid_visitor_token")
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != VERSION or not parts[2].isdigit():
            raise NotAuthenticatedError(_INVALID, code="invalid_visitor_token")
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(body), parts[3]):
            raise NotAuthenticatedError(_INVALID, code="invalid_visitor_token")
        age = (now if now is not None else time.time()) - int(parts[2])
        if age > self._max_age:
            raise NotAuthenticatedError(_INVALID, code="invalid_visitor_token")
        return parts[1]

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
