"""Canned replies (快捷回复): every agent uses them, supervisors keep the shop's list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.deps import CurrentStaff, SessionDep, SettingsDep, actor_of, require_role
from api.schemas.canned_replies import CannedReplyIn, CannedReplyOut, RenderedOut
from crm_store.enums import StaffRole
from huisheng.services import canned_replies

router = APIRouter(
    prefix="/canned-replies", tags=["canned replies"], dependencies=[Depends(require_role(StaffRole.AGENT))]
)
SUPERVISOR = [Depends(require_role(StaffRole.SUPERVISOR))]
ReplyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", summary="The shop's canned replies, by title")
def list_replies(session: SessionDep) -> list[CannedReplyOut]:
    return [CannedReplyOut.model_validate(r) for r in canned_replies.list_replies(session)]


@router.post("", summary="Add a canned reply", status_code=201, dependencies=SUPERVISOR)
def create_reply(body: CannedReplyIn, user: CurrentStaff, session: SessionDep) -> CannedReplyOut:
    reply = canned_replies.create_reply(
        session, title=body.title, body=body.body, shortcut=body.shortcut, actor=actor_of(user)
    )
    return CannedReplyOut.model_validate(reply)


@router.put(
    "/{reply_id}", summary="Replace a canned reply's title, body and shortcut", dependencies=SUPERVISOR
)
def update_reply(
    reply_id: ReplyId, body: CannedReplyIn, user: CurrentStaff, session: SessionDep
) -> CannedReplyOut:
    reply = canned_replies.update_reply(
        session,
        reply_id=reply_id,
        title=body.title,
        body=body.body,
        shortcut=body.shortcut,
        actor=actor_of(user),
    )
    return CannedReplyOut.model_validate(reply)


@router.delete(
    "/{reply_id}",
    summary="Remove a canned reply (kept for the audit trail)",
    status_code=204,
    dependencies=SUPERVISOR,
)
def archive_reply(reply_id: ReplyId, user: CurrentStaff, session: SessionDep) -> Response:
    canned_replies.archive_reply(session, reply_id=reply_id, actor=actor_of(user))
    return Response(status_code=204)


@router.get("/{reply_id}/render", summary="A canned reply filled in for a case, with what is still unfilled")
def render(
    reply_id: ReplyId,
    user: CurrentStaff,
    session: SessionDep,
    settings: SettingsDep,
    escalation_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> RenderedOut:
    rendered = canned_replies.render_reply(
        session,
        reply_id=reply_id,
        escalation_id=escalation_id,
        staff_name=user.display_name,
        shop_name=settings.shop.name,
    )
    return RenderedOut.model_validate(rendered)
