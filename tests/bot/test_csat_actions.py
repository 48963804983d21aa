"""The goodbye survey: a 1-5 score and an optional comment stored on the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from bot.actions.csat import NO_COMMENT, SKIPPED, ActionRecordCsat, ValidateCsatForm
from crm_store.enums import Channel
from huisheng.runtime import Runtime
from huisheng.services import conversations
from tests.bot.conftest import make_tracker, run_action
from tests.factories import make_customer

RESET = [SlotSet("csat_score", None), SlotSet("csat_comment", None)]


def test_score_and_comment_are_stored(bot_runtime: Runtime, session: Session, domain: dict[str, Any]) -> None:
    customer = make_customer(session, external_id="happy")
    tracker = make_tracker("web:happy", slots={"csat_score": "5", "csat_comment": "客服很耐心"})

    result = run_action(ActionRecordCsat(), tracker, domain)

    assert result.events == RESET
    assert result.responses == ["utter_csat_thanks", "utter_goodbye"]
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert conversation.csat_score == 5
    assert conversation.csat_comment == "客服很耐心"


def test_no_comment_stores_none(bot_runtime: Runtime, session: Session, domain: dict[str, Any]) -> None:
    customer = make_customer(session, external_id="terse")
    tracker = make_tracker("web:terse", slots={"csat_score": "3", "csat_comment": NO_COMMENT})

    run_action(ActionRecordCsat(), tracker, domain)

    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert (conversation.csat_score, conversation.csat_comment) == (3, None)


def test_skipped_survey_says_goodbye_and_stores_nothing(
    bot_runtime: Runtime, session: Session, domain: dict[str, Any]
) -> None:
    customer = make_customer(session, external_id="hurried")
    tracker = make_tracker("web:hurried", slots={"csat_score": SKIPPED})

    result = run_action(ActionRecordCsat(), tracker, domain)

    assert result.responses == ["utter_goodbye"]
    conversation = conversations.current_conversation(session, customer_id=customer.id, channel=Channel.WEB)
    assert conversation.csat_score is None


def test_typed_words_become_a_score(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="非常满意",
        intent="rate_service",
        slots={"requested_slot": "csat_score"},
        active_loop="csat_form",
    )

    result = run_action(ValidateCsatForm(), tracker, domain)

    assert result.events == [SlotSet("csat_score", "5")]


def test_rating_entity_from_a_button_becomes_the_score(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text='/rate_service{"rating":"2"}',
        intent="rate_service",
        entities=[{"entity": "rating", "value": "2"}],
        slots={"requested_slot": "csat_score"},
        active_loop="csat_form",
    )

    result = run_action(ValidateCsatForm(), tracker, domain)

    assert result.events == [SlotSet("csat_score", "2")]


def test_declining_to_rate_skips_the_comment(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v", text="不用了", intent="deny", slots={"requested_slot": "csat_score"}, active_loop="csat_form"
    )

    result = run_action(ValidateCsatForm(), tracker, domain)

    assert result.events == [SlotSet("csat_score", SKIPPED), SlotSet("requested_slot", None)]


def test_unreadable_rating_is_asked_again(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        "web:v",
        text="8",
        intent="nlu_fallback",
        slots={"requested_slot": "csat_score"},
        active_loop="csat_form",
    )

    result = run_action(ValidateCsatForm(), tracker, domain)

    assert result.events == [SlotSet("csat_score", None)]
    assert result.responses == ["utter_invalid_rating"]
