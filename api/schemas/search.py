"""Search shapes: customers found by name, phone, order number or WeChat nickname, and messages by a word."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from crm_store.enums import MessageSender


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerHitOut(_Out):
    customer_id: int
    name: str | None
    phone: str | None = Field(description="Masked for roles that do not see personal data.")
    tier: str
    matched: list[str] = Field(description="What matched, in words: 姓名, 手机号, 邮箱, 昵称, 订单号 …")


class MessageHitOut(_Out):
    message_id: int
    conversation_id: int
    customer_id: int
    customer_name: str | None
    sender: MessageSender
    text: str
    created_at: datetime


class SearchOut(_Out):
    query: str
    customers: list[CustomerHitOut]
    messages: list[MessageHitOut]
