"""The customer 360 page (/console/customers/{id}): everything known about one customer, masked per role,
with notes, tags, the audited "显示" of personal data and, for supervisors, merging a duplicate in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ConsoleLogin, RuntimeDep, actor_of
from api.pages.console import messages
from api.pages.console.failures import PREFIX
from api.pages.console.forms import required_int
from api.pages.console.guards import AgentLogin, SupervisorLogin
from api.pages.console.rendering import back_to, fragment, is_htmx, page
from huisheng.errors import InvalidInputError
from huisheng.services import customer_notes, customer_view, identity_links, masking, tags

router = APIRouter(prefix=f"{PREFIX}/customers/{{customer_id}}")
FormText = Annotated[str, Form()]


def _profile(
    request: Request,
    runtime: RuntimeDep,
    login: ConsoleLogin,
    customer_id: int,
    *,
    message: str | None = None,
) -> HTMLResponse:
    with runtime.session() as session:
        profile = customer_view.customer_360(session, customer_id=customer_id, viewer=login.staff)
        name = "console/_partials/customer_body.html" if message is not None else "console/customer.html"
        render = fragment if message is not None else page
        return render(request, name, login, c=profile, message=message, kind="success", oob_flash=True)


@router.get("")
def customer_page(request: Request, runtime: RuntimeDep, login: AgentLogin, customer_id: int) -> HTMLResponse:
    return _profile(request, runtime, login, customer_id)


def _changed(
    request: Request, runtime: RuntimeDep, login: ConsoleLogin, customer_id: int, message: str
) -> Response:
    if not is_htmx(request):
        return back_to(f"{PREFIX}/customers/{customer_id}")
    return _profile(request, runtime, login, customer_id, message=message)


@router.post("/notes")
def add_note(
    request: Request, runtime: RuntimeDep, login: AgentLogin, customer_id: int, text: FormText = ""
) -> Response:
    with runtime.session() as session:
        customer_notes.add_note(session, customer_id=customer_id, text=text, actor=actor_of(login.staff))
    return _changed(request, runtime, login, customer_id, messages.said("customer_noted"))


@router.post("/tags")
def add_tag(
    request: Request, runtime: RuntimeDep, login: AgentLogin, customer_id: int, tag: FormText = ""
) -> Response:
    with runtime.session() as session:
        tags.tag_customer(session, customer_id=customer_id, tag=tag, actor=actor_of(login.staff))
    return _changed(request, runtime, login, customer_id, messages.said("tagged", tag=tag.strip()))


@router.post("/tags/remove")
def remove_tag(
    request: Request, runtime: RuntimeDep, login: AgentLogin, customer_id: int, tag: FormText = ""
) -> Response:
    with runtime.session() as session:
        tags.untag_customer(session, customer_id=customer_id, tag=tag, actor=actor_of(login.staff))
    return _changed(request, runtime, login, customer_id, messages.said("untagged", tag=tag.strip()))


@router.post("/reveal")
def reveal(
    request: Request, runtime: RuntimeDep, login: AgentLogin, customer_id: int, field: FormText = ""
) -> Response:
    """The unmasked value, on purpose and audited; the page swaps it in where the mask was."""
    with runtime.session() as session:
        values = masking.reveal(session, customer_id=customer_id, field=field, staff=login.staff)
    if not is_htmx(request):
        return back_to(f"{PREFIX}/customers/{customer_id}")
    return fragment(
        request,
        "console/_partials/pii.html",
        login,
        field=field,
        field_label=messages.PII_NAMES.get(field, field),
        revealed=values,
        customer_id=customer_id,
    )


@router.post("/merge")
def merge(
    request: Request,
    runtime: RuntimeDep,
    login: SupervisorLogin,
    customer_id: int,
    source_id: FormText = "",
    reason: FormText = "",
    confirm: FormText = "",
) -> Response:
    """Moves another customer (a duplicate) into this one; the form asks for a reason and a confirmation."""
    source = required_int(source_id, what=messages.said("merge_source"))
    if confirm != "yes":
        raise InvalidInputError(messages.said("merge_unconfirmed"), code="confirm_required")
    with runtime.session() as session:
        identity_links.merge_customers(
            session, source_id=source, target_id=customer_id, actor=actor_of(login.staff), reason=reason
        )
    return _changed(request, runtime, login, customer_id, messages.said("merged", source=source))
