"""Commands that wire the Rasa server to Huisheng: its endpoints file and the development secrets."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from huisheng.bot_deployment import dev_secrets, write_endpoints
from huisheng.settings import load_settings


def register(app: typer.Typer) -> None:
    app.command("bot-endpoints")(bot_endpoints)
    app.command("dev-secrets")(print_dev_secrets)


def bot_endpoints(
    out: Path = typer.Option(None, "--out", help="Where to write it (default: data/rasa/endpoints.yml)."),
) -> None:
    """Write Rasa's endpoints file: the action server (token-guarded) and the persistent tracker store."""
    settings = load_settings()
    path = write_endpoints(settings, out or settings.app.data_dir / "rasa" / "endpoints.yml")
    typer.echo(str(path))


def print_dev_secrets() -> None:
    """Print `export …` lines for the secrets the API, Rasa and the action server share (development only)."""
    settings = load_settings()
    if settings.is_production:
        typer.echo("production takes its secrets from the environment, never from a file", err=True)
        raise typer.Exit(2)
    for key, value in dev_secrets(settings.app.data_dir / "secrets.env").items():
        typer.echo(f"export {key}={shlex.quote(value)}")
