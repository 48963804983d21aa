"""The role matrix, generated from the app's routes: printed, or written into README.md between its markers.

.venv/bin/python scripts/role_matrix.py            # print it
.venv/bin/python scripts/role_matrix.py --write    # refresh README.md (tests/api/test_access.py checks it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.access import matrix_in, matrix_markdown, with_matrix
from api.app import create_app
from huisheng.settings import load_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="replace the matrix in README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md's matrix is out of date")
    args = parser.parse_args(argv)
    # Building the app reads the routes only: nothing connects until it is served.
    matrix = matrix_markdown(create_app(load_settings()))
    readme = README.read_text(encoding="utf-8")
    if args.check:
        if matrix_in(readme) != matrix:
            print(
                "README.md's role matrix is out of date: run scripts/role_matrix.py --write", file=sys.stderr
            )
            return 1
        return 0
    if args.write:
        README.write_text(with_matrix(readme, matrix), encoding="utf-8")
        print(f"wrote the role matrix ({matrix.count(chr(10)) - 1} routes) into {README.name}")
        return 0
    print(matrix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
