"""The Chinese web UI: server-rendered pages (Jinja2) with htmx for partial updates.

Pages read through the review service and every button posts to a thin form adapter here that
calls the same service method as the JSON API, so the UI holds no workflow rule. Actions on the
draft page answer with the re-rendered draft body; errors (403, 409 …) come back as a fragment
that htmx shows in the message bar."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any, Literal, overload
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import (
    Principal,
    check_csrf,
    csrf_for,
    current_principal,
    get_service,
    resolve_principal,
)
from pubguard.api.documents import boxes_for_page, highlighted_text
from pubguard.api.errors import ApiError
from pubguard.api.routers.auth import authenticate, set_session_cookie
from pubguard.api.routers.versions import version_diff, version_layout
from pubguard.api.schemas import MAX_ID
from pubguard.api.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from pubguard.api.templating import render
from pubguard.review import ATTRIBUTES, InvalidInput, ReviewService
from pubguard.review.errors import ReviewError
from pubguard.review.gate import STATUS_LABELS
from pubguard.review.queries import sites_with_role
from pubguard.review.readmodels import JobView, StepView

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
DraftId = Annotated[int, Path(ge=1, le=MAX_ID)]

FLASH = {
    "submit": "已送审。",
    "claim": "已领取当前步骤。",
    "approve": "已审核通过。",
    "reject": "已退回。",
    "recall": "已撤回送审。",
    "release": "已发布到网站。",
    "withdraw": "已撤稿。",
    "archive": "已归档。",
    "disclosure": "公开属性已保存。",
    "comment": "意见已提交。",
    "important": "重要信息标记已更新。",
    "info_class": "信息类别已保存，审批流程已按类别调整。",
    "link_interp": "已关联政策解读。",
    "unlink_interp": "已解除政策解读关联。",
    "reassign": "已转交。",
    "decide": "已记录决定。",
}


def page(
    request: Request, me: Principal | None, template: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    if me is not None and not template.startswith("_") and "unread" not in ctx:  # 消息 count in the header
        svc = request.app.state.service
        ctx["unread"] = svc.unread_notifications(me.id)
        ctx.setdefault("mail_on", bool(svc.settings.smtp_host))
        # key → display name, from the sites table (the one home of site names; drafts carry site_name)
        ctx.setdefault("site_names", {s["key"]: s["name"] or s["key"] for s in svc.list_sites()})
    html = render(template, request=request, user=me.user if me else None, csrf=csrf_for(request, me), **ctx)
    return HTMLResponse(html, status_code=status)


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


# ---------------------------------------------------------------- login


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    if resolve_principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)  # type: ignore[return-value]
    return _login_form(request, next)


def _login_form(
    request: Request, next_url: str | None, error: str = "", status: int = 200, username: str = ""
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = page(
        request,
        None,
        "login.html",
        status,
        login_csrf=token,
        next=_safe_next(next_url),
        error=error,
        username=username,
    )
    settings = request.app.state.settings
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/login",
    )
    return response


@router.post("/login")
async def login_submit(request: Request, svc: Svc) -> Response:
    form = await request.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:256]
    next_url = str(form.get("next") or "")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not secrets.compare_digest(cookie, str(form.get("csrf_token") or "")):
        return _login_form(request, next_url, "页面已过期，请重新登录。", 403, username)
    try:
        user = await run_in_threadpool(authenticate, request, svc, username, password)
    except ApiError as exc:
        return _login_form(request, next_url, exc.message, exc.status, username)
    token = await run_in_threadpool(
        svc.issue_token, user["id"], kind="session", ttl=request.app.state.settings.session_ttl
    )
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(me: Me, svc: Svc) -> Response:
    svc.revoke_token(me.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- lists


@router.get("/fonts/cjk.ttf")
def cjk_font() -> Response:
    """PyMuPDF's built-in CJK font as a web font: Chinese renders even on machines without CJK
    system fonts (browsers fetch it only when no earlier font in the stack has the glyphs)."""
    import pymupdf

    return Response(
        bytes(pymupdf.Font("china-s").buffer),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=604800"},
    )


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(
    request: Request,
    me: Me,
    svc: Svc,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    from pubguard.review.views import DRAFT_SORT_LABELS

    sort = sort if sort in DRAFT_SORT_LABELS else "updated"
    todo = svc.list_drafts(me.id, queue=True, q=q, sort=sort, limit=200)
    mine = svc.list_drafts(me.id, mine=True, limit=50) if me.has_role("editor") else []
    messages = svc.list_messages(me.id, todo=True, limit=200)  # 政民互动 waiting for me
    foi = svc.foi_reminders(me.id)  # 依申请公开 limits close or past
    return page(
        request,
        me,
        "queue.html",
        todo=todo,
        mine=mine,
        messages=messages,
        foi=foi,
        filters={"q": q, "sort": sort},
        sorts=DRAFT_SORT_LABELS,
    )


PER_PAGE = 50


def pager(page_no: int, rows: list[Any], per_page: int) -> dict[str, Any]:
    """Page `page_no` of a list fetched with one row more than a page: whether there is a next."""
    return {"page": page_no, "has_prev": page_no > 1, "has_next": len(rows) > per_page, "per_page": per_page}


@router.get("/drafts")
def drafts(
    request: Request,
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    column: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    bulk: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    from pubguard.review.views import DRAFT_SORT_LABELS

    status = status if status in STATUS_LABELS else None
    sort = sort if sort in DRAFT_SORT_LABELS else "updated"
    flag = True if overdue == "1" else None
    rows = svc.list_drafts(
        me.id, site=site or None, status=status, overdue=flag, q=q, column=column or None, sort=sort,
        limit=PER_PAGE + 1, offset=(page_no - 1) * PER_PAGE,
    )  # fmt: skip
    filters = {"site": site, "status": status, "overdue": overdue, "q": q, "column": column, "sort": sort}
    admin = bool(me.user.get("is_admin")) or me.has_role("admin")
    return page(
        request,
        me,
        "drafts.html",
        drafts=rows[:PER_PAGE],
        pager=pager(page_no, rows, PER_PAGE),
        sites=svc.list_sites(),
        sorts=DRAFT_SORT_LABELS,
        filters=filters,
        query=urlencode({k: v for k, v in filters.items() if v and not (k == "sort" and v == "updated")}),
        bulk=admin or me.has_role("publisher"),
        bulk_message=bulk,
        users=svc.list_users() if admin else [],
    )


BULK_ACTIONS = {"archive": "归档", "assign": "指派当前步骤"}


@router.post("/drafts/bulk")
async def drafts_bulk(request: Request, me: Me, svc: Svc) -> Response:
    """Bulk 归档 / 指派 on the drafts chosen in a list: each draft goes through the same
    service call (and its permission and state checks) as the single action; the message says
    how many were done and why the others were not."""
    form = await request.form()
    action = str(form.get("bulk_action") or "")
    if action not in BULK_ACTIONS:
        raise ApiError(400, "invalid_input", "请选择批量操作。")
    ids = [int(v) for v in form.getlist("draft") if isinstance(v, str) and v.isdigit()][:PER_PAGE]
    if not ids:
        raise ApiError(400, "invalid_input", "请先勾选稿件。")
    assignee = str(form.get("assignee") or "").strip() or None
    done, failed = 0, []
    for draft_id in ids:
        try:
            if action == "archive":
                await run_in_threadpool(svc.archive, me.id, draft_id, str(form.get("comment") or "批量归档"))
            else:
                d = await run_in_threadpool(svc.get_draft, me.id, draft_id)
                if not d["active_step"]:
                    raise InvalidInput("稿件不在审核中，没有可指派的步骤。")
                await run_in_threadpool(svc.reassign, me.id, draft_id, d["active_step"]["key"], assignee)
            done += 1
        except ReviewError as exc:
            failed.append(f"#{draft_id}：{exc}")
    text = f"{BULK_ACTIONS[action]}：完成 {done} 件" + (
        f"，未完成 {len(failed)} 件（{'；'.join(failed)}）" if failed else "。"
    )
    back = _safe_next(str(form.get("next") or "/drafts"))
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}bulk={quote(text)}", status_code=303)


@router.get("/upload")
def upload_page(request: Request, me: Me, svc: Svc) -> HTMLResponse:
    sites = sites_with_role(svc, me.id, "editor")
    return page(
        request,
        me,
        "upload.html",
        sites=sites,
        max_mb=request.app.state.settings.max_upload_bytes // (1024 * 1024),
    )


# ---------------------------------------------------------------- the draft page


def draft_context(request: Request, svc: ReviewService, me: Principal, draft_id: int) -> dict[str, Any]:
    d = svc.get_draft(me.id, draft_id)
    current = next((v for v in d["versions"] if v["id"] == d["current_version_id"]), None)
    findings = d["findings"]
    pages: list[dict[str, Any]] = []
    text_html = None
    layout_error = None
    if current is not None and current["scan_status"] != "pending":
        _, lay = version_layout(request, svc, me, current["id"])
        layout_error = lay["error"]
        for p in lay["pages"]:
            if p["image"]:
                pages.append(
                    dict(
                        p,
                        url=f"/api/v1/versions/{current['id']}/pages/{p['number']}.png",
                        boxes=boxes_for_page(p, findings),
                    )
                )
        if not pages and lay["text"]:
            text_html = highlighted_text(lay["text"], findings, lay.get("blocks"))
    roles = me.roles_on(d["site"])
    active = d["active_step"]
    to_steps = [
        s for s in d["steps"] if active and s["key"] != active["key"] and _before(d["steps"], s, active)
    ]
    numbered = [dict(f, index=n) for n, f in enumerate(findings, 1)]
    return {
        "d": d,
        "current": current,
        "attachments": svc.list_attachments(me.id, draft_id),
        "findings": numbered,
        # 待处理: undecided, and confirmed 须修改 but still in this version (not yet fixed)
        "open_count": sum(1 for f in findings if f["status"] in ("open", "confirmed")),
        "confirmed_count": sum(1 for f in findings if f["status"] == "confirmed"),
        "pages": pages,
        "text_html": text_html,
        "layout_error": layout_error,
        "accept_levels": [lv for lv in (1, 2, 3) if f"reviewer{lv}" in roles],
        "can_unmask": svc.may_unmask(me.id, draft_id),
        "to_steps": to_steps,
        "attributes": ATTRIBUTES,
        "audit": svc.audit_log(me.id, draft_id=draft_id, limit=300),
        "is_proofreader": "proofreader" in roles,
    }


def _before(steps: list[StepView], step: StepView, active: StepView) -> bool:
    keys = [s["key"] for s in steps]
    return keys.index(step["key"]) < keys.index(active["key"])


@router.get("/drafts/{draft_id}")
def draft_page(request: Request, draft_id: DraftId, me: Me, svc: Svc) -> HTMLResponse:
    ctx = draft_context(request, svc, me, draft_id)  # may refuse (404) before anything is marked
    svc.mark_notifications_read(me.id, draft_id=draft_id)  # opening the draft reads its 消息
    return page(request, me, "draft.html", **ctx)


@router.get("/drafts/{draft_id}/body")
def draft_body(request: Request, draft_id: DraftId, me: Me, svc: Svc) -> HTMLResponse:
    return page(request, me, "_draft_body.html", **draft_context(request, svc, me, draft_id))


def scan_pages(job: JobView | None) -> dict[str, Any] | None:
    """What the status line shows of a running job's page progress (pubguard.progress)."""
    from pubguard.progress import STAGE_LABELS, bar_value

    total = job["pages_total"] if job and job["status"] == "running" else None
    if not job or not total:
        return None
    done, stage = job["pages_done"] or 0, job["pages_stage"] or "read"
    return {
        "done": done,
        "total": total,
        "stage": STAGE_LABELS.get(stage, ""),
        "value": bar_value(done, total, stage),
        "max": 2 * total,
    }


@router.get("/drafts/{draft_id}/scan-status")
def scan_status(request: Request, draft_id: DraftId, me: Me, svc: Svc) -> HTMLResponse:
    d = svc.get_draft(me.id, draft_id)
    current = next((v for v in d["versions"] if v["id"] == d["current_version_id"]), None)
    pages = None
    if current is not None and current["scan_status"] == "pending":
        from pubguard.review.queries import version_meta

        pages = scan_pages(version_meta(svc, me.id, current["id"])["job"])
    response = page(request, me, "_scan_status.html", d=d, current=current, pages=pages)
    if current is not None and current["scan_status"] != "pending":
        response.headers["HX-Trigger"] = "scan-done"
    return response


@overload
def _int(form: Any, name: str, *, required: Literal[True]) -> int: ...


@overload
def _int(form: Any, name: str, *, required: bool = False) -> int | None: ...


def _int(form: Any, name: str, *, required: bool = False) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(f"缺少参数：{name}。")
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise InvalidInput(f"参数无效：{name}。")
    return int(raw)


def _text(form: Any, name: str, limit: int = 5000) -> str:
    return str(form.get(name) or "").replace("\x00", "")[:limit]


def _run_action(svc: ReviewService, me: Principal, draft_id: int, action: str, form: Any) -> None:
    """Map one form to one service call; the service decides whether it is allowed."""
    uid = me.id
    step_key = _text(form, "step_key", 32) or None
    if action == "submit":
        svc.submit(
            uid,
            draft_id,
            _int(form, "version_id"),
            _text(form, "comment"),
            acknowledge_blockers=bool(form.get("acknowledge_blockers")),  # the page warned
        )
    elif action == "claim":
        svc.claim(uid, draft_id, step_key)
    elif action == "approve":
        svc.approve(
            uid,
            draft_id,
            _int(form, "version_id", required=True),
            step_key=step_key,
            comment=_text(form, "comment"),
        )
    elif action == "reject":
        svc.reject(
            uid,
            draft_id,
            _int(form, "version_id", required=True),
            _text(form, "comment"),
            to_step=_text(form, "to_step", 32) or None,
            step_key=step_key,
        )
    elif action == "recall":
        svc.recall(uid, draft_id, _text(form, "comment"))
    elif action == "release":
        svc.release(uid, draft_id, _int(form, "version_id"))
    elif action == "withdraw":
        svc.withdraw(uid, draft_id, _text(form, "reason"))
    elif action == "archive":
        svc.archive(uid, draft_id, _text(form, "comment"))
    elif action == "disclosure":
        svc.set_disclosure(
            uid,
            draft_id,
            _text(form, "attribute", 16),
            basis=_text(form, "basis"),
            reason=_text(form, "reason"),
        )
    elif action == "info_class":
        svc.set_info_class(uid, draft_id, _text(form, "info_class", 32), reason=_text(form, "reason"))
    elif action == "link_interp":
        svc.link_interpretation(uid, draft_id, _int(form, "interpretation_id", required=True))
    elif action == "unlink_interp":
        svc.unlink_interpretation(uid, draft_id, _text(form, "reason"))
    elif action == "comment":
        kind = "correction" if _text(form, "kind", 16) == "correction" else "comment"
        svc.add_comment(uid, draft_id, _text(form, "body"), kind=kind, step_key=step_key)
    elif action == "important":
        svc.set_important(uid, draft_id, _text(form, "important", 5) in ("1", "true", "on"))
    elif action == "reassign":
        svc.reassign(uid, draft_id, step_key or "", _text(form, "assignee", 64) or None)
    else:
        raise ApiError(404, "not_found", "未知操作。")


def _flash_header(message: str) -> str:
    return json.dumps({"pg-flash": message})  # ASCII (\u escapes): safe in an HTTP header


@router.post("/drafts/{draft_id}/do/{action}")
async def draft_action(
    request: Request, draft_id: DraftId, action: Annotated[str, Path(max_length=20)], me: Me, svc: Svc
) -> HTMLResponse:
    form = await request.form()
    await run_in_threadpool(_run_action, svc, me, draft_id, action, form)
    if action == "archive":  # its cached pages and text go with it
        await run_in_threadpool(request.app.state.views.sweep)
    if "hx-request" not in request.headers:  # plain form post (no JavaScript): back to the page
        return RedirectResponse(f"/drafts/{draft_id}", status_code=303)  # type: ignore[return-value]
    ctx = await run_in_threadpool(draft_context, request, svc, me, draft_id)
    response = page(request, me, "_draft_body.html", **ctx)
    response.headers["HX-Trigger"] = _flash_header(FLASH.get(action, "已完成。"))
    return response


@router.post("/drafts/{draft_id}/findings/{finding_id}/decide")
async def decide(
    request: Request, draft_id: DraftId, finding_id: Annotated[int, Path(ge=1, le=MAX_ID)], me: Me, svc: Svc
) -> HTMLResponse:
    form = await request.form()
    level = _int(form, "level")
    await run_in_threadpool(
        svc.decide_finding,
        me.id,
        finding_id,
        _text(form, "decision", 20),
        reason=_text(form, "reason"),
        level=level,
    )
    if "hx-request" not in request.headers:
        return RedirectResponse(f"/drafts/{draft_id}#finding-{finding_id}", status_code=303)  # type: ignore[return-value]
    ctx = await run_in_threadpool(draft_context, request, svc, me, draft_id)
    response = page(request, me, "_draft_body.html", **ctx)
    response.headers["HX-Trigger"] = _flash_header(FLASH["decide"])
    return response


REVEAL_SECONDS = 60  # the page hides a revealed value again after this long


@router.post("/drafts/{draft_id}/findings/{finding_id}/reveal")
async def reveal(
    request: Request, draft_id: DraftId, finding_id: Annotated[int, Path(ge=1, le=MAX_ID)], me: Me, svc: Svc
) -> HTMLResponse:
    """One personal value in full (authority + reason, audited): a fragment never cached."""
    form = await request.form()
    out = await run_in_threadpool(svc.reveal_value, me.id, finding_id, _text(form, "reason", 2000))
    response = page(request, me, "_revealed.html", value=out["value"], seconds=REVEAL_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@router.get("/drafts/{draft_id}/diff")
def diff_page(
    request: Request,
    draft_id: DraftId,
    me: Me,
    svc: Svc,
    a: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    b: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    d = svc.get_draft(me.id, draft_id)
    diff = version_diff(request, svc, me, draft_id, a, b)
    side_by_side = []  # scans and pictures: the first pages of both versions next to each other
    if diff["text_source"] != "text":
        for vid in (diff["from_version_id"], diff["to_version_id"]):
            _, lay = version_layout(request, svc, me, vid)
            side_by_side.append(
                [
                    {
                        "number": p["number"],
                        "url": f"/api/v1/versions/{vid}/pages/{p['number']}.png",
                        **p["image"],
                    }
                    for p in lay["pages"][:DIFF_PAGES]
                    if p["image"]
                ]
            )
    return page(request, me, "diff.html", d=d, diff=diff, side_by_side=side_by_side)


DIFF_PAGES = 3  # pages of each version shown side by side in the diff of scans


@router.get("/audit")
def audit_page(
    request: Request,
    me: Me,
    svc: Svc,
    action: Annotated[str | None, Query(max_length=64)] = None,
    by: Annotated[str | None, Query(max_length=100)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    from pubguard.labels import AUDIT_ACTION

    per_page = 100
    entries = svc.audit_log(
        me.id, limit=per_page + 1, offset=(page_no - 1) * per_page, action=action or None, by=by or None
    )
    newest_first = list(reversed(entries))
    verification = svc.verify_audit().to_dict()
    filters = {"action": action, "by": by}
    return page(
        request,
        me,
        "audit.html",
        entries=newest_first[:per_page],
        pager=pager(page_no, entries, per_page),
        verification=verification,
        filters=filters,
        query=urlencode({k: v for k, v in filters.items() if v}),
        actions=AUDIT_ACTION,
        users=svc.list_users(),
    )


@router.get("/drafts/{draft_id}/sheet")
def sheet_redirect(draft_id: DraftId) -> RedirectResponse:
    return RedirectResponse(f"/api/v1/drafts/{draft_id}/sheet.html", status_code=303)


__all__ = ["router", "check_csrf", "quote"]
