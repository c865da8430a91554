"""附件 of a draft: upload (scanned at once), list with findings, download, remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import COMMON, attachment_headers, errors
from pubguard.api.routers.drafts import DraftId
from pubguard.api.schemas import MAX_ID
from pubguard.api.uploads import checked_upload
from pubguard.review import ReviewService
from pubguard.review.readmodels import AttachmentView

router = APIRouter(tags=["附件"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
AttachmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


class AttachmentOut(BaseModel):
    id: int
    draft_id: int
    version_id: int
    filename: str
    size: int
    format: str | None
    sha256: str
    uploaded_by: str
    created_at: str | None
    scan_status: str
    scan_error: str | None
    findings: list[dict[str, Any]]
    counts: dict[str, int]
    blocking: int
    problems: list[str]


@router.get(
    "/drafts/{draft_id}/attachments", response_model=list[AttachmentOut], responses=COMMON, summary="附件列表"
)
def list_attachments(draft_id: DraftId, me: Me, svc: Svc) -> list[AttachmentView]:
    return svc.list_attachments(me.id, draft_id)


@router.post(
    "/drafts/{draft_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
    summary="添加附件（随当前版本保存，立即检查）",
)
def add_attachment(
    request: Request, draft_id: DraftId, me: Me, svc: Svc, file: Annotated[UploadFile, File()]
) -> AttachmentView:
    name, stream, _fmt = checked_upload(file, request.app.state.settings.max_upload_bytes)
    return svc.add_attachment(me.id, draft_id, name, stream)


@router.get(
    "/attachments/{attachment_id}/file",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "附件原文件"}, **COMMON},
    summary="下载附件",
)
def download_attachment(attachment_id: AttachmentId, me: Me, svc: Svc) -> Response:
    filename, data = svc.get_attachment_file(me.id, attachment_id)
    return Response(data, media_type="application/octet-stream", headers=attachment_headers(filename))


@router.delete(
    "/attachments/{attachment_id}", status_code=204, responses=errors(401, 403, 404, 409), summary="删除附件"
)
def remove_attachment(attachment_id: AttachmentId, me: Me, svc: Svc) -> Response:
    svc.remove_attachment(me.id, attachment_id)
    return Response(status_code=204)
