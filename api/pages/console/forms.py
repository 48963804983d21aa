"""Reading what console forms and filters send: numbers and choices that may be missing or mistyped."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from api.pages.console import messages
from huisheng.errors import InvalidInputError

E = TypeVar("E", bound=StrEnum)


def optional_int(value: str | None) -> int | None:
    """A filter's number; anything that is not one reads as no filter."""
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if 0 < number < 2**31 else None


def required_int(value: str | None, *, what: str) -> int:
    number = optional_int(value)
    if number is None:
        raise InvalidInputError(messages.said("choose", what=what), code="invalid_input")
    return number


def version_of(value: str | None) -> int:
    """The case version a form showed; without it a change could overwrite someone else's silently."""
    if value is None or not value.strip().isdigit():
        raise InvalidInputError(messages.said("version_missing"), code="version_required")
    return int(value)


def choice(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None
