"""Free-text replies turned into order numbers, phone numbers, ratings and "skip"."""

from __future__ import annotations

import pytest

from bot.actions.slot_parsers import (
    find_order_no,
    is_acknowledgement,
    is_decline,
    parse_phone,
    parse_rating,
    withdraws_complaint,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("查一下202411050012到哪了", "202411050012"),
        ("订单号：2024 1105 0012", "202411050012"),
        ("2025010200315", "2025010200315"),
        ("訂單２０２４１１０５００１２", "202411050012"),
        ("订单2024110500123456怎么还没发", "2024110500123456"),
        ("我的电话13812345678", None),
        ("20241105", None),
        ("订单不记得了", None),
    ],
)
def test_find_order_no(text: str, expected: str | None) -> None:
    assert find_order_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("手机 138 1234 5678", "13812345678"),
        ("+86 13912345678", "13912345678"),
        ("座机010-87654321", "010-87654321"),
        ("１３８１２３４５６７８", "13812345678"),
        ("12345", None),
        ("1381234567", None),
        ("电话是23812345678", None),
    ],
)
def test_parse_phone(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("给4分", 4),
        ("五星好评", 5),
        ("两分", 2),
        ("三", 3),
        ("非常满意", 5),
        ("满意", 4),
        ("不满意", 2),
        ("非常不满意", 1),
        ("一般般吧", 3),
        ("10分", None),
        ("不知道", None),
    ],
)
def test_parse_rating(text: str, expected: int | None) -> None:
    assert parse_rating(text) == expected


@pytest.mark.parametrize("text", ["没有", "不用了", "不用了，谢谢", "算了吧", "没有了。", "No"])
def test_is_decline_accepts_ways_of_skipping(text: str) -> None:
    assert is_decline(text)


@pytest.mark.parametrize("text", ["没有收到货", "不用说了你们太差", "13812345678"])
def test_is_decline_rejects_real_answers(text: str) -> None:
    assert not is_decline(text)


@pytest.mark.parametrize(
    "text", ["算了不投诉了", "我不想投诉了", "取消投诉吧", "投诉撤销", "算了，不弄了", "不投訴了"]
)
def test_withdraws_complaint_recognises_taking_it_back(text: str) -> None:
    assert withdraws_complaint(text)


@pytest.mark.parametrize(
    "text", ["算了", "没有", "不用了", "我要投诉", "投诉了三次都没人管", "不记得订单号了"]
)
def test_withdraws_complaint_ignores_skips_and_complaints(text: str) -> None:
    assert not withdraws_complaint(text)


@pytest.mark.parametrize(
    "text", ["好的", "嗯", "嗯嗯", "ok", "OK", "好的好的", "收到", "知道了", "嗯，好的", "好的。"]
)
def test_is_acknowledgement_accepts_a_bare_nod(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize(
    "text", ["好的谢谢", "好的我等一下", "不用了", "没事了", "13812345678", "好的，订单202411050012"]
)
def test_is_acknowledgement_rejects_anything_more(text: str) -> None:
    assert not is_acknowledgement(text)
