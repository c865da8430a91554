"""The disclosure attribute (主动公开 / 依申请公开 / 不予公开): the scan's proposal, the
editor's setting, the 终审 confirmation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import DisclosureIn, DraftSummary
from pubguard.review import ReviewService
from pubguard.review.readmodels import DraftSummaryView

router = APIRouter(tags=["公开属性"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


@router.get("/drafts/{draft_id}/disclosure", responses=COMMON, summary="公开属性（建议、设置、确认）")
def get_disclosure(draft_id: DraftId, me: Me, svc: Svc) -> dict:
    return dict(svc.get_draft(me.id, draft_id)["disclosure"])  # no response model: JSON as it was


@router.put(
    "/drafts/{draft_id}/disclosure", response_model=DraftSummary, responses=ACTION, summary="设置公开属性"
)
def set_disclosure(draft_id: DraftId, body: DisclosureIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.set_disclosure(me.id, draft_id, body.attribute, basis=body.basis, reason=body.reason)
