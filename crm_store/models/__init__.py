"""All mapped classes, imported together so relationships resolve and Alembic sees every table."""

from crm_store.models.audit import AuditEntry
from crm_store.models.conversation import Conversation, InboundReceipt, Message
from crm_store.models.customer import ChannelIdentity, Customer
from crm_store.models.escalation import Escalation, EscalationEvent
from crm_store.models.order import Order, Product
from crm_store.models.review import Review, ReviewAspect
from crm_store.models.staff import StaffUser
from crm_store.models.tag import Tag, customer_tags, escalation_tags

__all__ = [
    "AuditEntry",
    "ChannelIdentity",
    "Conversation",
    "Customer",
    "Escalation",
    "EscalationEvent",
    "InboundReceipt",
    "Message",
    "Order",
    "Product",
    "Review",
    "ReviewAspect",
    "StaffUser",
    "Tag",
    "customer_tags",
    "escalation_tags",
]
