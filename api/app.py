"""The FastAPI application factory: one Runtime per process, routes per domain, errors mapped once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.cors import WidgetCORSMiddleware
from api.errors import install_error_handlers
from api.pages import STATIC_DIR, console, dashboard, docs, shop
from api.routes import (
    audit,
    auth,
    bot,
    canned_replies,
    chat,
    conversations,
    customers,
    escalations,
    health,
    insight_jobs,
    insights,
    review_imports,
    search,
    staff,
    team,
    wechat,
)
from huisheng import __version__
from huisheng.runtime import Runtime
from huisheng.settings import Settings, load_settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Builds the app; tests pass their own runtime, uvicorn calls this with no arguments."""
    if settings is None:
        settings = runtime.settings if runtime is not None else load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        app.state.runtime = runtime or Runtime(settings)
        try:
            yield
        finally:
            if own:
                app.state.runtime.close()

    app = FastAPI(
        title="回声 Huisheng API",
        version=__version__,
        description="Customer service and feedback analysis for Chinese-speaking shops.",
        lifespan=lifespan,
        # Served by api/pages/docs.py from the pinned copy in static/vendor/, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(WidgetCORSMiddleware, allowed_origins=settings.widget.allowed_origins)
    app.include_router(health.router)
    app.include_router(customers.router, prefix="/api")
    app.include_router(chat.router, prefix="/api")
    app.include_router(conversations.router, prefix="/api")
    app.include_router(bot.router, prefix="/api")
    app.include_router(auth.router, prefix="/api")
    app.include_router(staff.router, prefix="/api")
    app.include_router(escalations.router, prefix="/api")
    app.include_router(canned_replies.router, prefix="/api")
    app.include_router(search.router, prefix="/api")
    app.include_router(audit.router, prefix="/api")
    app.include_router(team.router, prefix="/api")
    app.include_router(insights.router, prefix="/api")
    app.include_router(insight_jobs.router, prefix="/api")
    app.include_router(review_imports.router, prefix="/api")
    app.include_router(wechat.router)
    app.include_router(shop.router)
    app.include_router(docs.router)
    app.include_router(console.router)
    app.include_router(dashboard.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
