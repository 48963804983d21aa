"""Jieba tokenizer that first folds traditional to simplified Chinese and full-width to ASCII characters."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

_converter: Any = None


def _t2s() -> Any:
    # OpenCC loads its dictionaries on construction: once per process, and only when first needed.
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter


def _fold_width(char: str) -> str:
    if char == "\u3000":
        return " "
    if "\uff01" <= char <= "\uff5e":
        return chr(ord(char) - 0xFEE0)
    return char


def normalise(text: str) -> str:
    """Same-length normal form: 訂單/订单 and ＡＢＣ/abc become one token, so offsets stay valid for entities."""
    folded = "".join(_fold_width(char) for char in unicodedata.normalize("NFC", text)).lower()
    converted: str = _t2s().convert(folded)
    if len(converted) == len(folded):
        return converted
    # OpenCC converts some phrases to a different length; character by character keeps every offset.
    return "".join(single if len(single := _t2s().convert(char)) == 1 else char for char in folded)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalisingJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer on normalised text, without the whitespace tokens it would otherwise emit (rasa#7910)."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = normalise(message.get(attribute))
        tokens = [Token(word, start) for word, start, _end in jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)
