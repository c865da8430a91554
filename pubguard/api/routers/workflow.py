"""Workflow actions. Every action names the version it was taken on; the library answers a
stale version with 409 `stale_version`, and decides roles and separation of duties."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import (
    ApproveIn,
    ClaimIn,
    CommentIn,
    DraftSummary,
    ReassignIn,
    RecallIn,
    RejectIn,
    SubmitIn,
)
from pubguard.review import ReviewService
from pubguard.review.readmodels import DraftSummaryView

router = APIRouter(tags=["审核流程"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


@router.post("/drafts/{draft_id}/submit", response_model=DraftSummary, responses=ACTION, summary="送审")
def submit(draft_id: DraftId, body: SubmitIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.submit(
        me.id, draft_id, body.version_id, body.comment, acknowledge_blockers=body.acknowledge_blockers
    )


@router.post(
    "/drafts/{draft_id}/claim", response_model=DraftSummary, responses=ACTION, summary="领取当前步骤"
)
def claim(draft_id: DraftId, body: ClaimIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.claim(me.id, draft_id, body.step_key)


@router.post(
    "/drafts/{draft_id}/approve", response_model=DraftSummary, responses=ACTION, summary="审核通过当前步骤"
)
def approve(draft_id: DraftId, body: ApproveIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.approve(me.id, draft_id, body.version_id, step_key=body.step_key, comment=body.comment)


@router.post(
    "/drafts/{draft_id}/reject", response_model=DraftSummary, responses=ACTION, summary="退回（须填写意见）"
)
def reject(draft_id: DraftId, body: RejectIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.reject(
        me.id, draft_id, body.version_id, body.comment, to_step=body.to_step, step_key=body.step_key
    )


@router.post("/drafts/{draft_id}/recall", response_model=DraftSummary, responses=ACTION, summary="撤回送审")
def recall(draft_id: DraftId, body: RecallIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.recall(me.id, draft_id, body.comment)


@router.post("/drafts/{draft_id}/reassign", response_model=DraftSummary, responses=ACTION, summary="转交步骤")
def reassign(draft_id: DraftId, body: ReassignIn, me: Me, svc: Svc) -> DraftSummaryView:
    return svc.reassign(me.id, draft_id, body.step_key, body.assignee)


@router.get("/drafts/{draft_id}/comments", responses=COMMON, summary="意见与校对修改")
def comments(draft_id: DraftId, me: Me, svc: Svc) -> list[dict]:
    # No response model: the plain dicts keep the JSON (and the OpenAPI schema) as it was.
    return [dict(c) for c in svc.get_draft(me.id, draft_id)["comments"]]


@router.post("/drafts/{draft_id}/comments", status_code=201, responses=ACTION, summary="发表意见")
def add_comment(draft_id: DraftId, body: CommentIn, me: Me, svc: Svc) -> dict:
    return dict(svc.add_comment(me.id, draft_id, body.body, kind=body.kind, step_key=body.step_key))
