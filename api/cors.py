"""CORS for the widget's endpoints only, and only from the shop origins in `widget.allowed_origins`.

Staff and manager routes never answer cross-origin: a shop page must not be able to call them from a browser.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

WIDGET_PREFIX = "/api/chat/"


class WidgetCORSMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_origins: list[str]):
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            allow_credentials=False,  # the widget authenticates with its token header, never with cookies
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WIDGET_PREFIX):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)
