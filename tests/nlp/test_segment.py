"""Tests for nlp.segment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nlp.errors import EmptyTextError
from nlp.segment import DEFAULT_USER_DICT_DIR, Segmenter


@pytest.mark.parametrize("word", ["七天无理由", "退换货", "京东物流", "性价比", "包装盒"])
def test_user_dictionary_words_stay_whole(segmenter: Segmenter, word: str) -> None:
    assert word in segmenter.cut(f"支持{word}，我很满意")


def test_user_dictionary_keeps_compound_from_running_text(segmenter: Segmenter) -> None:
    assert segmenter.cut("七天无理由退换货") == ["七天无理由", "退换货"]


def test_cut_normalises_traditional_characters(segmenter: Segmenter) -> None:
    assert segmenter.cut("質量很差") == segmenter.cut("质量很差")


def test_cut_drops_whitespace_tokens(segmenter: Segmenter) -> None:
    assert all(token.strip() for token in segmenter.cut("物流  很快 \t 好评"))


def test_tokens_remove_stopwords_and_punctuation(segmenter: Segmenter) -> None:
    assert segmenter.tokens("这个东西的质量，真的很好！") == ["质量", "好"]


def test_cut_of_english_only_text_gives_english_words(segmenter: Segmenter) -> None:
    assert [t for t in segmenter.cut("Great product") if t.isalpha()] == ["great", "product"]


@pytest.mark.parametrize("text", ["", "   ", "\x00\xff\ufffd"])
def test_cut_of_unanalysable_text_raises_empty_text_error(segmenter: Segmenter, text: str) -> None:
    with pytest.raises(EmptyTextError):
        segmenter.cut(text)


def test_cut_of_very_long_text_is_bounded_by_max_chars(tmp_path: Path) -> None:
    short = Segmenter(max_chars=50, cache_dir=tmp_path)
    assert sum(len(t) for t in short.cut("快递很快质量很好" * 1250)) <= 50


def test_segmenter_owns_its_tokenizer_not_the_global_one(segmenter: Segmenter) -> None:
    import jieba

    assert segmenter.tokenizer is not jieba.dt
    assert "七天无理由" not in jieba.dt.FREQ


def test_user_dict_dir_holds_only_dictionary_files() -> None:
    # Rasa's JiebaTokenizer loads every file in this directory.
    assert [p.name for p in DEFAULT_USER_DICT_DIR.iterdir()] == ["user_dict.txt"]


def test_user_dictionary_lines_are_word_frequency_tag() -> None:
    lines = (DEFAULT_USER_DICT_DIR / "user_dict.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 150
    assert all(len(line.split(" ")) == 3 and line.split(" ")[1].isdigit() for line in lines)


def test_constructing_a_segmenter_loads_nothing(tmp_path: Path) -> None:
    fresh = Segmenter(cache_dir=tmp_path / "cache")
    assert fresh._tokenizer is None
    assert not (tmp_path / "cache").exists()


def test_importing_nlp_loads_no_jieba_or_opencc() -> None:
    import subprocess

    code = "import sys, nlp, nlp.aspects, nlp.keywords; print(any(m.startswith(('jieba', 'opencc')) for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
