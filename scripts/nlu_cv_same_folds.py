"""`rasa test nlu --cross-validation` on folds fixed by a seed, so two pipelines can be compared fairly.

Rasa draws its folds from numpy's global random state without a seed, so two plain runs of the same
pipeline differ by about ±0.005 macro-F1. Seeding numpy first gives every run the same folds.
Run it with the Rasa env's Python from bot/ (components are imported from there):

    cd bot && ../.venv-rasa/bin/python ../scripts/nlu_cv_same_folds.py --config config.yml --out results/cv-a
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config.yml", help="pipeline to cross-validate")
    parser.add_argument("--nlu", default="data/nlu", help="NLU training data")
    parser.add_argument(
        "--out",
        required=True,
        help="folder for intent_report.json and the predictions: intent_errors.json, intent_successes.json",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="numpy seed that fixes the folds")
    args = parser.parse_args()

    np.random.seed(args.seed)
    # Like scripts/*.sh, which export the same before calling rasa.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Imported here, not at the top: Rasa takes ~20 s to import and --help need not wait for it.
    from rasa.__main__ import main as rasa_main

    sys.argv = [
        "rasa", "test", "nlu", "--nlu", args.nlu, "--config", args.config, "--cross-validation",
        "--folds", str(args.folds), "--out", args.out, "--no-plot",
        # Every prediction with its confidence, so the fallback threshold can be chosen on held-out folds.
        "--successes",
    ]  # fmt: skip
    rasa_main()


if __name__ == "__main__":
    main()
