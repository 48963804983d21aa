"""review imports: each imported file's progress and refused rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:03:05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_store.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_imports",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "done",
                "failed",
                name="importstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("follow_ups", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm_store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", crm_store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["staff_users.id"],
            name=op.f("fk_review_imports_started_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_imports")),
    )
    with op.batch_alter_table("review_imports", schema=None) as batch_op:
        batch_op.create_index("ix_review_imports_started", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_review_imports_started")

    op.drop_table("review_imports")
