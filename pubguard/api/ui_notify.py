"""消息 page (issue 18.8): the user's notifications, newest first, with 标为已读 / 全部标为已读;
opening one marks it read and goes to its draft. The header shows the unread count (ui.page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.schemas import MAX_ID
from pubguard.api.ui import page
from pubguard.review import ReviewService

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
NoteId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/notifications")
def notifications_page(request: Request, me: Me, svc: Svc) -> HTMLResponse:
    rows = svc.list_notifications(me.id, limit=200)
    return page(request, me, "notifications.html", notes=rows)


@router.get("/notifications/{note_id}/open")
def open_notification(note_id: NoteId, me: Me, svc: Svc) -> RedirectResponse:
    rows = [n for n in svc.list_notifications(me.id, limit=500) if n["id"] == note_id]
    svc.mark_notifications_read(me.id, [note_id])
    link = rows[0]["link"] if rows and rows[0]["link"].startswith("/") else "/notifications"
    return RedirectResponse(link, status_code=303)


@router.post("/notifications/read")
async def mark_read(request: Request, me: Me, svc: Svc) -> RedirectResponse:
    form = await request.form()
    raw = str(form.get("id") or "").strip()
    ids = [int(raw)] if raw.isdigit() and int(raw) <= MAX_ID else None
    await run_in_threadpool(svc.mark_notifications_read, me.id, ids)
    return RedirectResponse("/notifications", status_code=303)
