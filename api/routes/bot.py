"""Where the Rasa server pushes bot messages produced outside a customer's request (bot/channels/relay.py)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from api.access import open_to
from api.deps import RuntimeDep
from api.schemas.chat import MessageOut
from huisheng.errors import NotAuthenticatedError
from huisheng.services import bot_push

router = APIRouter(
    prefix="/bot",
    tags=["bot"],
    include_in_schema=True,
    dependencies=[Depends(open_to("the Rasa server (relay token)"))],
)
_bearer = HTTPBearer(auto_error=False, description="HUISHENG_RASA_TOKEN, which only the Rasa server holds.")


def require_bot(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    expected = runtime.settings.rasa.token
    given = credentials.credentials if credentials else ""
    if expected is None or not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise NotAuthenticatedError("only the Huisheng Rasa server may push bot messages", code="not_the_bot")


class PushedMessage(BaseModel):
    """Rasa's own message shape (CollectingOutputChannel)."""

    recipient_id: str = Field(
        min_length=3, max_length=200, description="The Rasa sender id, '<channel>:<id>'."
    )
    text: str | None = Field(default=None, max_length=4000)
    buttons: list[dict[str, Any]] | None = Field(default=None, max_length=20)


@router.post(
    "/messages",
    summary="A bot message produced later, delivered on the customer's own channel",
    dependencies=[Depends(require_bot)],
    status_code=status.HTTP_200_OK,
)
def push_message(body: PushedMessage, runtime: RuntimeDep) -> MessageOut | None:
    if not body.text:
        return None  # images and custom payloads: nothing a channel of ours can show
    view = bot_push.push_bot_message(
        runtime.session,
        runtime.delivery,
        sender=body.recipient_id,
        text=body.text,
        buttons=body.buttons or [],
    )
    return MessageOut.of(view) if view else None
