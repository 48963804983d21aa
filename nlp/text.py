"""Text normalisation for Chinese reviews: NFKC, traditional to simplified, junk removal."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

from nlp.errors import EmptyTextError

if TYPE_CHECKING:
    import opencc

DEFAULT_MAX_CHARS = 5000
"""Longer texts are cut to this many characters after cleaning (reviews are far shorter: p99 ≈ 200)."""

# Emoji, pictographs, dingbats, variation selectors, zero-width joiners and the replacement character
# carry no analysable text; removing them keeps them out of jieba and the lexicon.
_JUNK = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong, cards, emoji, pictographs, symbols & pictographs ext.
    "\U00002600-\U000027bf"  # misc symbols, dingbats
    "\U00002b00-\U00002bff"  # arrows and stars (⭐)
    "\U0000fe00-\U0000fe0f"  # variation selectors
    "\U000e0000-\U000e007f"  # tag characters (flag sequences)
    "\u200b-\u200f\u2060-\u2064\ufeff"  # zero-width characters and BOM
    "\ufffd\ufffc"  # replacement / object replacement characters
    "]+"
)
_WHITESPACE = re.compile(r"\s+")
# Analysable: a CJK character, or a run of two or more letters/digits (a lone "ÿ" from binary is not).
_WORD_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]{2,}")


class TextNormalizer:
    """Normalises review text; the OpenCC converter is built on first use and reused."""

    def __init__(self, *, to_simplified: bool = True, opencc_config: str = "t2s") -> None:
        self._to_simplified = to_simplified
        self._opencc_config = opencc_config
        self._converter: opencc.OpenCC | None = None
        self._lock = threading.Lock()

    def _convert(self, text: str) -> str:
        if not self._to_simplified:
            return text
        if self._converter is None:
            with self._lock:
                if self._converter is None:
                    import opencc  # deferred: the converter loads its dictionaries when built

                    self._converter = opencc.OpenCC(self._opencc_config)
        return str(self._converter.convert(text))

    def clean(self, text: str, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
        """Return the normalised text, possibly empty; never raises for any str input.

        Steps: NFKC (full-width letters, digits and punctuation become half-width), control and
        other non-printing characters become spaces, emoji and junk are dropped, traditional
        characters become simplified, Latin letters are lower-cased, whitespace is collapsed,
        and the result is cut to ``max_chars`` characters (``None`` keeps everything).
        """
        text = unicodedata.normalize("NFKC", text)
        text = "".join(_printable_or_space(ch) for ch in text)
        text = _JUNK.sub("", text)
        text = _WHITESPACE.sub(" ", text).strip()
        if max_chars is not None and len(text) > max_chars:
            text = text[:max_chars].rstrip()
        return self._convert(text).lower()

    def normalize(self, text: str, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
        """Like :meth:`clean`, but raise :class:`EmptyTextError` when nothing analysable remains."""
        cleaned = self.clean(text, max_chars=max_chars)
        if not _WORD_CHAR.search(cleaned):
            raise EmptyTextError("text is empty after normalisation")
        return cleaned


def _printable_or_space(ch: str) -> str:
    # Cc (controls such as \x00), Cs (lone surrogates), Co (private use), Cn (unassigned) → space,
    # so words on either side of a control character do not fuse.
    if ch in "\t\n\r ":
        return " "
    category = unicodedata.category(ch)
    if category in {"Cc", "Cs", "Co", "Cn"}:
        return " "
    return ch
