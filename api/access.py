"""Who may call each route: role rules that can be read back off the app, for the README's role matrix and
the test that fails when a route has none.

Every route declares exactly one rule through its dependencies: `require_role(...)` for the JSON API
(bearer token), `require_console_role(...)` for console pages (session cookie), or `open_to(...)` for the
routes customers and other systems reach with their own credentials (visitor token, WeChat signature…).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from crm_store.enums import StaffRole

# Each role can do everything the roles before it can.
RANK = {StaffRole.AGENT: 0, StaffRole.SUPERVISOR: 1, StaffRole.MANAGER: 2, StaffRole.ADMIN: 3}
ROLES = sorted(RANK, key=RANK.__getitem__)


def allows(role: StaffRole, minimum: StaffRole) -> bool:
    return RANK[role] >= RANK[minimum]


@dataclass(frozen=True, slots=True)
class Rule:
    """A role floor (staff routes) or the audience an open route serves and how it is guarded."""

    minimum: StaffRole | None = None
    audience: str | None = None
    # "token" (JSON API), "session" (console pages), or how an open route checks its caller.
    via: str = "token"

    @property
    def label(self) -> str:
        if self.minimum is not None:
            return f"{self.minimum.value}+ ({self.via})"
        return f"open: {self.audience}"


def mark(check: Any, rule: Rule) -> Any:
    check.access_rule = rule
    return check


def open_to(audience: str) -> Any:
    """The rule of a route that staff roles do not guard: `audience` says who calls it and with what."""

    def nobody_checked_here() -> None:
        return None

    return mark(nobody_checked_here, Rule(audience=audience, via="own"))


@dataclass(frozen=True, slots=True)
class RouteRule:
    method: str
    path: str
    rules: tuple[Rule, ...]
    summary: str

    @property
    def rule(self) -> Rule | None:
        """The route's rule; a route with a router-wide and a stricter own rule gets the stricter one."""
        staff = [r for r in self.rules if r.minimum is not None]
        if staff:
            return max(staff, key=lambda r: RANK[r.minimum] if r.minimum is not None else -1)
        return self.rules[0] if self.rules else None


def _rules(dependant: Dependant) -> Iterator[Rule]:
    for sub in dependant.dependencies:
        rule = getattr(sub.call, "access_rule", None)
        if isinstance(rule, Rule):
            yield rule
        yield from _rules(sub)


def _served_routes(app: FastAPI) -> Iterator[tuple[str, BaseRoute]]:
    """Each route with the path it is served at. FastAPI ≥ 0.12x keeps included routers as lazy branches
    of app.routes (their routes are reached through route contexts); older versions copy them in."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI: every route sits in app.routes with its full path
        for route in app.routes:
            yield getattr(route, "path", ""), route
        return
    for context in iter_route_contexts(app.routes):
        yield str(context.path or getattr(context.original_route, "path", "")), context.original_route


def route_rules(app: FastAPI) -> list[RouteRule]:
    """One row per method and path the app serves, with the rules found on it (none is a bug)."""
    rows: list[RouteRule] = []
    for path, route in _served_routes(app):
        if isinstance(route, APIRoute):
            rules = tuple(dict.fromkeys(_rules(route.dependant)))
            for method in sorted((route.methods or set()) - {"HEAD"}):
                rows.append(RouteRule(method, path, rules, route.summary or route.name))
        elif isinstance(route, Mount):
            rows.append(
                RouteRule("GET", f"{path}/…", (Rule(audience="anyone (static files)", via="own"),), "")
            )
    return sorted(rows, key=lambda r: (r.path, r.method))


def matrix_markdown(app: FastAPI) -> str:
    """The README's role matrix: ✓ where a role may call the route."""
    header = "| method | path | " + " | ".join(r.value for r in ROLES) + " | rule |"
    lines = [header, "| --- | --- | " + " | ".join(":-:" for _ in ROLES) + " | --- |"]
    for row in route_rules(app):
        rule = row.rule
        if rule is None:
            cells = ["?" for _ in ROLES]
            label = "**no rule**"
        elif rule.minimum is None:
            cells = ["·" for _ in ROLES]
            label = rule.label
        else:
            minimum = rule.minimum
            cells = ["✓" if allows(role, minimum) else "✗" for role in ROLES]
            label = rule.label
        lines.append(f"| {row.method} | `{row.path}` | " + " | ".join(cells) + f" | {label} |")
    return "\n".join(lines)


MATRIX_START = "<!-- role-matrix:start -->"
MATRIX_END = "<!-- role-matrix:end -->"


def matrix_in(readme: str) -> str:
    """The matrix written between the README's markers."""
    start, end = readme.index(MATRIX_START) + len(MATRIX_START), readme.index(MATRIX_END)
    return readme[start:end].strip()


def with_matrix(readme: str, matrix: str) -> str:
    """The README with `matrix` between its markers in place of what was there."""
    start, end = readme.index(MATRIX_START) + len(MATRIX_START), readme.index(MATRIX_END)
    return f"{readme[:start]}\n{matrix}\n{readme[end:]}"
