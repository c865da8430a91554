"""Web UI of 依申请公开: the register list with the statutory limits (reminders, overdue marks),
the registration form, a request page with one form per action (补正, 征求意见, 延期, 关联稿件,
区分处理, 答复, 告知书) and the register view with the applicant. Forms call the same library
methods as the JSON API and redirect back."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.listing import Sort, list_view
from pubguard.api.schemas import MAX_ID
from pubguard.api.ui import _int, _text, page
from pubguard.labels import FOI_STATUS
from pubguard.review import InvalidInput, ReviewService
from pubguard.review.foi import answer_types, config

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
FoiId = Annotated[int, Path(ge=1, le=MAX_ID)]

DONE = {
    "register": "申请已登记。",
    "correction": "已告知补正，答复期限暂停计算。",
    "correction_received": "已登记收到补正，答复期限重新计算。",
    "consultation": "已登记征求意见，答复期限暂停计算。",
    "consultation_end": "征求意见已结束，答复期限继续计算。",
    "extend": "已批准延期答复，请出具延期答复告知书。",
    "link": "已关联稿件。",
    "release": "区分处理稿已生成并送审。",
    "answer": "已答复，请出具告知书。",
}


def _foi_sites(me: Principal, svc: ReviewService) -> list[str]:
    if me.user.get("is_admin"):
        return [s["key"] for s in svc.list_sites()]
    return sorted({r["site"] for r in me.user.get("roles", []) if r["role"] in ("foi", "foi_head")} - {"*"})


def _day(form: Any, name: str) -> dt.date | None:
    raw = _text(form, name, 10)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。") from exc


FOI_SORTS = {
    "newest": Sort("最新登记", lambda r: (r["received_on"], r["id"]), reverse=True),
    "oldest": Sort("最早登记", lambda r: (r["received_on"], r["id"])),
    "due": Sort(
        "最近期限",
        lambda r: (min((x["due"] or "9999") for x in r["limits"]) if r["limits"] else "9999", r["id"]),
    ),
    "number": Sort("编号", lambda r: r["number"]),
}


@router.get("/foi")
def foi_list(
    request: Request,
    me: Me,
    svc: Svc,
    done: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str | None, Query(max_length=16)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    sites = _foi_sites(me, svc)
    view = list_view(
        [dict(r) for r in svc.list_foi(me.id, limit=2000)],
        q=q,
        fields=("number", "description", "channel_label", "applicant_kind_label"),
        status=status,
        statuses=FOI_STATUS,
        sort=sort,
        sorts=FOI_SORTS,
        page=page_no,
    )
    return page(
        request,
        me,
        "foi_list.html",
        todo=svc.list_foi(me.id, todo=True),
        rows=view["rows"],
        view=view,
        reminders=svc.foi_reminders(me.id),
        sites=sites,
        channels=config()["channels"],
        kinds=config()["applicant_kinds"],
        flash=DONE.get(done or "", ""),
    )


@router.post("/foi/new")
async def foi_new(request: Request, me: Me, svc: Svc) -> Response:
    form = await request.form()
    r = await run_in_threadpool(
        svc.register_foi,
        me.id,
        _text(form, "site", 64),
        description=_text(form, "description", 10000),
        applicant={k: _text(form, k, 300) for k in ("name", "id_number", "phone", "address", "email")},
        applicant_kind=_text(form, "applicant_kind", 20) or "natural",
        channel=_text(form, "channel", 20) or "online",
        received_on=_day(form, "received_on"),
    )
    return RedirectResponse(f"/foi/{r['id']}?done=register", status_code=303)


@router.get("/annual-report")
def annual_report_page(
    request: Request,
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    sites = _foi_sites(me, svc)
    site = site or (sites[0] if sites else None)
    year = year or svc.today().year - (
        svc.today().month < 7
    )  # the report is on the year before until mid-year
    report = svc.annual_report(me.id, site, year) if site else None
    return page(request, me, "annual_report.html", report=report, sites=sites, site=site, year=year)


@router.get("/foi/{foi_id}")
def foi_page(
    request: Request,
    foi_id: FoiId,
    me: Me,
    svc: Svc,
    done: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    r = svc.get_foi(me.id, foi_id)
    candidates = svc.foi_candidate_drafts(me.id, foi_id, q) if r["status"] != "answered" else []
    return page(
        request,
        me,
        "foi_request.html",
        r=r,
        candidates=candidates,
        q=q,
        answers={k: v["label"] for k, v in answer_types().items()},
        flash=DONE.get(done or "", ""),
    )


@router.post("/foi/{foi_id}/do/{action}")
async def foi_action(
    request: Request, foi_id: FoiId, action: Annotated[str, Path(max_length=24)], me: Me, svc: Svc
) -> Response:
    form = await request.form()
    uid = me.id
    calls = {
        "correction": lambda: svc.request_correction(uid, foi_id, _text(form, "items"), on=_day(form, "on")),
        "correction_received": lambda: svc.receive_correction(uid, foi_id, on=_day(form, "on")),
        "consultation": lambda: svc.start_consultation(
            uid, foi_id, party=_text(form, "party", 200), on=_day(form, "on")
        ),
        "consultation_end": lambda: svc.end_consultation(
            uid, foi_id, result=_text(form, "result", 500), on=_day(form, "on")
        ),
        "extend": lambda: svc.extend_foi(
            uid, foi_id, _int(form, "days", required=True) or 0, _text(form, "reason", 2000)
        ),
        "link": lambda: svc.foi_link_draft(uid, foi_id, _int(form, "draft_id", required=True) or 0),
        "release": lambda: svc.foi_prepare_release(
            uid, foi_id, {"mask_preset": _text(form, "mask_preset", 16) or "site"}
        ),
        "answer": lambda: svc.answer_foi(
            uid, foi_id, _text(form, "answer_type", 32), note=_text(form, "note"), on=_day(form, "on")
        ),
    }
    if action not in calls:
        raise InvalidInput("未知的操作。")
    await run_in_threadpool(calls[action])
    return RedirectResponse(f"/foi/{foi_id}?done={action}", status_code=303)


@router.get("/foi/{foi_id}/register")
def foi_register_page(request: Request, foi_id: FoiId, me: Me, svc: Svc) -> HTMLResponse:
    response = page(request, me, "foi_register.html", r=svc.foi_register(me.id, foi_id))
    response.headers["Cache-Control"] = "no-store"
    return response
