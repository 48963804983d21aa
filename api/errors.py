"""Maps the service error hierarchy to HTTP statuses, in one place, with bodies people can act on: JSON for
the API, and for the console's pages (under /console) a login redirect, a 403 page or a flash message."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.pages.console import failures as console
from huisheng.errors import (
    ConflictError,
    HuishengError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    TooLargeError,
    UpstreamUnavailableError,
)

# The first match wins, so a subclass comes before its base.
STATUS_BY_ERROR: list[tuple[type[HuishengError], int]] = [
    (NotFoundError, 404),
    (TooLargeError, 413),
    (InvalidInputError, 422),
    (ConflictError, 409),
    (NotAuthenticatedError, 401),
    (PermissionDeniedError, 403),
    (RateLimitedError, 429),
    (UpstreamUnavailableError, 503),
]


def status_for(error: HuishengError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 500


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


async def _huisheng_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HuishengError)
    if console.is_console(request):
        return console.console_error(request, error, status_for(error))
    headers: dict[str, str] | None = None
    if isinstance(error, NotAuthenticatedError):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, RateLimitedError):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse(
        error_body(error.code, error.message, error.details), status_code=status_for(error), headers=headers
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if console.is_console(request):
        return console.console_validation_error(request, list(error.errors()))
    problems = [
        {"field": ".".join(str(part) for part in e["loc"] if part != "body"), "problem": e["msg"]}
        for e in error.errors()
    ]
    summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems)
    return JSONResponse(error_body("invalid_input", summary, problems), status_code=422)


_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (unparseable bodies, unknown paths) in the same body shape as ours."""
    assert isinstance(error, StarletteHTTPException)
    if console.is_console(request):
        return console.console_http_error(request, error.status_code)
    message = str(error.detail)
    if error.status_code == 400 and "parsing the body" in message:
        message = "the request body is not valid JSON in UTF-8"
    return JSONResponse(
        error_body(_HTTP_CODES.get(error.status_code, "http_error"), message),
        status_code=error.status_code,
        headers=getattr(error, "headers", None),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HuishengError, _huisheng_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
