"""Staff working a conversation: reply on the customer's channel, hand it back to the bot, resolve it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import CurrentStaff, RuntimeDep, SessionDep, require_role
from api.schemas.chat import DeskOut, HistoryOut, MessageOut, ResolveIn, StaffReplyIn, agent_of
from crm_store.enums import StaffRole
from huisheng.services import audit, conversations, transcript
from huisheng.services.staff_desk import ensure_can_work

router = APIRouter(
    prefix="/conversations", tags=["conversations"], dependencies=[Depends(require_role(StaffRole.AGENT))]
)
ConversationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/{conversation_id}/messages", summary="A conversation's messages, oldest first")
def list_messages(
    conversation_id: ConversationId,
    user: CurrentStaff,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> HistoryOut:
    conversation = conversations.get_conversation(session, conversation_id=conversation_id)
    ensure_can_work(session, staff=user, conversation=conversation)
    messages = conversations.recent_messages(session, conversation_id=conversation.id, limit=limit)
    audit.record(
        session,
        actor=audit.Actor.staff(user.id, user.username),
        action="conversation.viewed",
        entity_type="conversation",
        entity_id=conversation.id,
    )
    return HistoryOut(
        status=conversation.status,
        agent=agent_of(transcript.agent_name(session, conversation)),
        messages=[MessageOut.of(v) for v in transcript.views_of(session, messages)],
    )


@router.post("/{conversation_id}/replies", summary="Reply to the customer on their own channel")
def post_reply(
    conversation_id: ConversationId, body: StaffReplyIn, user: CurrentStaff, runtime: RuntimeDep
) -> DeskOut:
    result = runtime.desk.reply(
        conversation_id=conversation_id, staff_id=user.id, text=body.text, client_id=body.client_id
    )
    return DeskOut.of(result)


@router.post("/{conversation_id}/release", summary="Hand the conversation back to the bot")
def release(conversation_id: ConversationId, user: CurrentStaff, runtime: RuntimeDep) -> DeskOut:
    return DeskOut.of(runtime.desk.release(conversation_id=conversation_id, staff_id=user.id))


@router.post("/{conversation_id}/resolve", summary="Resolve the case and close the conversation")
def resolve(
    conversation_id: ConversationId, body: ResolveIn, user: CurrentStaff, runtime: RuntimeDep
) -> DeskOut:
    return DeskOut.of(
        runtime.desk.resolve(
            conversation_id=conversation_id, staff_id=user.id, resolution=body.resolution, reason=body.reason
        )
    )
