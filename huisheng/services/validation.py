"""Checks on incoming values that every service applies before it writes anything."""

from __future__ import annotations

import re

from huisheng.errors import InvalidInputError

PHONE_RE = re.compile(r"^\+?\d[\d\- ]{5,18}\d$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """Strips `value` and checks its length; the error names the field and the limit."""
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInputError(f"{field} contains a NUL byte", details={"field": field})
    if required and not text:
        raise InvalidInputError(f"{field} must not be empty", details={"field": field})
    if len(text) > max_length:
        raise InvalidInputError(
            f"{field} is {len(text)} characters long; the limit is {max_length}",
            details={"field": field, "max_length": max_length, "length": len(text)},
        )
    return text


def optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    text = clean_text(value, field=field, max_length=max_length, required=False)
    return text or None


def clean_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = value.strip()
    if not PHONE_RE.match(phone):
        raise InvalidInputError(f"'{phone}' is not a phone number", details={"field": "phone"})
    return phone


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidInputError(f"'{email}' is not an email address", details={"field": "email"})
    return email


def in_range(value: int, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInputError(
            f"{field} must be a whole number from {low} to {high}, not {value!r}", details={"field": field}
        )
    return value
