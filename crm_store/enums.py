"""Statuses and kinds stored in the customer store, as StrEnums so they read well in SQL and JSON."""

from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    WECHAT = "wechat"


class CustomerTier(StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    VIP = "vip"


class ConversationStatus(StrEnum):
    BOT = "bot"
    WAITING_FOR_STAFF = "waiting_for_staff"
    WITH_STAFF = "with_staff"
    CLOSED = "closed"


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageKind(StrEnum):
    """What a customer sent; everything but text is stored with a description and answered politely."""

    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    LOCATION = "location"
    LINK = "link"
    EVENT = "event"


class MessageSender(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    STAFF = "staff"
    SYSTEM = "system"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"


class SentimentLabel(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class EscalationStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class EscalationCategory(StrEnum):
    COMPLAINT = "complaint"
    HANDOFF = "handoff"
    REVIEW_FOLLOW_UP = "review_follow_up"
    REFUND = "refund"
    LOGISTICS = "logistics"
    OTHER = "other"


class ResolutionReason(StrEnum):
    """Why a case was resolved or closed; the dashboard counts them, the free text says the rest."""

    SOLVED = "solved"
    REFUNDED = "refunded"
    REPLACED = "replaced"
    EXPLAINED = "explained"
    DUPLICATE = "duplicate"
    NO_RESPONSE = "no_response"
    INVALID = "invalid"


class EscalationEventKind(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    NOTE = "note"
    JOINED = "joined"


class StaffRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


class AlertKind(StrEnum):
    ASPECT = "aspect"
    PRODUCT = "product"
    KEYWORD = "keyword"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class SegmentKind(StrEnum):
    RFM = "rfm"
    BEHAVIOUR = "behaviour"


class ImportStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
