"""政策解读: link a policy draft to its 解读 draft (and unlink, with a reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import MAX_ID, DraftSummary, Input, Text
from pubguard.review import ReviewService
from pubguard.review.readmodels import DraftSummaryView

router = APIRouter(tags=["政策解读"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


class LinkIn(Input):
    interpretation_id: int = Field(ge=1, le=MAX_ID, description="解读稿的稿件编号")


class UnlinkIn(Input):
    reason: Text = Field(description="解除关联的理由")


@router.get("/drafts/{draft_id}/links", responses=COMMON, summary="政策文件与解读的关联")
def get_links(draft_id: DraftId, me: Me, svc: Svc) -> dict:
    return dict(svc.get_draft(me.id, draft_id)["links"])  # no response model: JSON as it was


@router.put(
    "/drafts/{draft_id}/interpretation", response_model=DraftSummary, responses=ACTION, summary="关联政策解读"
)
def link(draft_id: DraftId, body: LinkIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.link_interpretation(me.id, draft_id, body.interpretation_id)


@router.post(
    "/drafts/{draft_id}/interpretation/unlink",
    response_model=DraftSummary,
    responses=ACTION,
    summary="解除政策解读关联",
)
def unlink(draft_id: DraftId, body: UnlinkIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.unlink_interpretation(me.id, draft_id, body.reason)
