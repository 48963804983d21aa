"""The one error hierarchy that services raise and the API maps to HTTP statuses."""

from __future__ import annotations

from typing import Any


class HuishengError(Exception):
    """Base error: `message` is written for the person who sent the request."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class NotFoundError(HuishengError):
    """The thing asked for does not exist, or is not visible to the one asking."""

    code = "not_found"


class InvalidInputError(HuishengError):
    """The request itself is wrong: a missing field, a bad value, an illegal transition."""

    code = "invalid_input"


class TooLargeError(InvalidInputError):
    """What was sent is bigger than allowed (an uploaded file); refused before more of it is read."""

    code = "too_large"


class ConflictError(HuishengError):
    """The request is well formed but clashes with what is stored (duplicates, shipped orders)."""

    code = "conflict"


class NotAuthenticatedError(HuishengError):
    """No valid credentials came with the request."""

    code = "not_authenticated"


class PermissionDeniedError(HuishengError):
    """The caller is known but their role does not allow this."""

    code = "permission_denied"


class RateLimitedError(HuishengError):
    """Too many tries in a short time (failed logins); `retry_after` says how many seconds to wait."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, details={"retry_after_seconds": retry_after})
        self.retry_after = retry_after


class UpstreamUnavailableError(HuishengError):
    """A service we depend on (Rasa, WeChat, the model) did not answer."""

    code = "upstream_unavailable"
