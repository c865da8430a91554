"""The hash-chained audit trail: per draft, in full (system administrators) and verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import COMMON, errors
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import AuditEntryOut, AuditVerifyOut
from pubguard.review import ReviewService
from pubguard.review.readmodels import AuditLogEntryView

router = APIRouter(tags=["审计"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


@router.get(
    "/drafts/{draft_id}/audit", response_model=list[AuditEntryOut], responses=COMMON, summary="稿件的审计记录"
)
def draft_audit(
    draft_id: DraftId, me: Me, svc: Svc, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[AuditLogEntryView]:
    return svc.audit_log(me.id, draft_id=draft_id, limit=limit)


@router.get(
    "/audit",
    response_model=list[AuditEntryOut],
    responses=errors(401, 403, 422),
    summary="全部审计记录（系统管理员）",
)
def all_audit(me: Me, svc: Svc, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[AuditLogEntryView]:
    return svc.audit_log(me.id, limit=limit)


@router.get(
    "/audit/verify",
    response_model=AuditVerifyOut,
    responses=errors(401, 403),
    summary="校验审计哈希链（系统管理员）",
)
def verify(me: Me, svc: Svc) -> dict:
    svc.audit_log(me.id, limit=1)  # the library's rule: only system administrators see the whole log
    return svc.verify_audit().to_dict()
