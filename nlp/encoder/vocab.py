"""Which of the 250k XLM-R pieces a Chinese + English model keeps, chosen so kept texts tokenise identically."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nlp.encoder.packed import Vocabulary

METASPACE = "▁"

# Code-point ranges whose characters Chinese customer text is written in (after the normaliser's NFKC).
# Every piece made only of these characters is kept, so any text made only of them has exactly the
# same candidate pieces, hence the same Viterbi segmentation, as with the full vocabulary.
ZH_EN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII: English, digits, punctuation
    (0x00A1, 0x00BF),  # Latin-1 symbols: ¥ · ° ± § (letters excluded: they pull in 27k European pieces)
    (0x00D7, 0x00D7),  # ×
    (0x00F7, 0x00F7),  # ÷
    (0x0300, 0x036F),  # combining marks, as in kaomoji (◕‿◕)
    (0x2010, 0x205E),  # general punctuation: “ ” ‘ ’ … — •
    (0x20D0, 0x20FF),  # combining marks for symbols: the keycap in 1️⃣
    (0x2100, 0x27BF),  # letterlike, number forms, arrows, maths, ①, box drawing, shapes, symbols, dingbats
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。「」【】
    (0x3040, 0x30FF),  # kana: の and Japanese product names turn up in Chinese reviews
    (0x3100, 0x312F),  # bopomofo
    (0x31C0, 0x31EF),  # CJK strokes
    (0x3200, 0x33FF),  # enclosed CJK, compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE00, 0xFE6F),  # variation selectors (emoji presentation); vertical, compatibility and small forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x1F000, 0x1FAFF),  # emoji and pictographs
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def in_ranges(ranges: Sequence[tuple[int, int]]) -> Callable[[str], bool]:
    """A character test for the given inclusive code-point ranges."""
    allowed = frozenset(cp for lo, hi in ranges for cp in range(lo, hi + 1))
    return lambda ch: ord(ch) in allowed


def select_pieces(vocabulary: Vocabulary, allowed: Callable[[str], bool]) -> list[int]:
    """Ids to keep, in their original order.

    Kept: the special pieces; every piece whose characters (the metaspace aside) all pass `allowed`;
    every single-character piece, so a text outside the ranges degrades to characters rather than
    <unk>; and the lowest-scoring piece, because `tokenizers` derives the <unk> score from the minimum.
    """
    specials = {
        vocabulary.bos_id,
        vocabulary.eos_id,
        vocabulary.pad_id,
        vocabulary.unk_id,
    }
    lowest = min(range(len(vocabulary.scores)), key=vocabulary.scores.__getitem__)
    keep: list[int] = []
    for piece_id, piece in enumerate(vocabulary.pieces):
        body = piece.removeprefix(METASPACE)
        if (
            piece_id in specials
            or piece_id == lowest
            or _is_special_text(piece)
            or len(body) <= 1
            or all(allowed(ch) for ch in body)
        ):
            keep.append(piece_id)
    return keep


def _is_special_text(piece: str) -> bool:
    return piece in {"<s>", "</s>", "<pad>", "<unk>", "<mask>"}
