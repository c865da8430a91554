"""Web UI of 政民互动: the message list (with 我的待办 and overdue marks), the registration and
import forms, a message page with one form per action, the register view (受理 staff only), the
statistics page with its XLSX and the published Q&A. Forms post to adapters that call the same
review-library methods as the JSON API and redirect back (plain HTML forms, no rule here)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.listing import Sort, list_view
from pubguard.api.schemas import MAX_ID
from pubguard.api.ui import _int, _text, page
from pubguard.labels import MESSAGE_STATUS
from pubguard.review import InvalidInput, ReviewService
from pubguard.review.interaction import STATUS_LABELS, channels, satisfaction_labels

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID)]

DONE = {
    "receive": "来信已登记。",
    "import": "导入完成。",
    "assign": "已分办。",
    "return": "已退回分办。",
    "reply": "答复已保存。",
    "submit": "答复已提交单位负责人审阅。",
    "approve": "答复已审阅通过。",
    "reject": "答复已退回修改。",
    "publish": "问答已公开。",
    "close": "已办结。",
    "instruct": "领导批示已登记（不公开）。",
}


def _sites(me: Principal, role: str) -> list[str]:
    return sorted({r["site"] for r in me.user.get("roles", []) if r["role"] == role and r["site"] != "*"})


def _staff_sites(me: Principal, svc: ReviewService) -> list[str]:
    if me.user.get("is_admin"):
        return [s["key"] for s in svc.list_sites()]
    return _sites(me, "interaction")


MESSAGE_SORTS = {
    "due": Sort("办理期限", lambda r: (r.get("due") or "9999", r["id"])),
    "newest": Sort("最新来信", lambda r: (r["received_on"], r["id"]), reverse=True),
    "oldest": Sort("最早来信", lambda r: (r["received_on"], r["id"])),
    "number": Sort("编号", lambda r: r["number"]),
}


@router.get("/messages")
def messages_page(
    request: Request,
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    overdue: Annotated[str | None, Query(max_length=5)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    imported: Annotated[int | None, Query(ge=0, le=100000)] = None,
    skipped: Annotated[str | None, Query(max_length=400)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    todo = svc.list_messages(me.id, site or None, todo=True)
    view = list_view(
        [
            dict(m)
            for m in svc.list_messages(
                me.id, site or None, overdue=True if overdue == "1" else None, limit=2000
            )
        ],
        q=q,
        fields=("number", "subject", "type_label", "unit", "channel_label"),
        status=status,
        statuses=MESSAGE_STATUS,
        sort=sort,
        sorts=MESSAGE_SORTS,
        page=page_no,
    )
    rows = view["rows"]
    staff_sites = _staff_sites(me, svc)
    types = svc.message_types(staff_sites[0]).values() if staff_sites else []
    units = {s: svc.list_units(s) for s in staff_sites}
    return page(
        request,
        me,
        "messages.html",
        todo=todo,
        rows=rows,
        staff_sites=staff_sites,
        types=list(types),
        channels=channels(),
        units=units,
        filters={"site": site, "overdue": overdue},
        view=view,
        view_query="&".join(x for x in (view["query"], "overdue=1" if overdue == "1" else "") if x),
        flash=DONE.get(done or "", ""),
        imported=imported,
        skipped=skipped,
    )


@router.post("/messages/new")
async def message_new(request: Request, me: Me, svc: Svc) -> Response:
    form = await request.form()
    accused = _int(form, "accused_unit")
    received = _text(form, "received_on", 10)
    received_at = None
    if received:
        try:
            day = dt.date.fromisoformat(received)
        except ValueError as exc:
            raise InvalidInput("来信日期格式应为 YYYY-MM-DD。") from exc
        received_at = dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    message = await run_in_threadpool(
        svc.receive_message,
        me.id,
        _text(form, "site", 64),
        subject=_text(form, "subject", 500),
        body=_text(form, "body", 20000),
        type=_text(form, "type", 32) or "other",
        channel=_text(form, "channel", 16) or "netizen",
        writer={
            "name": _text(form, "name", 100),
            "phone": _text(form, "phone", 50),
            "address": _text(form, "address", 300),
            "email": _text(form, "email", 200),
            "secrets": _text(form, "secrets", 2000),
        },
        received_at=received_at,
        accused_unit=accused,
        public_consent=_text(form, "public_consent", 5) in ("1", "on", "true"),
        source="form",
    )
    return RedirectResponse(f"/messages/{message['id']}?done=receive", status_code=303)


@router.post("/messages/import")
async def message_import(request: Request, me: Me, svc: Svc) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("请选择要导入的 CSV 或 XLSX 文件。")
    data = await upload.read()
    out = await run_in_threadpool(
        svc.import_messages, me.id, _text(form, "site", 64), data, upload.filename or "import.csv"
    )
    skipped = ",".join(str(e["row"]) for e in out["errors"])[:300]
    return RedirectResponse(
        f"/messages?done=import&imported={out['imported']}&skipped={quote(skipped)}", status_code=303
    )


def _message_context(svc: ReviewService, me: Principal, message_id: int) -> dict[str, Any]:
    m = svc.get_message(me.id, message_id)
    return {
        "m": m,
        "units": svc.list_units(m["site"]) if m["actions"]["assign"] else [],
        "satisfaction": satisfaction_labels(),
        "audit": [
            e
            for e in svc.audit_log(me.id, limit=500)
            if (e.get("details") or {}).get("message_id") == m["id"]
        ]
        if me.user.get("is_admin")
        else [],
    }


@router.get("/messages/{message_id}")
def message_page(
    request: Request,
    message_id: MessageId,
    me: Me,
    svc: Svc,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    ctx = _message_context(svc, me, message_id)
    return page(request, me, "message.html", flash=DONE.get(done or "", ""), **ctx)


@router.post("/messages/{message_id}/do/{action}")
async def message_action(
    request: Request, message_id: MessageId, action: Annotated[str, Path(max_length=20)], me: Me, svc: Svc
) -> Response:
    form = await request.form()
    uid = me.id
    calls = {
        "assign": lambda: svc.assign_message(uid, message_id, _int(form, "unit_id", required=True) or 0),
        "return": lambda: svc.return_message(uid, message_id, _text(form, "reason", 2000)),
        "reply": lambda: svc.draft_reply(uid, message_id, _text(form, "text", 20000)),
        "submit": lambda: svc.draft_reply(uid, message_id, _text(form, "text", 20000), submit=True),
        "approve": lambda: svc.review_reply(
            uid, message_id, approve=True, comment=_text(form, "comment", 2000)
        ),
        "reject": lambda: svc.review_reply(
            uid, message_id, approve=False, comment=_text(form, "comment", 2000)
        ),
        "publish": lambda: svc.publish_message(uid, message_id),
        "close": lambda: svc.close_message(
            uid, message_id, satisfaction=_text(form, "satisfaction", 16) or None
        ),
        "instruct": lambda: svc.add_instruction(
            uid, message_id, _text(form, "leader", 100), _text(form, "body", 20000)
        ),
    }
    if action not in calls:
        raise InvalidInput("未知的操作。")
    await run_in_threadpool(calls[action])
    return RedirectResponse(f"/messages/{message_id}?done={action}", status_code=303)


@router.get("/messages/{message_id}/register")
def register_page(request: Request, message_id: MessageId, me: Me, svc: Svc) -> HTMLResponse:
    m = svc.message_register(me.id, message_id)
    response = page(request, me, "message_register.html", m=m)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/interaction/stats")
def stats_page(
    request: Request,
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> HTMLResponse:
    sites = sorted(
        {r["site"] for r in me.user.get("roles", []) if r["role"] in ("interaction", "admin", "publisher")}
        - {"*"}
    ) or ([s["key"] for s in svc.list_sites()] if me.user.get("is_admin") else [])
    site = site or (sites[0] if sites else None)
    today = svc.today()  # the service clock (Beijing date), as everywhere else
    year = year or today.year
    if month is None and quarter is None:
        month = today.month
    stats = svc.interaction_stats(me.id, site, year, month=month, quarter=quarter) if site else None
    query = (
        f"site={quote(site or '')}&year={year}"
        + (f"&month={month}" if month else "")
        + (f"&quarter={quarter}" if quarter else "")
    )
    return page(
        request,
        me,
        "interaction_stats.html",
        stats=stats,
        sites=sites,
        site=site,
        year=year,
        month=month,
        quarter=quarter,
        xlsx_url=f"/api/v1/interaction/stats.xlsx?{query}",
    )


@router.get("/interaction/qa")
def qa_page(
    request: Request, me: Me, svc: Svc, site: Annotated[str, Query(min_length=1, max_length=64)]
) -> HTMLResponse:
    return page(request, me, "interaction_qa.html", site=site, items=svc.published_messages(site))


__all__ = ["STATUS_LABELS", "router"]
