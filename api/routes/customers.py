"""Customer look-up for staff: search, by channel identity, and the 360 view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentStaff, SessionDep, actor_of, require_role
from api.schemas.customers import Customer360, CustomerSummary, MergeIn
from crm_store.enums import Channel, StaffRole
from huisheng.errors import NotFoundError
from huisheng.services import customer_view, customers, identity_links

router = APIRouter(
    prefix="/customers", tags=["customers"], dependencies=[Depends(require_role(StaffRole.AGENT))]
)


@router.get("", summary="Search customers by name, phone or email")
def search(
    session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=100)], limit: int = 20
) -> list[CustomerSummary]:
    found = customers.search_customers(session, query=q, limit=limit)
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


@router.get("/{customer_id}", summary="The customer 360 view")
def get_one(session: SessionDep, user: CurrentStaff, customer_id: int) -> Customer360:
    return Customer360.model_validate(
        customer_view.customer_360(session, customer_id=customer_id, viewer=user)
    )


@router.post(
    "/{customer_id}/merge",
    summary="Merge another customer record into this one (a staff-confirmed link)",
    dependencies=[Depends(require_role(StaffRole.SUPERVISOR))],
)
def merge(customer_id: int, body: MergeIn, session: SessionDep, user: CurrentStaff) -> Customer360:
    merged = identity_links.merge_customers(
        session,
        source_id=body.source_customer_id,
        target_id=customer_id,
        actor=actor_of(user),
        reason=body.reason,
    )
    return Customer360.model_validate(customer_view.customer_360(session, customer_id=merged.id, viewer=user))
