"""Canned replies (快捷回复) the shop maintains, with placeholders such as {客户名} filled in when used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_store.base import Base, TimestampMixin


class CannedReply(TimestampMixin, Base):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    # Typed after "/" in the reply box to pick the reply by keyboard, e.g. "退货".
    shortcut: Mapped[str | None] = mapped_column(String(32), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # Kept for history when removed from the list: old audit entries still name it.
    archived_at: Mapped[datetime | None]
