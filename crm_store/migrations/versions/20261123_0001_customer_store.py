"""customer store

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:31:15.641336
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "tier",
            sa.Enum(
                "regular",
                "silver",
                "gold",
                "vip",
                name="customertier",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_email", ["email"], unique=False)
        batch_op.create_index("ix_customers_phone", ["phone"], unique=False)
        batch_op.create_index("ix_customers_tier", ["tier"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_category"), ["category"], unique=False)

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "agent",
                "supervisor",
                "manager",
                "admin",
                name="staffrole",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("api_token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_staff_users_api_token_hash")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_users_role"), ["role"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_audit_log_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_created", ["created_at"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "wechat", name="channel", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_channel_identities_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_channel_identities_channel_external_id")),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_identities_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "wechat", name="channel", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "bot",
                "waiting_for_staff",
                "with_staff",
                "closed",
                name="conversationstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("started_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handed_over_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("csat_score", sa.SmallInteger(), nullable=True),
        sa.Column("csat_comment", sa.String(length=1000), nullable=True),
        sa.Column("csat_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("csat_score BETWEEN 1 AND 5", name=op.f("ck_conversations_csat_score_range")),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_users.id"],
            name=op.f("fk_conversations_assignee_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_conversations_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(
            "ix_conversations_customer_started", ["customer_id", "started_at"], unique=False
        )
        batch_op.create_index("ix_conversations_status_started", ["status", "started_at"], unique=False)

    op.create_table(
        "customer_tags",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_tags_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_customer_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", "tag_id", name=op.f("pk_customer_tags")),
    )
    with op.batch_alter_table("customer_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending_payment",
                "paid",
                "shipped",
                "delivered",
                "completed",
                "cancelled",
                "refund_requested",
                "refunded",
                name="orderstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("carrier", sa.String(length=50), nullable=True),
        sa.Column("tracking_no", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("paid_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("order_no", name=op.f("uq_orders_order_no")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_created", ["customer_id", "created_at"], unique=False)
        batch_op.create_index("ix_orders_status", ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_tracking_no"), ["tracking_no"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "inbound",
                "outbound",
                name="messagedirection",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "sender",
            sa.Enum(
                "customer",
                "bot",
                "staff",
                "system",
                name="messagesender",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("intent_confidence", sa.Float(), nullable=True),
        sa.Column(
            "sentiment_label",
            sa.Enum(
                "positive",
                "neutral",
                "negative",
                name="sentimentlabel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_messages_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "conversation_id", "external_id", name=op.f("uq_messages_conversation_id_external_id")
        ),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_created", ["conversation_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_messages_intent", ["intent"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("tokens", sa.JSON(), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column(
            "sentiment_label",
            sa.Enum(
                "positive",
                "neutral",
                "negative",
                name="sentimentlabel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("analyzed_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_range")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_reviews_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reviews_order_id_orders"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_reviews_product_id_products"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_reviews_source_external_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_category_created", ["category", "created_at"], unique=False)
        batch_op.create_index("ix_reviews_customer", ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_product_id"), ["product_id"], unique=False)
        batch_op.create_index("ix_reviews_sentiment_created", ["sentiment_label", "created_at"], unique=False)

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_no", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "complaint",
                "handoff",
                "review_follow_up",
                "refund",
                "logistics",
                "other",
                name="escalationcategory",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column(
            "sentiment_label",
            sa.Enum(
                "positive",
                "neutral",
                "negative",
                name="sentimentlabel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "normal",
                "high",
                "urgent",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "assigned",
                "in_progress",
                "resolved",
                "closed",
                name="escalationstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("sla_due_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("in_progress_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_users.id"],
            name=op.f("fk_escalations_assignee_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_escalations_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_escalations_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_escalations_order_id_orders"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_escalations_review_id_reviews"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("ticket_no", name=op.f("uq_escalations_ticket_no")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index("ix_escalations_assignee_status", ["assignee_id", "status"], unique=False)
        batch_op.create_index("ix_escalations_conversation", ["conversation_id"], unique=False)
        batch_op.create_index("ix_escalations_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_escalations_queue", ["status", "priority", "sla_due_at"], unique=False)

    op.create_table(
        "review_aspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("aspect", sa.String(length=20), nullable=False),
        sa.Column(
            "label",
            sa.Enum(
                "positive",
                "neutral",
                "negative",
                name="sentimentlabel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("clause", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_aspects_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_aspects")),
    )
    with op.batch_alter_table("review_aspects", schema=None) as batch_op:
        batch_op.create_index("ix_review_aspects_aspect_label", ["aspect", "label"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_aspects_review_id"), ["review_id"], unique=False)

    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "created",
                "assigned",
                "status_changed",
                "priority_changed",
                "note",
                "joined",
                name="escalationeventkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "new",
                "assigned",
                "in_progress",
                "resolved",
                "closed",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "new",
                "assigned",
                "in_progress",
                "resolved",
                "closed",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_escalation_events_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_events_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_events")),
    )
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_events_escalation_id"), ["escalation_id"], unique=False
        )

    op.create_table(
        "escalation_tags",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_tags_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_escalation_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("escalation_id", "tag_id", name=op.f("pk_escalation_tags")),
    )
    with op.batch_alter_table("escalation_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_tags_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalation_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_tags_tag_id"))

    op.drop_table("escalation_tags")
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_events_escalation_id"))

    op.drop_table("escalation_events")
    with op.batch_alter_table("review_aspects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_aspects_review_id"))
        batch_op.drop_index("ix_review_aspects_aspect_label")

    op.drop_table("review_aspects")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_queue")
        batch_op.drop_index("ix_escalations_customer")
        batch_op.drop_index("ix_escalations_conversation")
        batch_op.drop_index("ix_escalations_assignee_status")

    op.drop_table("escalations")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_sentiment_created")
        batch_op.drop_index(batch_op.f("ix_reviews_product_id"))
        batch_op.drop_index("ix_reviews_customer")
        batch_op.drop_index("ix_reviews_category_created")

    op.drop_table("reviews")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_intent")
        batch_op.drop_index("ix_messages_conversation_created")

    op.drop_table("messages")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_tracking_no"))
        batch_op.drop_index("ix_orders_status")
        batch_op.drop_index("ix_orders_customer_created")

    op.drop_table("orders")
    with op.batch_alter_table("customer_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_tags_tag_id"))

    op.drop_table("customer_tags")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_status_started")
        batch_op.drop_index("ix_conversations_customer_started")
        batch_op.drop_index(batch_op.f("ix_conversations_assignee_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_identities_customer_id"))

    op.drop_table("channel_identities")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index("ix_audit_log_created")

    op.drop_table("audit_log")
    op.drop_table("tags")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_role"))

    op.drop_table("staff_users")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_category"))

    op.drop_table("products")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_tier")
        batch_op.drop_index("ix_customers_phone")
        batch_op.drop_index("ix_customers_email")

    op.drop_table("customers")
