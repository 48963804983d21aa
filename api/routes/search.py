"""Staff search: one box for customers (name, phone, email, WeChat nickname, order number) and messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentStaff, SessionDep, require_role
from api.schemas.search import SearchOut
from crm_store.enums import StaffRole
from huisheng.services import search as search_service

router = APIRouter(tags=["search"], dependencies=[Depends(require_role(StaffRole.AGENT))])


@router.get("/search", summary="Find customers and messages by name, phone, order number, nickname or a word")
def search(
    q: Annotated[str, Query(min_length=1, max_length=search_service.MAX_QUERY)],
    user: CurrentStaff,
    session: SessionDep,
) -> SearchOut:
    return SearchOut.model_validate(search_service.search(session, query=q, viewer=user))
