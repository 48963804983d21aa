"""Canned replies (快捷回复): the shop keeps them, staff fill in {客户名}, {订单号}… and send."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.models import CannedReply, Escalation
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import audit, escalations
from huisheng.services.audit import Actor
from huisheng.services.validation import clean_text, optional_text

MAX_BODY_LENGTH = 1000
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]{1,10})\}")
# What each placeholder is filled with; anything else in braces is refused when the reply is saved.
PLACEHOLDERS = {
    "客户名": "the customer's name, or 您 when unknown",
    "订单号": "the order the case is about, else the customer's latest order",
    "工单号": "the case's ticket number",
    "客服名": "the display name of the person sending",
    "店铺名": "the shop's name",
}
SHORTCUT_RE = re.compile(r"^[\w\u4e00-\u9fff-]{1,32}$")


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    # Placeholders that had nothing to fill them (no order yet): left in the text for the sender to edit.
    unfilled: list[str]


def _clean(title: str, body: str, shortcut: str | None) -> tuple[str, str, str | None]:
    clean_title = clean_text(title, field="title", max_length=100)
    clean_body = clean_text(body, field="body", max_length=MAX_BODY_LENGTH)
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(clean_body) if name not in PLACEHOLDERS})
    if unknown:
        known = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise InvalidInputError(
            f"不认识的占位符：{'、'.join('{' + u + '}' for u in unknown)}；可用的有 {known}",
            code="unknown_placeholder",
        )
    key = optional_text(shortcut, field="shortcut", max_length=32)
    if key is not None and not SHORTCUT_RE.match(key):
        raise InvalidInputError("快捷键只能包含汉字、字母、数字、下划线或连字符", code="invalid_input")
    return clean_title, clean_body, key


def list_replies(session: Session) -> list[CannedReply]:
    return list(
        session.scalars(
            select(CannedReply).where(CannedReply.archived_at.is_(None)).order_by(CannedReply.title)
        )
    )


def get_reply(session: Session, *, reply_id: int) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.archived_at is not None:
        raise NotFoundError(f"快捷回复 {reply_id} 不存在")
    return reply


def create_reply(
    session: Session, *, title: str, body: str, shortcut: str | None = None, actor: Actor
) -> CannedReply:
    clean_title, clean_body, key = _clean(title, body, shortcut)
    reply = CannedReply(title=clean_title, body=clean_body, shortcut=key, updated_by_id=actor.staff_id)
    _save(session, reply)
    audit.record(
        session, actor=actor, action="canned_reply.created", entity_type="canned_reply", entity_id=reply.id
    )
    return reply


def update_reply(
    session: Session, *, reply_id: int, title: str, body: str, shortcut: str | None = None, actor: Actor
) -> CannedReply:
    reply = get_reply(session, reply_id=reply_id)
    reply.title, reply.body, reply.shortcut = _clean(title, body, shortcut)
    reply.updated_by_id = actor.staff_id
    _save(session, reply)
    audit.record(
        session, actor=actor, action="canned_reply.updated", entity_type="canned_reply", entity_id=reply.id
    )
    return reply


def archive_reply(session: Session, *, reply_id: int, actor: Actor) -> None:
    reply = get_reply(session, reply_id=reply_id)
    reply.archived_at = utcnow()
    # Frees the title and shortcut for a new reply while the old row stays for the audit trail.
    reply.title = f"{reply.title[:80]}#{reply.id}"
    reply.shortcut = None
    audit.record(
        session, actor=actor, action="canned_reply.archived", entity_type="canned_reply", entity_id=reply.id
    )


def _save(session: Session, reply: CannedReply) -> None:
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError:
        raise ConflictError("已有同名或同快捷键的快捷回复", code="duplicate_canned_reply") from None


def render(body: str, *, escalation: Escalation | None, staff_name: str, shop_name: str) -> Rendered:
    customer = escalation.customer if escalation is not None else None
    order_no = None
    if escalation is not None:
        if escalation.order is not None:
            order_no = escalation.order.order_no
        elif customer is not None and customer.orders:
            order_no = customer.orders[0].order_no
    values = {
        "客户名": (customer.name if customer is not None and customer.name else "您"),
        "订单号": order_no,
        "工单号": escalation.ticket_no if escalation is not None else None,
        "客服名": staff_name,
        "店铺名": shop_name,
    }
    unfilled: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            unfilled.append(match.group(1))
            return match.group(0)
        return value

    return Rendered(PLACEHOLDER_RE.sub(fill, body), unfilled)


def render_reply(
    session: Session, *, reply_id: int, escalation_id: int | None, staff_name: str, shop_name: str
) -> Rendered:
    """A stored reply filled in for one case (or for no case: only the sender's and the shop's names)."""
    reply = get_reply(session, reply_id=reply_id)
    case = escalations.get_escalation(session, escalation_id=escalation_id) if escalation_id else None
    return render(reply.body, escalation=case, staff_name=staff_name, shop_name=shop_name)


def unfilled_placeholders(text: str) -> list[str]:
    """Known placeholders still in a reply about to be sent: the sender forgot to fill them in."""
    return [name for name in PLACEHOLDER_RE.findall(text) if name in PLACEHOLDERS]
