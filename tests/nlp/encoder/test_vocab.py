"""Tests for the zh-en vocabulary cut."""

from __future__ import annotations

from nlp.encoder.packed import Vocabulary
from nlp.encoder.vocab import ZH_EN_RANGES, in_ranges, select_pieces

PIECES = (
    "<s>",
    "<pad>",
    "</s>",
    "<unk>",
    "▁的",
    "质量",
    "▁hello",
    "▁привет",
    "ж",
    "▁ж",
    "жж",
    "▁rare",
    "<mask>",
)
SCORES = (0.0, 0.0, 0.0, 0.0, -3.0, -8.0, -9.0, -9.0, -12.0, -11.0, -13.0, -30.0, 0.0)


def vocabulary() -> Vocabulary:
    return Vocabulary(PIECES, SCORES, bos_id=0, eos_id=2, pad_id=1, unk_id=3)


def test_chinese_and_english_pieces_are_kept_and_other_scripts_dropped() -> None:
    kept = [PIECES[i] for i in select_pieces(vocabulary(), in_ranges(ZH_EN_RANGES))]
    assert {"▁的", "质量", "▁hello", "▁rare"} <= set(kept)
    assert "▁привет" not in kept and "жж" not in kept


def test_single_characters_of_any_script_are_kept_so_they_do_not_become_unk() -> None:
    kept = [PIECES[i] for i in select_pieces(vocabulary(), in_ranges(ZH_EN_RANGES))]
    assert {"ж", "▁ж"} <= set(kept)


def test_specials_and_the_lowest_score_survive_even_outside_the_ranges() -> None:
    only_chinese = in_ranges([(0x4E00, 0x9FFF)])
    kept = select_pieces(vocabulary(), only_chinese)
    assert [i for i in kept if PIECES[i].startswith("<")] == [0, 1, 2, 3, 12]
    assert 11 in kept  # "▁rare" has the lowest score, from which the <unk> score is derived


def test_kept_ids_stay_in_their_original_order() -> None:
    kept = select_pieces(vocabulary(), in_ranges(ZH_EN_RANGES))
    assert kept == sorted(kept)
