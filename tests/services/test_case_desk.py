"""The staff desk reached from a case: reply, hand back and resolve keep the case and its conversation agreeing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm_store.enums import Channel, ConversationStatus, EscalationStatus, ResolutionReason
from crm_store.models import Conversation, Escalation
from huisheng.errors import ConflictError, InvalidInputError, PermissionDeniedError
from huisheng.runtime import Runtime
from huisheng.services import case_work
from tests.factories import make_case, make_handoff, make_staff, row_counts
from tests.stubs import FakeRasa, install_fake_rasa


@pytest.fixture()
def desk_runtime(runtime: Runtime) -> Runtime:
    install_fake_rasa(runtime, FakeRasa())
    return runtime


def _fresh(session: Session, case: Escalation) -> tuple[Escalation, Conversation]:
    session.expire_all()
    stored = session.get_one(Escalation, case.id)
    return stored, session.get_one(Conversation, stored.conversation_id)


def test_resolving_a_case_closes_its_conversation_in_the_same_step(
    desk_runtime: Runtime, session: Session
) -> None:
    case, agent = make_handoff(session), make_staff(session)
    session.commit()
    result = desk_runtime.desk.resolve_case(
        escalation_id=case.id, staff_id=agent.id, version=case.version, reason="replaced", resolution="已补发"
    )
    stored, conversation = _fresh(session, case)
    assert (stored.status, stored.resolution_reason, conversation.status) == (
        EscalationStatus.RESOLVED,
        ResolutionReason.REPLACED,
        ConversationStatus.CLOSED,
    )
    assert result.case.version == stored.version and result.desk is not None


def test_a_stale_resolve_changes_neither_the_case_nor_the_conversation(
    desk_runtime: Runtime, session: Session
) -> None:
    case, agent = make_handoff(session), make_staff(session)
    seen = case.version
    case_work.add_note(session, escalation_id=case.id, staff=make_staff(session), text="我先看看")
    session.commit()
    before = row_counts(session)
    with pytest.raises(ConflictError):
        desk_runtime.desk.resolve_case(
            escalation_id=case.id, staff_id=agent.id, version=seen, reason="solved", resolution="已处理"
        )
    assert row_counts(session) == before
    assert _fresh(session, case)[1].status is ConversationStatus.WAITING_FOR_STAFF


def test_resolving_from_the_conversation_records_a_reason_on_its_case(
    desk_runtime: Runtime, session: Session
) -> None:
    case, agent = make_handoff(session), make_staff(session)
    session.commit()
    assert case.conversation_id is not None
    desk_runtime.desk.resolve(conversation_id=case.conversation_id, staff_id=agent.id, resolution="已解释")
    stored, conversation = _fresh(session, case)
    assert (stored.resolution_reason, conversation.status) == (
        ResolutionReason.SOLVED,
        ConversationStatus.CLOSED,
    )


def test_a_reply_with_an_unfilled_placeholder_is_refused(desk_runtime: Runtime, session: Session) -> None:
    case, agent = make_handoff(session), make_staff(session)
    session.commit()
    with pytest.raises(InvalidInputError) as refused:
        desk_runtime.desk.reply_to_case(
            escalation_id=case.id, staff_id=agent.id, text="{客户名}您好", client_id="r1"
        )
    assert refused.value.code == "unfilled_placeholder" and refused.value.details == {
        "placeholders": ["客户名"]
    }


def test_an_agent_works_the_conversation_of_a_case_assigned_to_them(
    desk_runtime: Runtime, session: Session
) -> None:
    # The case's conversation is still with the bot (a complaint filed by the bot's form, no handover).
    agent = make_staff(session)
    case = make_case(session, channel=Channel.WEB)
    case_work.claim(session, escalation_id=case.id, staff=agent, version=case.version)
    session.commit()
    result = desk_runtime.desk.reply_to_case(escalation_id=case.id, staff_id=agent.id, text="您好，我来跟进")
    assert result.desk is not None and result.desk.status is ConversationStatus.WITH_STAFF


def test_an_agent_may_not_work_someone_elses_case_conversation(
    desk_runtime: Runtime, session: Session
) -> None:
    case, holder, other = make_handoff(session), make_staff(session), make_staff(session)
    case_work.claim(session, escalation_id=case.id, staff=holder, version=case.version)
    session.commit()
    with pytest.raises(PermissionDeniedError):
        desk_runtime.desk.release_case(escalation_id=case.id, staff_id=other.id)
    assert _fresh(session, case)[1].status is ConversationStatus.WAITING_FOR_STAFF


def test_handing_back_leaves_the_case_open(desk_runtime: Runtime, session: Session) -> None:
    case, agent = make_handoff(session), make_staff(session)
    session.commit()
    result = desk_runtime.desk.release_case(escalation_id=case.id, staff_id=agent.id)
    stored, conversation = _fresh(session, case)
    assert (conversation.status, stored.status) == (ConversationStatus.BOT, EscalationStatus.NEW)
    assert result.case.status is EscalationStatus.NEW
