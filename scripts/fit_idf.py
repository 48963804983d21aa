"""Fit the keyword IDF table on review CSVs (any file with a ``text`` column) and write it."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from nlp.keywords import DEFAULT_IDF, fit_idf, write_idf
from nlp.segment import Segmenter

logger = logging.getLogger("fit_idf")


def read_texts(paths: list[Path]) -> Iterator[str]:
    """Yield the ``text`` column of every row of every CSV."""
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "text" not in reader.fieldnames:
                raise SystemExit(f"{path}: no 'text' column (columns: {reader.fieldnames})")
            for row in reader:
                yield row["text"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv", nargs="+", type=Path, help="review CSV files with a 'text' column")
    parser.add_argument("--out", type=Path, default=DEFAULT_IDF, help="IDF table to write (word idf lines)")
    parser.add_argument("--min-df", type=int, default=3, help="drop words seen in fewer texts than this")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    idf = fit_idf(read_texts(args.csv), Segmenter(), min_df=args.min_df)
    write_idf(idf, args.out)
    logger.info("wrote %d words to %s", len(idf), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
