"""Pages of 值班读网 (`/duty`: roster, open items with re-check and close forms, daily re-scan,
XLSX log) and of the release register (`/register`: filters, table, XLSX). Thin adapters over
the same service methods as the JSON API (`routers/duty.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypedDict
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.schemas import MAX_ID
from pubguard.api.ui import _text, page
from pubguard.review import InvalidInput, ReviewService
from pubguard.review.duty import DUTY_ROLES, OUTCOMES
from pubguard.review.readmodels import SiteView

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _duty_sites(me: Principal, svc: ReviewService) -> list[SiteView]:
    sites = svc.list_sites()
    if me.user.get("is_admin"):
        return sites
    mine = {r["site"] for r in me.user.get("roles", []) if r["role"] in DUTY_ROLES}
    return [s for s in sites if s["key"] in mine or "*" in mine]


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class _RegisterFilters(TypedDict):
    """The filters of the release register page (keyword arguments of `release_register`)."""

    site: str | None
    start: dt.date | None
    end: dt.date | None
    info_class: str | None
    disclosure: str | None
    deadline: str | None


@router.get("/duty")
def duty_page(
    request: Request, me: Me, svc: Svc, site: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    sites = _duty_sites(me, svc)
    key = site or (sites[0]["key"] if sites else None)
    items, roster = [], []
    if key:
        today = svc.today()
        items = svc.list_duty_items(me.id, key, limit=300)
        roster = svc.roster(me.id, key, today, today + dt.timedelta(days=6))
    return page(
        request, me, "duty.html", sites=sites, site=key, items=items, roster=roster, outcomes=OUTCOMES
    )


def _back(site: str) -> RedirectResponse:
    return RedirectResponse(f"/duty?site={quote(site)}", status_code=303)


@router.post("/duty/{item_id}/recheck")
async def duty_recheck(request: Request, item_id: ItemId, me: Me, svc: Svc) -> RedirectResponse:
    item = await run_in_threadpool(svc.recheck_item, me.id, item_id)
    return _back(item["site"])


@router.post("/duty/{item_id}/close")
async def duty_close(request: Request, item_id: ItemId, me: Me, svc: Svc) -> RedirectResponse:
    form = await request.form()
    item = await run_in_threadpool(
        lambda: svc.close_duty_item(
            me.id,
            item_id,
            found=_text(form, "found"),
            outcome=_text(form, "outcome", 16),
            withdraw_reason=_text(form, "reason"),
        )
    )
    return _back(item["site"])


@router.post("/duty/run")
async def duty_run(request: Request, me: Me, svc: Svc) -> RedirectResponse:
    form = await request.form()
    site = _text(form, "site", 64)
    await run_in_threadpool(svc.run_duty_now, me.id, site)
    return _back(site)


@router.post("/duty/roster")
async def duty_roster(request: Request, me: Me, svc: Svc) -> RedirectResponse:
    form = await request.form()
    site = _text(form, "site", 64)
    day = _date(_text(form, "date", 10))
    if day is None:
        raise InvalidInput("请填写值班日期。")
    users = [u for u in _text(form, "users", 500).replace("，", ",").split(",") if u.strip()]
    await run_in_threadpool(svc.set_roster, me.id, site, day, [u.strip() for u in users])
    return _back(site)


REGISTER_PER_PAGE = 100


@router.get("/register")
def register_page(
    request: Request,
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    start: Annotated[str | None, Query(max_length=10)] = None,
    end: Annotated[str | None, Query(max_length=10)] = None,
    info_class: Annotated[str | None, Query(max_length=32)] = None,
    disclosure: Annotated[str | None, Query(max_length=16)] = None,
    deadline: Annotated[str | None, Query(max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    filters: _RegisterFilters = {
        "site": site or None,
        "start": _date(start),
        "end": _date(end),
        "info_class": info_class or None,
        "disclosure": disclosure or None,
        "deadline": deadline if deadline in ("met", "missed") else None,
    }
    rows = svc.release_register(me.id, limit=20_000, **filters)
    term = (q or "").strip()
    if term:  # title (文号 in it) or 栏目
        rows = [r for r in rows if term in f"{r['title']} {r['column']}"]
    query = "&".join(f"{k}={quote(str(v))}" for k, v in filters.items() if v)
    list_query = "&".join(x for x in (query, f"q={quote(term)}" if term else "") if x)
    offset = (page_no - 1) * REGISTER_PER_PAGE
    pager = {"page": page_no, "has_prev": page_no > 1, "has_next": len(rows) > offset + REGISTER_PER_PAGE}
    total, rows = len(rows), rows[offset : offset + REGISTER_PER_PAGE]
    return page(
        request,
        me,
        "register.html",
        rows=rows,
        sites=svc.list_sites(),
        classes=svc.info_classes(),
        filters={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()}
        | {"q": term},
        query=query,
        list_query=list_query,
        pager=pager,
        total=total,
    )
