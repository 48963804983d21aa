"""The console's one Jinja environment (label catalogue, time and SLA formatting) and how pages answer:
a whole page, a partial for htmx to swap, or a redirect when the browser posted without htmx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.access import allows
from api.deps import CSRF_FIELD, ConsoleLogin
from api.pages import TEMPLATES_DIR
from api.pages.console.messages import duration, event_text, sla_text
from crm_store.enums import SentimentLabel, StaffRole
from huisheng import labels
from huisheng.runtime import Runtime

HTMX = "/static/vendor/htmx-2.0.4/htmx.min.js"
# China keeps one offset all year; a fixed zone needs no tz database on the server.
CHINA = timezone(timedelta(hours=8), "CST")

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(labels=labels.ALL, htmx_src=HTMX, csrf_field=CSRF_FIELD)


def local_time(value: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).strftime(pattern)


def minutes_until(due: datetime | None) -> int:
    if due is None:
        return 0
    return int((due - datetime.now(UTC)).total_seconds() // 60)


def mood(label: SentimentLabel | str | None) -> str:
    """The CSS modifier for a sentiment chip: red, amber or green."""
    return {"negative": "neg", "neutral": "neu", "positive": "pos"}.get(str(label or ""), "none")


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


templates.env.filters.update(
    local_time=local_time, sla_text=sla_text, mood=mood, score=score, duration=duration
)
templates.env.globals.update(event_text=event_text, minutes_until=minutes_until)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def base_context(request: Request, login: ConsoleLogin | None) -> dict[str, Any]:
    runtime: Runtime = request.app.state.runtime
    role = login.staff.role if login is not None else None

    def may(minimum: str) -> bool:
        return role is not None and allows(role, StaffRole(minimum))

    return {
        "login": login,
        "me": login.staff if login is not None else None,
        "csrf": login.csrf_token if login is not None else "",
        "may": may,
        "poll_ms": int(runtime.settings.console.poll_seconds * 1000),
        "shop_name": runtime.settings.shop.name,
        "path": request.url.path,
    }


def page(
    request: Request, name: str, login: ConsoleLogin | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A whole console page (templates extend console/base.html)."""
    return templates.TemplateResponse(
        request, name, {**base_context(request, login), **context}, status_code=status_code
    )


def fragment(
    request: Request,
    name: str,
    login: ConsoleLogin | None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A partial (console/_partials/…) that htmx swaps into the page."""
    return templates.TemplateResponse(
        request, name, {**base_context(request, login), **context}, status_code=status_code, headers=headers
    )


def back_to(url: str) -> Response:
    """After a form posted without htmx: the page again, by GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)
