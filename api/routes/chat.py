"""The website widget's endpoints: a signed visitor, its messages, its history and its live stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RuntimeDep
from api.schemas.chat import (
    ChatMessageIn,
    ChatTurnOut,
    HistoryOut,
    MessageOut,
    ShopOut,
    VisitorIn,
    VisitorOut,
    agent_of,
)
from crm_store.enums import Channel
from huisheng.channels.delivery import status_event
from huisheng.errors import NotAuthenticatedError
from huisheng.live.bus import identity_topic
from huisheng.runtime import Runtime
from huisheng.services import customers, transcript
from huisheng.services.chat_choices import Choice

router = APIRouter(prefix="/chat", tags=["chat"])

PING_SECONDS = 15.0
_visitor_bearer = HTTPBearer(auto_error=False, description="The visitor token from POST /api/chat/visitors.")


def current_visitor(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_visitor_bearer)]
) -> str:
    if credentials is None:
        raise NotAuthenticatedError(
            "the widget must send its visitor token: 'Authorization: Bearer <visitor_token>'",
            code="invalid_visitor_token",
        )
    return runtime.visitor_tokens.verify(credentials.credentials)


VisitorId = Annotated[str, Depends(current_visitor)]


@router.post("/visitors", summary="Start or continue a website visitor")
def start_visitor(body: VisitorIn, runtime: RuntimeDep) -> VisitorOut:
    tokens = runtime.visitor_tokens
    token = body.visitor_token
    try:
        tokens.verify(token)
    except NotAuthenticatedError:
        token = tokens.issue().token  # a forged or expired token is not an error: it is a new visitor
    shop = runtime.settings
    return VisitorOut(
        visitor_token=token or "", shop=ShopOut(name=shop.shop.name, greeting=shop.widget.greeting)
    )


@router.post("/messages", summary="Send a customer message from the website widget")
def post_message(message: ChatMessageIn, visitor: VisitorId, runtime: RuntimeDep) -> ChatTurnOut:
    # A plain `def`: FastAPI runs it in a worker thread, so sentiment inference stays off the event loop.
    choice = Choice(message.choice.message_id, message.choice.index) if message.choice else None
    turn = runtime.chat.handle(
        channel=Channel.WEB,
        external_id=visitor,
        text=message.text,
        message_id=message.client_id,
        choice=choice,
    )
    return ChatTurnOut(
        conversation_id=turn.conversation_id,
        status=turn.status,
        agent=agent_of(turn.agent_name),
        duplicate=turn.duplicate,
        message=MessageOut.of(turn.message) if turn.message else None,
        replies=[MessageOut.of(r) for r in turn.replies],
    )


@router.get("/history", summary="The visitor's latest messages, oldest first")
def get_history(
    visitor: VisitorId, runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> HistoryOut:
    with runtime.session() as session:
        customer = customers.find_by_identity(session, channel=Channel.WEB, external_id=visitor)
        if customer is None:
            return HistoryOut(status=None, agent=None, messages=[])
        conversation = transcript.latest_conversation(session, customer_id=customer.id, channel=Channel.WEB)
        views = transcript.history(session, customer_id=customer.id, channel=Channel.WEB, limit=limit)
        return HistoryOut(
            status=conversation.status if conversation else None,
            agent=agent_of(transcript.agent_name(session, conversation)) if conversation else None,
            messages=[MessageOut.of(v) for v in views],
        )


@router.get(
    "/stream",
    summary="Live replies as Server-Sent Events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    visitor: VisitorId,
    runtime: RuntimeDep,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
) -> StreamingResponse:
    """Staff replies, later bot replies and status changes; on (re)connect, all messages after Last-Event-ID."""
    return StreamingResponse(
        _events(request, runtime, visitor, last_event_id or 0),
        media_type="text/event-stream",
        # No buffering in proxies (nginx honours X-Accel-Buffering), or events arrive in bursts.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, runtime: Runtime, visitor: str, after_id: int) -> AsyncIterator[str]:
    # Subscribe before replaying, so a message stored between the two is not lost, only deduplicated.
    async with runtime.bus.subscribe(identity_topic(Channel.WEB.value, visitor)) as queue:
        seen = after_id
        missed, current = await run_in_threadpool(_missed, runtime, visitor, after_id)
        for view in missed:
            seen = max(seen, view.id)
            yield _sse("message", view.to_event(), event_id=view.id)
        if current is not None:
            yield _sse("status", current)
        yield ": connected\n\n"
        while not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), timeout=PING_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if event.get("type") == "message":
                message = event["message"]
                if int(message["id"]) <= seen:
                    continue
                seen = int(message["id"])
                yield _sse("message", message, event_id=seen)
            elif event.get("type") == "status":
                yield _sse("status", {"status": event["status"], "agent": event.get("agent")})


def _missed(
    runtime: Runtime, visitor: str, after_id: int
) -> tuple[list[transcript.MessageView], dict[str, Any] | None]:
    """What the visitor missed after `after_id` (nothing for a fresh widget, which loads the history itself)
    and the conversation's current state."""
    with runtime.session() as session:
        customer = customers.find_by_identity(session, channel=Channel.WEB, external_id=visitor)
        if customer is None:
            return [], None
        conversation = transcript.latest_conversation(session, customer_id=customer.id, channel=Channel.WEB)
        current = None
        if conversation is not None:
            current = status_event(conversation.status, transcript.agent_name(session, conversation))
            current.pop("type")
        missed = []
        if after_id > 0:
            missed = transcript.history(
                session, customer_id=customer.id, channel=Channel.WEB, after_id=after_id, limit=200
            )
        return missed, current


def _sse(event: str, data: dict[str, Any], *, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
