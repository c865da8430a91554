"""Findings of a version and the reviewer's decision on each (the library checks the role, the
author rule, blockers never accepted, acceptance level)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON, errors
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import MAX_ID, DecisionIn, FindingOut, RevealIn, RevealOut
from pubguard.review import PermissionDenied, ReviewService
from pubguard.review.readmodels import FindingView, RevealView

router = APIRouter(tags=["检查结果"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # a revealed value is never kept


@router.get(
    "/drafts/{draft_id}/findings", response_model=list[FindingOut], responses=COMMON, summary="检查结果"
)
def list_findings(
    draft_id: DraftId,
    me: Me,
    svc: Svc,
    version_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="默认当前版本")] = None,
    include_fixed: Annotated[bool, Query(description="包括本版本已修复的问题")] = True,
) -> list[FindingView]:
    return svc.list_findings(me.id, draft_id, version_id, include_fixed=include_fixed)


@router.post(
    "/findings/{finding_id}/decision",
    response_model=FindingOut,
    responses=ACTION,
    summary="对一个问题作出决定",
)
def decide(
    finding_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: DecisionIn, me: Me, svc: Svc
) -> FindingView:
    return svc.decide_finding(me.id, finding_id, body.decision, reason=body.reason, level=body.level)


@router.post(
    "/findings/{finding_id}/reveal",
    response_model=RevealOut,
    responses=ACTION,
    summary="查看被遮盖的个人信息完整值（须有权限并填写理由，记入审计）",
)
def reveal(
    finding_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: RevealIn, me: Me, svc: Svc, response: Response
) -> RevealView:
    out = svc.reveal_value(me.id, finding_id, body.reason)
    response.headers.update(NO_STORE)
    return out


@router.get("/stats/precision", responses=errors(401, 403), summary="按检测器统计的准确率（来自审核决定）")
def precision(me: Me, svc: Svc, site: Annotated[str | None, Query(max_length=64)] = None) -> list[dict]:
    if not me.user.get("is_admin"):
        raise PermissionDenied("只有系统管理员可以查看检测器准确率统计。")
    return [dict(row) for row in svc.detector_precision(site)]  # no response model: JSON as it was
