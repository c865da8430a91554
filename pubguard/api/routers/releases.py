"""Release gate, release (publish to the site's target), withdrawal (撤稿) and archiving."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON, errors
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import ArchiveIn, DraftSummary, GateOut, ReleaseIn, ReleaseOut, WithdrawIn
from pubguard.review import ReviewService
from pubguard.review.readmodels import DraftSummaryView, GateView, ReleaseView

router = APIRouter(tags=["发布"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


@router.get("/drafts/{draft_id}/gate", response_model=GateOut, responses=COMMON, summary="发布条件检查")
def gate(draft_id: DraftId, me: Me, svc: Svc) -> GateView:
    return svc.get_draft(me.id, draft_id)["gate"]


@router.get(
    "/drafts/{draft_id}/releases", response_model=list[ReleaseOut], responses=COMMON, summary="发布记录"
)
def releases(draft_id: DraftId, me: Me, svc: Svc) -> list[ReleaseView]:
    return svc.get_draft(me.id, draft_id)["releases"]


@router.post(
    "/drafts/{draft_id}/release",
    response_model=ReleaseOut,
    responses=errors(401, 403, 404, 409, 422, 502),
    summary="发布（须通过发布条件检查）",
)
def release(draft_id: DraftId, body: ReleaseIn, me: Me, svc: Svc) -> ReleaseView:
    return svc.release(me.id, draft_id, body.version_id)


@router.post("/drafts/{draft_id}/withdraw", response_model=DraftSummary, responses=ACTION, summary="撤稿")
def withdraw(draft_id: DraftId, body: WithdrawIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.withdraw(me.id, draft_id, body.reason)


@router.post("/drafts/{draft_id}/archive", response_model=DraftSummary, responses=ACTION, summary="归档")
def archive(request: Request, draft_id: DraftId, body: ArchiveIn, me: Me, svc: Svc) -> DraftSummaryView:
    out = svc.archive(me.id, draft_id, body.comment)
    request.app.state.views.sweep()  # its cached pages and text go with it
    return out
