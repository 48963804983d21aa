"""How the console shows a refusal: signed out → the login page, a role too low → a Chinese 403 page,
anything else → a flash message for htmx requests and an error page for whole pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.pages.console import messages
from api.pages.console.rendering import fragment, is_htmx, page
from huisheng.errors import (
    HuishengError,
    NotAuthenticatedError,
)

PREFIX = "/console"
LOGIN = f"{PREFIX}/login"


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path of this site under /console, never another host."""
    if not target:
        return PREFIX
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith(("//", "/\\")) or "\\" in target:
        return PREFIX
    path = parts.path
    if not (path == PREFIX or path.startswith(f"{PREFIX}/")) or path.startswith(LOGIN):
        return PREFIX
    return path + (f"?{parts.query}" if parts.query else "")


def _came_from(request: Request) -> str:
    if is_htmx(request):
        # A fragment's own URL is no page to come back to; the page it was swapped into is.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        return safe_next(current.path + (f"?{current.query}" if current.query else ""))
    if request.method == "GET":
        return safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return PREFIX


def to_login(request: Request) -> Response:
    url = f"{LOGIN}?next={quote(_came_from(request), safe='/')}"
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def refusal(
    request: Request, *, status_code: int, message: str, title: str = messages.FAILED, stale: bool = False
) -> Response:
    if is_htmx(request):
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "HX-Reselect": ".flash"}
        if stale:
            # The page refreshes what changed under it (see console.js).
            headers["HX-Trigger"] = "hs:stale"
        return fragment(
            request,
            "console/_partials/flash.html",
            None,
            status_code=status_code,
            headers=headers,
            kind="error",
            message=message,
        )
    return page(
        request,
        "console/error.html",
        None,
        status_code=status_code,
        title=title,
        detail=message,
        back=request.headers.get("referer") if status_code != 403 else None,
    )


def console_error(request: Request, error: HuishengError, status_code: int) -> Response:
    if isinstance(error, NotAuthenticatedError):
        return to_login(request)
    title = messages.title_for(error)
    return refusal(
        request,
        status_code=status_code,
        message=messages.chinese(error),
        title=title,
        stale=error.code == "stale_version",
    )


def console_validation_error(request: Request, problems: list[dict[str, Any]]) -> Response:
    return refusal(
        request, status_code=422, message=messages.validation_message(problems), title=messages.INVALID
    )


def console_http_error(request: Request, status_code: int) -> Response:
    title, message = messages.HTTP_WORDS.get(status_code, messages.HTTP_OTHER)
    return refusal(request, status_code=status_code, message=message, title=title)
