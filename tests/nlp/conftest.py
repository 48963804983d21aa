"""Shared fixtures for nlp tests: one segmenter per session (jieba's dictionary takes ~1 s to load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.aspects import AspectAnalyzer
from nlp.segment import Segmenter


@pytest.fixture(scope="session")
def segmenter(tmp_path_factory: pytest.TempPathFactory) -> Segmenter:
    return Segmenter(cache_dir=Path(tmp_path_factory.mktemp("jieba-cache")))


@pytest.fixture(scope="session")
def analyzer(segmenter: Segmenter) -> AspectAnalyzer:
    return AspectAnalyzer(segmenter)
