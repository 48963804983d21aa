"""All mapped classes, imported together so relationships resolve and Alembic sees every table."""

from crm_store.models.audit import AuditEntry
from crm_store.models.canned_reply import CannedReply
from crm_store.models.conversation import Conversation, InboundReceipt, Message
from crm_store.models.customer import ChannelIdentity, Customer
from crm_store.models.escalation import Escalation, EscalationEvent
from crm_store.models.insight import Alert, CustomerSegment, SegmentSummary
from crm_store.models.insight_rollup import (
    ReviewAspectDaily,
    ReviewDaily,
    ReviewKeywordDaily,
    ReviewRollupDay,
)
from crm_store.models.note import CustomerNote
from crm_store.models.order import Order, Product
from crm_store.models.review import Review, ReviewAspect
from crm_store.models.review_import import ReviewImport
from crm_store.models.staff import ApiToken, LoginAttempt, StaffSession, StaffUser
from crm_store.models.tag import Tag, customer_tags, escalation_tags

__all__ = [
    "Alert",
    "ApiToken",
    "AuditEntry",
    "CannedReply",
    "ChannelIdentity",
    "Conversation",
    "Customer",
    "CustomerNote",
    "CustomerSegment",
    "Escalation",
    "EscalationEvent",
    "InboundReceipt",
    "LoginAttempt",
    "Message",
    "Order",
    "Product",
    "Review",
    "ReviewAspect",
    "ReviewAspectDaily",
    "ReviewDaily",
    "ReviewImport",
    "ReviewKeywordDaily",
    "ReviewRollupDay",
    "SegmentSummary",
    "StaffSession",
    "StaffUser",
    "Tag",
    "customer_tags",
    "escalation_tags",
]
