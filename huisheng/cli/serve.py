"""`huisheng serve`: the FastAPI app under uvicorn."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default: app.host from settings)."),
    port: int | None = typer.Option(None, help="Port (default: app.port from settings)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve the HTTP API (health, OpenAPI docs at /docs, chat, reviews, escalations)."""
    import uvicorn

    from huisheng.settings import load_settings

    settings = load_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.app.host,
        port=port or settings.app.port,
        reload=reload,
        log_level=settings.app.log_level.lower(),
    )
