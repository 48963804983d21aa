"""Who is talking: Rasa sender ids of the form '<channel>:<external id>'."""

from __future__ import annotations

from crm_store.enums import Channel
from huisheng.errors import InvalidInputError


def sender_id(channel: Channel, external_id: str) -> str:
    return f"{channel.value}:{external_id}"


def parse_sender_id(value: str) -> tuple[Channel, str]:
    channel_name, sep, external_id = value.partition(":")
    if not sep or not external_id:
        raise InvalidInputError(f"sender id '{value}' is not of the form '<channel>:<id>'")
    try:
        return Channel(channel_name), external_id
    except ValueError:
        raise InvalidInputError(f"sender id '{value}' names an unknown channel") from None
