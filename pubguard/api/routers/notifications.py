"""消息 of the signed-in user (issue 18.8): list, unread count, mark read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import COMMON
from pubguard.api.schemas import MAX_ID, Input
from pubguard.review import ReviewService
from pubguard.review.readmodels import NotificationView

router = APIRouter(tags=["消息"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


class NotificationOut(BaseModel):
    id: int
    draft_id: int | None = None
    kind: str
    kind_label: str
    title: str
    body: str = ""
    link: str = ""
    created_at: str | None = None
    read_at: str | None = None
    emailed: bool = False


class UnreadOut(BaseModel):
    unread: int


class ReadIn(Input):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(default=None, max_length=500)


class ReadOut(BaseModel):
    marked: int


@router.get("/notifications", response_model=list[NotificationOut], responses=COMMON, summary="我的消息")
def list_notifications(
    me: Me,
    svc: Svc,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[NotificationView]:
    return svc.list_notifications(me.id, unread=unread, limit=limit)


@router.get("/notifications/unread", response_model=UnreadOut, responses=COMMON, summary="未读消息数")
def unread_count(me: Me, svc: Svc) -> dict:
    return {"unread": svc.unread_notifications(me.id)}


@router.post(
    "/notifications/read", response_model=ReadOut, responses=COMMON, summary="标为已读（不给 ids 则全部）"
)
def mark_read(body: ReadIn, me: Me, svc: Svc) -> dict:
    return {"marked": svc.mark_notifications_read(me.id, body.ids)}
