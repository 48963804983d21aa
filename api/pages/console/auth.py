"""Signing in and out of the console: a double-submit CSRF cookie on the login form, then a session cookie
(HttpOnly, SameSite=Lax, Secure in production, Path=/console) whose record holds the CSRF token for forms."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access import open_to
from api.deps import CSRF_FIELD, SESSION_COOKIE, RuntimeDep, require_console_role
from api.pages.console import messages
from api.pages.console.failures import LOGIN, PREFIX, safe_next
from api.pages.console.rendering import page
from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import NotAuthenticatedError, RateLimitedError
from huisheng.services import staff_auth
from huisheng.services.staff_auth import LoginPolicy
from huisheng.settings import Settings

router = APIRouter(prefix=PREFIX)
LOGIN_CSRF_COOKIE = "hs_login_csrf"


def login_policy(settings: Settings) -> LoginPolicy:
    console = settings.console
    return LoginPolicy(
        window=timedelta(minutes=console.login_window_minutes),
        max_failures=console.login_max_failures,
        max_failures_per_ip=console.login_max_failures_per_ip,
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _login_form(
    request: Request,
    runtime_settings: Settings,
    *,
    next_url: str,
    status_code: int = 200,
    error: str | None = None,
    username: str = "",
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "console/login.html",
        None,
        status_code=status_code,
        login_csrf=token,
        next_url=next_url,
        error=error,
        username=username,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=runtime_settings.is_production,
        path=LOGIN,
        max_age=3600,
    )
    return response


@router.get("/login", dependencies=[Depends(open_to("staff signing in"))])
def login_page(
    request: Request, runtime: RuntimeDep, next_url: Annotated[str | None, Query(alias="next")] = None
) -> HTMLResponse:
    return _login_form(request, runtime.settings, next_url=safe_next(next_url))


@router.post("/login", dependencies=[Depends(open_to("staff signing in"))])
def login_submit(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = PREFIX,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    settings = runtime.settings
    target = safe_next(next_url)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not csrf_token or not hmac.compare_digest(cookie, csrf_token):
        return _login_form(
            request,
            settings,
            next_url=target,
            status_code=403,
            error=messages.said("login_expired"),
            username=username,
        )
    if not username.strip() or not password:
        return _login_form(
            request,
            settings,
            next_url=target,
            status_code=422,
            error=messages.said("login_missing"),
            username=username,
        )
    try:
        # Its own unit of work, committed even when it refuses, so the throttle counts every failure.
        user: StaffUser = staff_auth.sign_in(
            runtime.session,
            username=username,
            password=password,
            ip=_client_ip(request),
            policy=login_policy(settings),
        )
    except (RateLimitedError, NotAuthenticatedError) as error:
        limited = isinstance(error, RateLimitedError)
        response = _login_form(
            request,
            settings,
            next_url=target,
            status_code=429 if limited else 401,
            error=error.message,
            username=username,
        )
        if isinstance(error, RateLimitedError):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    with runtime.session() as session:
        opened = staff_auth.start_session(
            session,
            staff=user,
            max_age=timedelta(hours=settings.console.session_max_hours),
            ip=_client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    signed_in = RedirectResponse(target, status_code=303)
    signed_in.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        max_age=int(settings.console.session_max_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path=PREFIX,
    )
    signed_in.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN)
    return signed_in


@router.post("/logout", dependencies=[Depends(require_console_role(StaffRole.AGENT))])
def logout(request: Request, runtime: RuntimeDep) -> Response:
    with runtime.session() as session:
        staff_auth.end_session(session, cookie=request.cookies.get(SESSION_COOKIE, ""))
    response: Response = RedirectResponse(LOGIN, status_code=303)
    if request.headers.get("HX-Request") == "true":
        response = Response(status_code=204, headers={"HX-Redirect": LOGIN})
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="lax")
    return response
