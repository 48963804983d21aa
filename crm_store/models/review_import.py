"""Review imports: one row per file imported, with its progress and the rows it refused, line by line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_store.base import Base, str_enum, utcnow
from crm_store.enums import ImportStatus


class ReviewImport(Base):
    __tablename__ = "review_imports"
    __table_args__ = (Index("ix_review_imports_started", "started_at"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32))
    # field → column of the file, e.g. {"text": "评价内容", "rating": "评分"}.
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus), default=ImportStatus.RUNNING)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    stored: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    follow_ups: Mapped[int] = mapped_column(default=0)
    # [{"line": 3, "reason": "评价内容为空", "text": ""}]: the refused rows, written after each batch.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
