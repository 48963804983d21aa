"""`huisheng train-intents`: fine-tune the e5 encoder on the bot's intent examples (the Rasa component calls it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huisheng.cli.sentiment import DEFAULT_ENCODER_DIR, EncoderDir, Threads, quiet_transformers


def register(app: typer.Typer) -> None:
    app.command("train-intents")(train_intents_command)


def train_intents_command(
    examples: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help='JSON Lines of {"text": ..., "intent": ...}.'),
    ],
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where the model dir is written.")],
    encoder_dir: EncoderDir = DEFAULT_ENCODER_DIR,
    epochs: Annotated[float, typer.Option(min=0.05, help="Passes over the examples.")] = 4.0,
    seed: Annotated[int, typer.Option(help="Seed for initialisation and batch order.")] = 42,
    threads: Threads = 2,
) -> None:
    """Fine-tune e5 into an intent classifier and export it as int8 ONNX; skipped when output_dir is current."""
    from nlp.intent.train import IntentTrainArgs, read_examples, train_intents

    quiet_transformers()
    try:
        args = IntentTrainArgs(
            output_dir=str(output_dir),
            encoder_dir=str(encoder_dir),
            epochs=epochs,
            seed=seed,
            threads=threads,
        )
        result = train_intents(read_examples(examples), args)
    except (ValueError, FileNotFoundError) as error:
        raise typer.BadParameter(str(error)) from error
    verb = "is up to date" if result.skipped else "saved"
    typer.echo(
        f"intent model {verb} in {result.output_dir}: {len(result.labels)} intents, {result.examples} examples, "
        f"{result.steps} steps in {result.seconds:.0f} s, training accuracy {result.train_accuracy:.4f}"
    )
