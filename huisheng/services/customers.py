"""Customers and their channel identities: finding, creating, linking and merging who is who."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_store.base import utcnow
from crm_store.enums import Channel, CustomerTier
from crm_store.models import ChannelIdentity, Customer
from huisheng.errors import ConflictError, InvalidInputError, NotFoundError
from huisheng.services import audit
from huisheng.services.audit import SYSTEM, Actor
from huisheng.services.like import like_pattern
from huisheng.services.validation import clean_email, clean_phone, clean_text, optional_text


def _channel(value: Channel | str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise InvalidInputError(f"unknown channel '{value}'; expected one of: {choices}") from None


def _external_id(value: str) -> str:
    return clean_text(value, field="external_id", max_length=128)


def get_customer(session: Session, *, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"customer {customer_id} does not exist")
    return customer


def find_by_identity(session: Session, *, channel: Channel | str, external_id: str) -> Customer | None:
    return session.scalar(
        select(Customer)
        .join(ChannelIdentity)
        .where(ChannelIdentity.channel == _channel(channel), ChannelIdentity.external_id == external_id)
    )


def create_customer(
    session: Session,
    *,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    tier: CustomerTier | str = CustomerTier.REGULAR,
    actor: Actor = SYSTEM,
) -> Customer:
    try:
        tier = CustomerTier(tier)
    except ValueError:
        raise InvalidInputError(f"unknown customer tier '{tier}'") from None
    customer = Customer(
        name=optional_text(name, field="name", max_length=100),
        phone=clean_phone(phone),
        email=clean_email(email),
        tier=tier,
    )
    session.add(customer)
    session.flush()
    audit.record(
        session, actor=actor, action="customer.created", entity_type="customer", entity_id=customer.id
    )
    return customer


def get_or_create_by_identity(
    session: Session,
    *,
    channel: Channel | str,
    external_id: str,
    display_name: str | None = None,
) -> Customer:
    """The customer behind a web visitor id or WeChat openid, created on first contact."""
    channel = _channel(channel)
    external_id = _external_id(external_id)
    identity = session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    )
    if identity is not None:
        identity.last_seen_at = utcnow()
        return identity.customer
    display_name = optional_text(display_name, field="display_name", max_length=100)
    customer = Customer(name=display_name)
    customer.identities.append(
        ChannelIdentity(channel=channel, external_id=external_id, display_name=display_name)
    )
    try:
        with session.begin_nested():
            session.add(customer)
    except IntegrityError:
        # The same first message reached another process too: the identity's unique key picked one winner.
        return get_or_create_by_identity(session, channel=channel, external_id=external_id)
    audit.record(
        session,
        actor=SYSTEM,
        action="customer.created",
        entity_type="customer",
        entity_id=customer.id,
        details={"channel": channel.value},
    )
    return customer


def link_identity(
    session: Session,
    *,
    customer_id: int,
    channel: Channel | str,
    external_id: str,
    display_name: str | None = None,
    actor: Actor = SYSTEM,
) -> ChannelIdentity:
    """Adds another channel identity to a customer; one identity belongs to one customer only."""
    customer = get_customer(session, customer_id=customer_id)
    channel = _channel(channel)
    external_id = _external_id(external_id)
    owner = find_by_identity(session, channel=channel, external_id=external_id)
    if owner is not None:
        if owner.id == customer.id:
            raise ConflictError(f"customer {customer.id} already has this {channel.value} identity")
        raise ConflictError(f"this {channel.value} identity already belongs to customer {owner.id}")
    identity = ChannelIdentity(
        channel=channel,
        external_id=external_id,
        display_name=optional_text(display_name, field="display_name", max_length=100),
    )
    customer.identities.append(identity)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="customer.identity_linked",
        entity_type="customer",
        entity_id=customer.id,
        details={"channel": channel.value, "identity_id": identity.id},
    )
    return identity


def update_contact(
    session: Session,
    *,
    customer_id: int,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    actor: Actor = SYSTEM,
) -> Customer:
    """Sets the given contact fields; fields left as None are kept."""
    customer = get_customer(session, customer_id=customer_id)
    changed: list[str] = []
    if name is not None:
        customer.name = optional_text(name, field="name", max_length=100)
        changed.append("name")
    if phone is not None:
        customer.phone = clean_phone(phone)
        changed.append("phone")
    if email is not None:
        customer.email = clean_email(email)
        changed.append("email")
    audit.record(
        session,
        actor=actor,
        action="customer.updated",
        entity_type="customer",
        entity_id=customer.id,
        details={"fields": changed},
    )
    return customer


def search_customers(session: Session, *, query: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, phone or email contains `query` (staff look-up box)."""
    needle = clean_text(query, field="query", max_length=100)
    # LIKE's own wildcards are matched literally: "%" finds a "%", not every customer.
    pattern = like_pattern(needle)
    return list(
        session.scalars(
            select(Customer)
            .where(
                or_(
                    Customer.name.like(pattern, escape="\\"),
                    Customer.phone.like(pattern, escape="\\"),
                    Customer.email.like(pattern, escape="\\"),
                )
            )
            .order_by(Customer.id)
            .limit(max(1, min(limit, 100)))
        )
    )


def count_customers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0
