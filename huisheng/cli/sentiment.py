"""`huisheng train-sentiment` and `huisheng eval-sentiment`: train and measure the review sentiment model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from nlp.sentiment.train import TrainResult

# The shipped model; the lead's settings may pass another dir, nlp itself never reads settings.
_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = _ROOT / "nlp" / "resources" / "models" / "sentiment-zh"
DEFAULT_ENCODER_DIR = _ROOT / "data" / "models" / "e5-small"  # what `make encoder` builds
DEFAULT_CACHE_DIR = _ROOT / "data" / "cache" / "embeddings"
EncoderDir = Annotated[
    Path, typer.Option(file_okay=False, help="The built e5 encoder a frozen-e5 model runs on (make encoder).")
]

CsvFiles = Annotated[
    list[Path],
    typer.Argument(
        exists=True,
        dir_okay=False,
        help="CSV files: label (1 positive, 0 negative), text, optional category.",
    ),
]
CsvFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="CSV with label and text columns.")
]
Threads = Annotated[int, typer.Option(min=1, help="torch CPU threads (the machine is shared).")]


def register(app: typer.Typer, *, default_model_dir: Path = DEFAULT_MODEL_DIR) -> None:
    """Add the sentiment commands; eval-sentiment uses `default_model_dir` when --model-dir is not given."""

    @app.command("train-sentiment")
    def train_sentiment_command(
        data: CsvFiles,
        output_dir: Annotated[
            Path, typer.Option("--output-dir", "-o", help="Where the model dir is written.")
        ],
        epochs: Annotated[float, typer.Option(help="Passes over the training data.")] = 2.0,
        seed: Annotated[int, typer.Option(help="Seed for the split, initialisation and batch order.")] = 42,
        resume: Annotated[
            bool, typer.Option("--resume/--no-resume", help="Continue from output_dir/checkpoint if present.")
        ] = True,
        init_from: Annotated[
            Path | None,
            typer.Option(exists=True, file_okay=False, help="Local HF checkpoint dir to fine-tune instead."),
        ] = None,
        batch_size: Annotated[int, typer.Option(min=1, help="Reviews per step.")] = 64,
        learning_rate: Annotated[
            float | None, typer.Option(help="Default 3e-4 from scratch, 3e-5 with --init-from.")
        ] = None,
        max_length: Annotated[int, typer.Option(min=8, help="Tokens kept per review.")] = 128,
        exclude_domain: Annotated[
            list[str] | None,
            typer.Option(help="Leave a domain (category value or file stem) out of training; repeatable."),
        ] = None,
        max_train_samples: Annotated[
            int | None, typer.Option(help="Cap on training rows (quick runs).")
        ] = None,
        distill_alpha: Annotated[
            float,
            typer.Option(min=0.0, max=1.0, help="Weight of the TF-IDF teacher's soft targets (0 = off)."),
        ] = 0.5,
        ensemble_weight: Annotated[
            float,
            typer.Option(min=0.0, max=1.0, help="Transformer weight against the TF-IDF head (1 = no head)."),
        ] = 0.5,
        layers: Annotated[int, typer.Option(min=1, help="Encoder layers when training from scratch.")] = 2,
        hidden_size: Annotated[
            int, typer.Option(min=32, help="Encoder width when training from scratch.")
        ] = 256,
        frozen_encoder: Annotated[
            Path | None,
            typer.Option(
                exists=True,
                file_okay=False,
                help="Train the shipped kind instead: a head on this built e5 encoder's frozen embeddings, "
                "averaged with TF-IDF (--ensemble-weight, --seed, --exclude-domain and --max-train-samples "
                "apply; the fine-tuning options do not).",
            ),
        ] = None,
        cache_dir: Annotated[
            Path, typer.Option(file_okay=False, help="Embedding cache of --frozen-encoder runs (resumable).")
        ] = DEFAULT_CACHE_DIR,
        threads: Threads = 2,
    ) -> None:
        """Train the sentiment model: heads on frozen e5 (--frozen-encoder), a small BERT, or fine-tune."""
        from nlp.sentiment.args import FrozenTrainArgs, SentimentTrainArgs
        from nlp.sentiment.train import train_sentiment
        from nlp.sentiment.train_frozen import train_frozen_sentiment

        quiet_transformers()

        common: dict[str, Any] = {
            "train_files": [str(p) for p in data],
            "output_dir": str(output_dir),
            "exclude_domains": list(exclude_domain or []),
            "max_train_samples": max_train_samples,
            "ensemble_weight": ensemble_weight,
            "seed": seed,
            "resume": resume,
            "num_threads": threads,
        }
        result: TrainResult
        try:
            if frozen_encoder is not None:
                frozen = FrozenTrainArgs(encoder_dir=str(frozen_encoder), cache_dir=str(cache_dir), **common)
                _report(train_frozen_sentiment(frozen))
                return
            args = SentimentTrainArgs(
                epochs=epochs,
                init_from=str(init_from) if init_from else None,
                batch_size=batch_size,
                learning_rate=learning_rate,
                max_length=max_length,
                distill_alpha=distill_alpha,
                num_layers=layers,
                hidden_size=hidden_size,
                **common,
            )
            result = train_sentiment(args)
        except (ValueError, FileNotFoundError) as error:
            raise typer.BadParameter(str(error)) from error
        _report(result)

    @app.command("eval-sentiment")
    def eval_sentiment_command(
        file: CsvFile,
        model_dir: Annotated[
            Path,
            typer.Option(exists=True, file_okay=False, help="Our model dir or any HF classification dir."),
        ] = default_model_dir,
        encoder_dir: EncoderDir = DEFAULT_ENCODER_DIR,
        batch_size: Annotated[int, typer.Option(min=1, help="Reviews per forward pass.")] = 64,
        threads: Threads = 2,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Print accuracy, macro-F1, confusion matrix and throughput of a model on a labelled CSV."""
        from nlp.sentiment.evaluate import evaluate_csv
        from nlp.sentiment.predict import SentimentClassifier

        quiet_transformers()

        try:
            classifier = SentimentClassifier.from_dir(
                model_dir, encoder_dir=encoder_dir, batch_size=batch_size, num_threads=threads
            )
        except (ValueError, FileNotFoundError) as error:
            raise typer.BadParameter(str(error)) from error
        report = evaluate_csv(classifier, file)
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else report.format())


def _report(result: TrainResult) -> None:
    typer.echo(
        f"model saved to {result.output_dir}: validation accuracy {result.validation_accuracy:.4f}, "
        f"macro-F1 {result.validation_macro_f1:.4f} on {result.validation_examples} reviews; "
        f"thresholds {json.dumps(result.thresholds)}"
    )


def quiet_transformers() -> None:
    """transformers' own weight-loading bars would bury our output; our training bar stays."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
