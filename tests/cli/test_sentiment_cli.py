"""`huisheng train-sentiment` / `eval-sentiment`: help text, fast start, training and evaluating a tiny model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from huisheng.cli.sentiment import register
from tests.nlp.sentiment_helpers import write_reviews_csv

runner = CliRunner()


def _app(default_model_dir: Path | None = None) -> typer.Typer:
    app = typer.Typer()
    if default_model_dir is None:
        register(app)
    else:
        register(app, default_model_dir=default_model_dir)
    return app


def test_both_commands_explain_their_options() -> None:
    app = _app()
    train_help = runner.invoke(app, ["train-sentiment", "--help"])
    eval_help = runner.invoke(app, ["eval-sentiment", "--help"])

    assert (
        train_help.exit_code == 0
        and "--output-dir" in train_help.output
        and "--init-from" in train_help.output
    )
    assert eval_help.exit_code == 0 and "--model-dir" in eval_help.output


def test_registering_the_commands_does_not_import_torch() -> None:
    code = "import sys, typer; from huisheng.cli.sentiment import register; register(typer.Typer()); "
    code += "print('torch' in sys.modules or 'transformers' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert output.strip() == "False"


def test_train_then_eval_a_tiny_model(tmp_path: Path) -> None:
    data = write_reviews_csv(tmp_path / "reviews.csv")
    model_dir = tmp_path / "model"
    trained = runner.invoke(
        _app(),
        [
            "train-sentiment", str(data), "--output-dir", str(model_dir), "--epochs", "2", "--layers", "1",
            "--hidden-size", "32", "--distill-alpha", "0", "--ensemble-weight", "1", "--threads", "1",
            "--max-length", "32",
        ],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert "validation accuracy" in trained.output

    evaluated = runner.invoke(_app(default_model_dir=model_dir), ["eval-sentiment", str(data), "--json"])

    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["count"] == 80 and len(report["confusion"]) == 2
