"""Tests for nlp.text normalisation."""

from __future__ import annotations

import pytest

from nlp.errors import EmptyTextError
from nlp.text import TextNormalizer


@pytest.fixture(scope="module")
def normalizer() -> TextNormalizer:
    return TextNormalizer()


def test_traditional_and_simplified_normalise_alike(normalizer: TextNormalizer) -> None:
    assert normalizer.normalize("質量很差") == normalizer.normalize("质量很差") == "质量很差"


def test_full_width_letters_digits_and_punctuation_become_half_width(normalizer: TextNormalizer) -> None:
    assert normalizer.normalize("ＩＰＨＯＮＥ１５，很好！") == "iphone15,很好!"


def test_emoji_are_removed(normalizer: TextNormalizer) -> None:
    assert normalizer.normalize("很好吃😋👍🏻❤️") == "很好吃"


def test_whitespace_and_control_characters_collapse_to_one_space(normalizer: TextNormalizer) -> None:
    assert normalizer.normalize("  物流\t\n很快\x00\x07  好评 ") == "物流 很快 好评"


@pytest.mark.parametrize("text", ["", "   \n\t", "😀🎉", "\x00\xff\ufffd", "，。！？"])
def test_nothing_analysable_raises_empty_text_error(normalizer: TextNormalizer, text: str) -> None:
    with pytest.raises(EmptyTextError):
        normalizer.normalize(text)


def test_empty_text_error_is_a_value_error() -> None:
    assert issubclass(EmptyTextError, ValueError)


def test_clean_returns_empty_string_instead_of_raising(normalizer: TextNormalizer) -> None:
    assert normalizer.clean("\x00\ufffd😀") == ""


def test_long_text_is_truncated_to_max_chars(normalizer: TextNormalizer) -> None:
    assert len(normalizer.normalize("好" * 10_000, max_chars=300)) == 300


def test_max_chars_none_keeps_long_text(normalizer: TextNormalizer) -> None:
    assert len(normalizer.normalize("好" * 10_000, max_chars=None)) == 10_000


def test_converter_is_not_built_until_first_use() -> None:
    fresh = TextNormalizer()
    assert fresh._converter is None
    fresh.normalize("質量")
    assert fresh._converter is not None


def test_simplified_conversion_can_be_switched_off() -> None:
    assert TextNormalizer(to_simplified=False).normalize("質量") == "質量"
