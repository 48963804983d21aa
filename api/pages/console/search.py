"""Search (/console/search?q=): customers by name, phone, order number or WeChat nickname, and messages
containing the words; the top bar's search box on every page leads here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep
from api.pages.console.failures import PREFIX
from api.pages.console.guards import AgentLogin
from api.pages.console.rendering import page
from huisheng.services import search

router = APIRouter(prefix=PREFIX)


@router.get("/search")
def search_page(request: Request, runtime: RuntimeDep, login: AgentLogin, q: str = "") -> HTMLResponse:
    query = q.strip()
    if not query:
        return page(request, "console/search.html", login, q="", results=None)
    with runtime.session() as session:
        results = search.search(session, query=query[:100], viewer=login.staff)
        return page(request, "console/search.html", login, q=query, results=results)
