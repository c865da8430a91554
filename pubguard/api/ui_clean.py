"""The draft page's "生成清理稿" form: one form adapter that calls the same service method as
the JSON API (`make_clean_version`) and answers with the re-rendered draft body, like the
other buttons of the page (see `pubguard.api.ui`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.schemas import MAX_ID
from pubguard.api.ui import _flash_header, _int, _text, draft_context, page
from pubguard.review import ReviewService

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
DraftId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/drafts/{draft_id}/clean")
async def clean_copy(request: Request, draft_id: DraftId, me: Me, svc: Svc) -> HTMLResponse:
    form = await request.form()
    options = {
        "mask_preset": _text(form, "mask_preset", 16) or "site",
        "drop_columns": _text(form, "drop_columns", 5) in ("1", "true", "on"),
        "revisions": _text(form, "revisions", 16) or "accept",
    }
    version_id = _int(form, "version_id", required=True)
    version = await run_in_threadpool(
        svc.make_clean_version, me.id, draft_id, version_id, options, scan=False
    )
    request.app.state.pool.notify()
    if "hx-request" not in request.headers:  # plain form post (no JavaScript): back to the page
        return RedirectResponse(f"/drafts/{draft_id}#versions", status_code=303)  # type: ignore[return-value]
    ctx = await run_in_threadpool(draft_context, request, svc, me, draft_id)
    response = page(request, me, "_draft_body.html", **ctx)
    clean = version["clean"]  # a clean copy's version always has its report
    verdict = "复查后可提交发布审核" if clean and clean["releasable"] else "复查仍有问题，不可发布"
    response.headers["HX-Trigger"] = _flash_header(f"已生成清理稿（第{version['number']}版），{verdict}。")
    return response
