"""Pure parsers that turn a customer's free-text reply into a slot value (order number, phone, rating)."""

from __future__ import annotations

import re

# Our order numbers: a year 20xx and 8-12 more digits. Look-arounds instead of \b because in Chinese text
# the characters around the number are word characters too.
ORDER_NO_RE = re.compile(r"(?<!\d)20[2-9]\d{9,13}(?!\d)")
# Mainland mobile numbers, optionally with +86, or a landline with area code.
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")

# Ways of saying "none / skip" when asked for something optional.
_DECLINE_RE = re.compile(
    r"^(没有|沒有|没|沒|无|無|不用|不用了|不需要|不要|不必|不想|不方便|不留|算了|跳过|跳過|略过|no|none|n/?a)"
    r"[了啦吧呢呀哦的，,。.!！\s]*(谢谢|謝謝)?[。.!！]*$",
    re.IGNORECASE,
)

# Taking the complaint back (算了不投诉了, 投诉撤销吧, 不弄了), as against skipping one question (算了, 没有).
_WITHDRAW_RE = re.compile(
    r"(不|别|不想|不要|不用|不打算)(再)?(投诉|投訴|申诉|申訴)|(撤销|撤銷|撤回|取消)(这个|這個)?(投诉|投訴)"
    r"|(投诉|投訴)(撤销|撤銷|撤回|取消|作废|作廢)|不(弄|办|辦|搞|处理|處理|追究)了"
)

# A bare acknowledgement (好的 / 嗯 / ok / 收到): it answers nothing a form asked, so the form just asks again.
_ACKNOWLEDGEMENT_RE = re.compile(
    r"^(好的?|好吧|好嘞|好哒|好滴|嗯+|恩+|噢+|哦+|喔+|ok|okay|okk|行|行吧|可以|收到|知道了|明白了?|了解|是的?|对的?)"
    r"[了啦吧呢呀哦的嗯好，,。.!！~～\s]*$",
    re.IGNORECASE,
)

_RATING_WORDS: list[tuple[str, int]] = [
    # Longest first: 非常不满意 must win over 不满意 and 满意.
    ("非常不满意", 1),
    ("非常不滿意", 1),
    ("很不满意", 1),
    ("很不滿意", 1),
    ("太差", 1),
    ("差评", 1),
    ("差評", 1),
    ("不满意", 2),
    ("不滿意", 2),
    ("不太满意", 2),
    ("不太滿意", 2),
    ("非常满意", 5),
    ("非常滿意", 5),
    ("很满意", 5),
    ("很滿意", 5),
    ("满分", 5),
    ("滿分", 5),
    ("好评", 5),
    ("好評", 5),
    ("完美", 5),
    ("满意", 4),
    ("滿意", 4),
    ("挺好", 4),
    ("不错", 4),
    ("不錯", 4),
    ("一般", 3),
    ("还行", 3),
    ("還行", 3),
    ("还可以", 3),
    ("還可以", 3),
    ("凑合", 3),
    ("湊合", 3),
]
_NUMERALS = {
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
}
_DIGIT_RATING_RE = re.compile(r"(?<![\d.])([1-5])(?:\s*(?:分|星|颗星|顆星))?(?![\d.])")
_NUMERAL_RATING_RE = re.compile(r"([一壹二两兩贰三叁四肆五伍])\s*(?:分|星|颗星|顆星)")
_BARE_NUMERAL_RE = re.compile(r"^\s*([一二两兩三四五])\s*[。.!！]?\s*$")


# Chinese input methods often type digits full-width (２０２４); fold them before matching.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_spaces(text: str) -> str:
    """Collapses whitespace; Jieba keeps space tokens, which confuses both NLU and our regexes."""
    return " ".join(text.split())


def find_order_no(text: str) -> str | None:
    """The first order number in the text, tolerating spaces or dashes customers put between digit groups."""
    compact = re.sub(r"(?<=\d)[\s\-–—]+(?=\d)", "", text.translate(_FULL_WIDTH_DIGITS))
    match = ORDER_NO_RE.search(compact)
    return match.group(0) if match else None


def is_decline(text: str) -> bool:
    """True for replies such as 没有 / 不用了 / 算了 that skip an optional question."""
    return bool(_DECLINE_RE.match(normalise_spaces(text)))


def withdraws_complaint(text: str) -> bool:
    """True for 算了不投诉了 / 取消投诉 / 不弄了: the customer takes the complaint back, not one answer."""
    return bool(_WITHDRAW_RE.search(normalise_spaces(text)))


def is_acknowledgement(text: str) -> bool:
    """True for a bare 好的 / 嗯嗯 / ok / 收到: a nod, not an answer to the question asked."""
    return bool(_ACKNOWLEDGEMENT_RE.match(normalise_spaces(text)))


def parse_phone(text: str) -> str | None:
    """A mobile (13812345678) or landline (010-12345678) number from the reply, normalised, else None."""
    compact = re.sub(r"(?<=\d)[\s]+(?=\d)", "", text.translate(_FULL_WIDTH_DIGITS))
    mobile = MOBILE_RE.search(compact)
    if mobile:
        return mobile.group(1)
    landline = LANDLINE_RE.search(compact)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    return None


def parse_rating(text: str) -> int | None:
    """A 1-5 satisfaction score from digits (4分), numerals (五星) or words (非常满意), else None."""
    cleaned = normalise_spaces(text.translate(_FULL_WIDTH_DIGITS))
    digit = _DIGIT_RATING_RE.search(cleaned)
    if digit:
        return int(digit.group(1))
    numeral = _NUMERAL_RATING_RE.search(cleaned) or _BARE_NUMERAL_RE.match(cleaned)
    if numeral:
        return _NUMERALS[numeral.group(1)]
    for word, score in _RATING_WORDS:
        if word in cleaned:
            return score
    return None
