"""Builds the `huisheng` typer app from the per-topic command modules."""

from __future__ import annotations

import logging

import typer

from huisheng.cli import bot, db, insight_jobs, intents, reviews, sentiment, serve

app = typer.Typer(
    name="huisheng",
    help="回声 Huisheng: Chinese customer-service assistant and feedback analyzer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug details.")) -> None:
    """回声 Huisheng: Chinese customer-service assistant and feedback analyzer."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


db.register(app)
serve.register(app)
reviews.register(app)
sentiment.register(app)
intents.register(app)
bot.register(app)
insight_jobs.register(app)
