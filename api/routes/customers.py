"""Customer look-up for staff: search, by channel identity, the 360 view (masked per role), the audited
"show" of masked details, notes, tags, and merging two records (supervisors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import CurrentStaff, SessionDep, actor_of, require_role
from api.schemas.customers import (
    Customer360,
    CustomerNoteIn,
    CustomerNoteOut,
    CustomerSummary,
    CustomerTagIn,
    CustomerTagsOut,
    MergeIn,
    RevealIn,
    RevealOut,
)
from crm_store.enums import Channel, StaffRole
from crm_store.models import Customer
from huisheng.errors import NotFoundError
from huisheng.services import customer_notes, customer_view, customers, identity_links, masking, tags

router = APIRouter(
    prefix="/customers", tags=["customers"], dependencies=[Depends(require_role(StaffRole.AGENT))]
)
CustomerId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TagName = Annotated[str, Path(min_length=1, max_length=50)]


def _tags(customer: Customer) -> CustomerTagsOut:
    return CustomerTagsOut(customer_id=customer.id, tags=[t.name for t in customer.tags])


@router.get("", summary="Search customers by name, phone or email (masked for your role)")
def search(
    session: SessionDep,
    user: CurrentStaff,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CustomerSummary]:
    found = customer_view.find_customers(session, query=q, viewer=user, limit=limit)
    return [CustomerSummary.model_validate(c) for c in found]


@router.get("/by-identity", summary="The customer behind a web visitor id or WeChat openid")
def by_identity(
    session: SessionDep,
    user: CurrentStaff,
    channel: Channel,
    external_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> Customer360:
    customer = customers.find_by_identity(session, channel=channel, external_id=external_id)
    if customer is None:
        raise NotFoundError(f"no customer with {channel.value} identity {external_id}")
    return Customer360.model_validate(
        customer_view.customer_360(session, customer_id=customer.id, viewer=user)
    )


@router.get("/{customer_id}", summary="The customer 360 view: orders, cases, reviews, CSAT, notes, tags")
def get_one(session: SessionDep, user: CurrentStaff, customer_id: CustomerId) -> Customer360:
    return Customer360.model_validate(
        customer_view.customer_360(session, customer_id=customer_id, viewer=user)
    )


@router.post(
    "/{customer_id}/reveal", summary="Show a masked phone, email or address (written to the audit log)"
)
def reveal(customer_id: CustomerId, body: RevealIn, session: SessionDep, user: CurrentStaff) -> RevealOut:
    values = masking.reveal(session, customer_id=customer_id, field=body.field, staff=user)
    return RevealOut(field=body.field, values=values)


@router.post("/{customer_id}/notes", summary="Add an internal note on the customer", status_code=201)
def add_note(
    customer_id: CustomerId, body: CustomerNoteIn, session: SessionDep, user: CurrentStaff
) -> CustomerNoteOut:
    note = customer_notes.add_note(session, customer_id=customer_id, text=body.text, actor=actor_of(user))
    return CustomerNoteOut.model_validate(note)


@router.post("/{customer_id}/tags", summary="Tag the customer (tagging twice changes nothing)")
def add_tag(
    customer_id: CustomerId, body: CustomerTagIn, session: SessionDep, user: CurrentStaff
) -> CustomerTagsOut:
    return _tags(tags.tag_customer(session, customer_id=customer_id, tag=body.tag, actor=actor_of(user)))


@router.delete("/{customer_id}/tags/{tag}", summary="Take a tag off the customer")
def remove_tag(
    customer_id: CustomerId, tag: TagName, session: SessionDep, user: CurrentStaff
) -> CustomerTagsOut:
    return _tags(tags.untag_customer(session, customer_id=customer_id, tag=tag, actor=actor_of(user)))


@router.post(
    "/{customer_id}/merge",
    summary="Merge another customer record into this one (a staff-confirmed link)",
    dependencies=[Depends(require_role(StaffRole.SUPERVISOR))],
)
def merge(customer_id: CustomerId, body: MergeIn, session: SessionDep, user: CurrentStaff) -> Customer360:
    merged = identity_links.merge_customers(
        session,
        source_id=body.source_customer_id,
        target_id=customer_id,
        actor=actor_of(user),
        reason=body.reason,
    )
    return Customer360.model_validate(customer_view.customer_360(session, customer_id=merged.id, viewer=user))
