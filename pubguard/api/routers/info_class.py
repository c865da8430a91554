"""分级审批: the site's information classes and a draft's class (the scanner's suggestion,
the class set, a change of class with its reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import DraftSummary, Input, Text, _no_nul
from pubguard.review import ReviewService
from pubguard.review.readmodels import DraftSummaryView

router = APIRouter(tags=["分级审批"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


class InfoClassIn(Input):
    info_class: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=32)] = Field(
        description="信息类别标识（如 general 一般信息、major 重大信息、public_release 此件公开发布）"
    )
    reason: Text = Field("", description="送审后修改须填写理由")


@router.get("/drafts/{draft_id}/info-class", responses=COMMON, summary="信息类别（建议、当前类别、可选类别）")
def get_info_class(draft_id: DraftId, me: Me, svc: Svc) -> dict | None:
    view = svc.get_draft(me.id, draft_id)["info_class"]
    return dict(view) if view is not None else None  # no response model: JSON as it was


@router.put(
    "/drafts/{draft_id}/info-class",
    response_model=DraftSummary,
    responses=ACTION,
    summary="设置或修改信息类别",
)
def set_info_class(draft_id: DraftId, body: InfoClassIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.set_info_class(me.id, draft_id, body.info_class, reason=body.reason)
