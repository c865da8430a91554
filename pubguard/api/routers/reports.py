"""Reports of a draft version: JSON (pubguard.report/1 + review decisions), CSV, SARIF, and the
审核单 as print-ready HTML or PDF."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from pubguard.api import reports as rep
from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import COMMON
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import MAX_ID
from pubguard.review import ReviewService

router = APIRouter(tags=["报告"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
VersionQ = Annotated[int | None, Query(ge=1, le=MAX_ID, description="默认当前版本")]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/drafts/{draft_id}/report.json", responses=COMMON, summary="检查报告（JSON，含审核决定）")
def report_json(draft_id: DraftId, me: Me, svc: Svc, version_id: VersionQ = None) -> Response:
    body = rep.report_json(rep.bundle(svc, me.id, draft_id, version_id))
    return Response(json.dumps(body, ensure_ascii=False, indent=2), media_type="application/json")


@router.get(
    "/drafts/{draft_id}/report.csv",
    responses={200: {"content": {"text/csv": {}}}, **COMMON},
    summary="检查报告（CSV，Excel 可直接打开）",
)
def report_csv(draft_id: DraftId, me: Me, svc: Svc, version_id: VersionQ = None) -> Response:
    body = rep.report_csv(rep.bundle(svc, me.id, draft_id, version_id))
    return Response(body, media_type="text/csv; charset=utf-8", headers=_attachment(f"draft-{draft_id}.csv"))


@router.get(
    "/drafts/{draft_id}/report.sarif",
    responses={200: {"content": {"application/sarif+json": {}}}, **COMMON},
    summary="检查报告（SARIF 2.1.0）",
)
def report_sarif(draft_id: DraftId, me: Me, svc: Svc, version_id: VersionQ = None) -> Response:
    body = rep.report_sarif(rep.bundle(svc, me.id, draft_id, version_id))
    return Response(body, media_type="application/sarif+json", headers=_attachment(f"draft-{draft_id}.sarif"))


@router.get(
    "/drafts/{draft_id}/sheet.html",
    response_class=HTMLResponse,
    responses=COMMON,
    summary="审核单（可打印 HTML）",
)
def sheet_html(draft_id: DraftId, me: Me, svc: Svc) -> HTMLResponse:
    return HTMLResponse(
        rep.sheet_html(rep.sheet_context(svc, me.id, draft_id, me.user["display_name"] or me.username))
    )


@router.get(
    "/drafts/{draft_id}/sheet.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **COMMON},
    summary="审核单（PDF）",
)
def sheet_pdf(draft_id: DraftId, me: Me, svc: Svc) -> Response:
    data = rep.sheet_pdf(rep.sheet_context(svc, me.id, draft_id, me.user["display_name"] or me.username))
    return Response(data, media_type="application/pdf", headers=_attachment(f"review-sheet-{draft_id}.pdf"))
