"""Form adapters of the draft page's 附件 section (upload, remove): the same service calls as
the JSON API (`routers/attachments.py`), then back to the section."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.errors import ApiError
from pubguard.api.schemas import MAX_ID
from pubguard.api.uploads import checked_upload
from pubguard.review import ReviewService

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/drafts/{draft_id}/attachments")
async def add(request: Request, draft_id: Id, me: Me, svc: Svc) -> RedirectResponse:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "invalid_input", "请选择要添加的附件文件。")
    name, stream, _fmt = checked_upload(upload, request.app.state.settings.max_upload_bytes)  # type: ignore[arg-type]
    await run_in_threadpool(svc.add_attachment, me.id, draft_id, name, stream)
    return RedirectResponse(f"/drafts/{draft_id}#attachments", status_code=303)


@router.post("/drafts/{draft_id}/attachments/{attachment_id}/remove")
async def remove(draft_id: Id, attachment_id: Id, me: Me, svc: Svc) -> RedirectResponse:
    await run_in_threadpool(svc.remove_attachment, me.id, attachment_id)
    return RedirectResponse(f"/drafts/{draft_id}#attachments", status_code=303)
