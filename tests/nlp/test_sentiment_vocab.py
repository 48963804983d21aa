"""Character vocabulary and tokenizer of the sentiment model."""

from __future__ import annotations

from pathlib import Path

from nlp.sentiment.preprocess import clean_review
from nlp.sentiment.vocab import (
    CONTINUATION_PIECES,
    SPECIAL_TOKENS,
    build_char_vocab,
    load_char_tokenizer,
    write_vocab,
)


def test_vocab_holds_specials_frequent_chars_latin_digits_and_continuations() -> None:
    vocab = build_char_vocab(["好好评", "差评"], min_count=2)

    assert vocab[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert "好" in vocab and "评" in vocab and "差" not in vocab  # 差 seen once only
    assert "##g" in vocab and "5" in vocab
    assert len(vocab) == len(SPECIAL_TOKENS) + 2 + 36 + len(CONTINUATION_PIECES)


def test_tokenizer_vocabulary_size_equals_vocab_file(tmp_path: Path) -> None:
    # transformers 5 ignores BertTokenizerFast(vocab_file=...) and builds 5 tokens: guard against it
    vocab = build_char_vocab(["质量很好", "物流很慢"], min_count=1)
    write_vocab(vocab, tmp_path)

    tokenizer = load_char_tokenizer(tmp_path, max_length=64)

    assert len(tokenizer) == len(vocab) == 5 + 8 + 36 + 36 - 1  # 很 appears in both texts


def test_tokenizer_spells_latin_words_and_digit_runs_without_unknowns(tmp_path: Path) -> None:
    write_vocab(build_char_vocab(["手机很好"], min_count=1), tmp_path)
    tokenizer = load_char_tokenizer(tmp_path, max_length=64)

    ids = tokenizer(clean_review("iPhone 5G手机很好"))["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)

    assert "[UNK]" not in tokens
    assert tokens[1:7] == ["i", "##p", "##h", "##o", "##n", "##e"]
    assert str(tokenizer.decode(ids, skip_special_tokens=True)).replace(" ", "") == "iphone5g手机很好"


def test_tokenizer_saved_with_model_max_length(tmp_path: Path) -> None:
    write_vocab(build_char_vocab(["很好"], min_count=1), tmp_path)
    tokenizer = load_char_tokenizer(tmp_path, max_length=48)
    tokenizer.save_pretrained(str(tmp_path / "saved"))

    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(str(tmp_path / "saved")).model_max_length == 48


def test_clean_review_normalises_width_and_whitespace() -> None:
    assert clean_review("  好评！\t\n ＡＢＣ\x00 ") == "好评! ABC"
