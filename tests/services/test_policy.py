"""The shop policy file: answers by topic, and clear errors for a missing topic or a malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from huisheng.errors import InvalidInputError, NotFoundError
from huisheng.services.policy import load_policy

REPO_POLICY = Path(__file__).resolve().parents[2] / "shop_policy.yml"


def test_shipped_policy_answers_every_topic_the_bot_asks_for() -> None:
    policy = load_policy(REPO_POLICY)

    for topic in ("shipping", "returns", "refund", "invoice", "payment", "address_change", "products"):
        assert policy.answer(topic).strip()


def test_unknown_topic_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("shipping: 全场包邮\n", encoding="utf-8")

    with pytest.raises(NotFoundError):
        load_policy(path).answer("invoice")


def test_topic_without_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("shipping:\n", encoding="utf-8")

    with pytest.raises(InvalidInputError, match="shipping"):
        load_policy(path)
