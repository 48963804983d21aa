"""Canned replies (快捷回复): known placeholders filled per case, unknown ones refused, no duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import canned_replies
from huisheng.services.audit import SYSTEM
from tests.factories import make_case, make_customer, make_order, row_counts

BODY = "{客户名}您好，我是{客服名}，订单{订单号}（工单{工单号}）已为您加急处理。——{店铺名}"


def test_every_known_placeholder_is_filled_for_a_case(session: Session) -> None:
    customer = make_customer(session, name="李四")
    order = make_order(session, customer=customer)
    case = make_case(session, customer=customer)
    rendered = canned_replies.render(BODY, escalation=case, staff_name="小王", shop_name="回声小店")
    assert (
        rendered.text
        == f"李四您好，我是小王，订单{order.order_no}（工单{case.ticket_no}）已为您加急处理。——回声小店"
    )
    assert rendered.unfilled == []


def test_a_customer_without_orders_leaves_the_order_placeholder_to_fill_in(session: Session) -> None:
    case = make_case(session, customer=make_customer(session, name=None))
    rendered = canned_replies.render(
        "{客户名}，订单{订单号}", escalation=case, staff_name="小王", shop_name="店"
    )
    assert (rendered.text, rendered.unfilled) == ("您，订单{订单号}", ["订单号"])


def test_a_stored_reply_renders_for_a_case_by_id(session: Session) -> None:
    case = make_case(session, customer=make_customer(session, name="王五"))
    reply = canned_replies.create_reply(session, title="问候", body="{客户名}您好", actor=SYSTEM)
    rendered = canned_replies.render_reply(
        session, reply_id=reply.id, escalation_id=case.id, staff_name="小王", shop_name="店"
    )
    assert rendered.text == "王五您好"


def test_an_unknown_placeholder_is_refused_and_nothing_is_stored(session: Session) -> None:
    before = row_counts(session)
    with pytest.raises(InvalidInputError) as refused:
        canned_replies.create_reply(
            session, title="催单", body="{客户名}，您的{快递单号}已发出", actor=SYSTEM
        )
    assert refused.value.code == "unknown_placeholder" and "{快递单号}" in refused.value.message
    assert "{订单号}" in refused.value.message
    assert row_counts(session) == before


def test_a_second_reply_with_the_same_title_is_a_conflict(session: Session) -> None:
    canned_replies.create_reply(session, title="问候", body="您好", actor=SYSTEM)
    with pytest.raises(ConflictError) as refused:
        canned_replies.create_reply(session, title="问候", body="您好呀", actor=SYSTEM)
    assert refused.value.code == "duplicate_canned_reply"
    assert [r.body for r in canned_replies.list_replies(session)] == ["您好"]


def test_a_second_reply_with_the_same_shortcut_is_a_conflict(session: Session) -> None:
    canned_replies.create_reply(session, title="问候", body="您好", shortcut="hi", actor=SYSTEM)
    with pytest.raises(ConflictError):
        canned_replies.create_reply(session, title="再问候", body="您好呀", shortcut="hi", actor=SYSTEM)


def test_a_bad_shortcut_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="快捷键"):
        canned_replies.create_reply(session, title="问候", body="您好", shortcut="a b", actor=SYSTEM)


def test_an_archived_reply_frees_its_title_and_leaves_the_list(session: Session) -> None:
    old = canned_replies.create_reply(session, title="问候", body="您好", shortcut="hi", actor=SYSTEM)
    canned_replies.archive_reply(session, reply_id=old.id, actor=SYSTEM)
    new = canned_replies.create_reply(session, title="问候", body="您好！", shortcut="hi", actor=SYSTEM)
    assert [r.id for r in canned_replies.list_replies(session)] == [new.id]
    with pytest.raises(NotFoundError):
        canned_replies.get_reply(session, reply_id=old.id)


def test_an_update_replaces_title_body_and_shortcut(session: Session) -> None:
    reply = canned_replies.create_reply(session, title="问候", body="您好", shortcut="hi", actor=SYSTEM)
    canned_replies.update_reply(
        session, reply_id=reply.id, title="开场白", body="{客户名}您好", shortcut=None, actor=SYSTEM
    )
    assert (reply.title, reply.body, reply.shortcut) == ("开场白", "{客户名}您好", None)


def test_unfilled_placeholders_finds_only_known_ones(session: Session) -> None:
    assert canned_replies.unfilled_placeholders("订单{订单号}，{随便}，{客户名}") == ["订单号", "客户名"]
