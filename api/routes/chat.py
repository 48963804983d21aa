"""The website chat widget's endpoint: one customer message in, the bot's replies out."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.schemas.chat import ChatMessageIn, ChatMessageOut
from crm_store.enums import Channel

router = APIRouter(prefix="/chat", tags=["chat"])


@router.post("/messages", summary="Send a customer message from the website widget")
def post_message(message: ChatMessageIn, runtime: RuntimeDep) -> ChatMessageOut:
    # A plain `def`: FastAPI runs it in a worker thread, so sentiment inference stays off the event loop.
    turn = runtime.chat.handle(
        channel=Channel.WEB,
        external_id=message.visitor_id,
        text=message.text,
        message_id=message.message_id,
        display_name=message.display_name,
    )
    return ChatMessageOut(
        conversation_id=turn.conversation_id,
        status=turn.status,
        replies=turn.replies,
        duplicate=turn.duplicate,
    )
