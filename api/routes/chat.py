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

from api.access import open_to
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
from huisheng.services import transcript
from huisheng.services.chat_choices import Choice
from huisheng.services.transcript import MessageView

router = APIRouter(
    prefix="/chat", tags=["chat"], dependencies=[Depends(open_to("website visitors (signed visitor token)"))]
)

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
    settings = runtime.settings
    return VisitorOut(
        visitor_token=runtime.visitor_tokens.continue_or_issue(body.visitor_token),
        shop=ShopOut(name=settings.shop.name, greeting=settings.widget.greeting),
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
        state = transcript.for_identity(session, channel=Channel.WEB, external_id=visitor, limit=limit)
    return HistoryOut(
        status=state.status,
        agent=agent_of(state.agent_name),
        messages=[MessageOut.of(v) for v in state.messages],
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


def _missed(runtime: Runtime, visitor: str, after_id: int) -> tuple[list[MessageView], dict[str, Any] | None]:
    """What the visitor missed after `after_id` (nothing for a fresh widget, which loads the history itself)
    and the conversation's current state, as a status event's data."""
    with runtime.session() as session:
        state = transcript.for_identity(
            session,
            channel=Channel.WEB,
            external_id=visitor,
            after_id=after_id,
            limit=200 if after_id > 0 else 0,
        )
    if state.status is None:
        return [], None
    current = status_event(state.status, state.agent_name)
    current.pop("type")
    return state.messages, current


def _sse(event: str, data: dict[str, Any], *, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
