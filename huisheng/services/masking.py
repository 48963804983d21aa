"""Masking personal data (138****8000) for roles that do not need it, and the audited "show" that reveals it."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.errors import InvalidInputError
from huisheng.services import audit
from huisheng.services.audit import Actor
from huisheng.services.customers import get_customer

PiiField = Literal["phone", "email", "address"]
PII_FIELDS: tuple[PiiField, ...] = ("phone", "email", "address")
# Supervisors call customers back and admins answer data requests; agents and managers see masks and
# reveal one customer's details on purpose, which the audit log records.
UNMASKED_ROLES = frozenset({StaffRole.SUPERVISOR, StaffRole.ADMIN})


def sees_pii(staff: StaffUser) -> bool:
    return staff.role in UNMASKED_ROLES


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_address(address: str | None) -> str | None:
    """Keeps the province and city (what an agent needs to talk about shipping), hides the street."""
    if not address:
        return address
    return f"{address[:6]}****" if len(address) > 6 else "****"


def masked(value: str | None, field: PiiField) -> str | None:
    return {"phone": mask_phone, "email": mask_email, "address": mask_address}[field](value)


def reveal(session: Session, *, customer_id: int, field: str, staff: StaffUser) -> list[str]:
    """The unmasked value(s) of one field of a customer (addresses: one per order), written to the audit log."""
    if field not in PII_FIELDS:
        raise InvalidInputError(f"无法显示字段 '{field}'；可选：phone、email、address")
    customer = get_customer(session, customer_id=customer_id)
    if field == "phone":
        values = [customer.phone] if customer.phone else []
    elif field == "email":
        values = [customer.email] if customer.email else []
    else:
        values = list(dict.fromkeys(order.address for order in customer.orders))
    audit.record(
        session,
        actor=Actor.staff(staff.id, staff.username),
        action="customer.pii_revealed",
        entity_type="customer",
        entity_id=customer.id,
        details={"field": field},
    )
    return values
