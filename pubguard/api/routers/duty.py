"""值班读网 (duty roster, daily re-scan, duty items, XLSX log) and the release register."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON
from pubguard.api.schemas import MAX_ID, Input, ShortText, Text
from pubguard.review import ReviewService

router = APIRouter(tags=["值班读网与发布登记"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
SiteKey = Annotated[str, Path(max_length=64)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterIn(Input):
    users: list[ShortText] = Field(default_factory=list, max_length=50, description="当天值班人员用户名")


class CloseIn(Input):
    found: Text = Field(description="检查发现的情况")
    outcome: Annotated[str, Field(max_length=16)] = Field(description="改正 / 撤稿 / 无问题")
    reason: Text = Field("", description="撤稿原因（默认用检查发现）")


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@router.get("/sites/{site}/duty", responses=COMMON, summary="值班读网日志")
def duty_items(
    site: SiteKey,
    me: Me,
    svc: Svc,
    status: Annotated[str | None, Query(max_length=16)] = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    items = svc.list_duty_items(me.id, site, status=status, start=start, end=end)
    return [dict(it) for it in items]  # no response model: JSON as it was


@router.get("/sites/{site}/duty.xlsx", responses=COMMON, summary="导出值班读网日志（XLSX）")
def duty_xlsx(
    site: SiteKey, me: Me, svc: Svc, start: dt.date | None = None, end: dt.date | None = None
) -> Response:
    return _xlsx(svc.export_duty_log(me.id, site, start=start, end=end), "duty-log.xlsx")


@router.get("/sites/{site}/duty/roster", responses=COMMON, summary="值班表")
def roster(site: SiteKey, me: Me, svc: Svc, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return [dict(r) for r in svc.roster(me.id, site, start, end)]  # no response model: JSON as it was


@router.put("/sites/{site}/duty/roster/{day}", responses=ACTION, summary="排定某天的值班人员（站点管理员）")
def set_roster(site: SiteKey, day: dt.date, body: RosterIn, me: Me, svc: Svc) -> list[dict[str, Any]]:
    rows = svc.set_roster(me.id, site, day, body.users)
    return [dict(r) for r in rows]  # no response model: JSON as it was


@router.post("/sites/{site}/duty/run", responses=ACTION, summary="立即运行每日读网复查")
def run(site: SiteKey, me: Me, svc: Svc) -> dict[str, Any] | None:
    summary = svc.run_duty_now(me.id, site)
    return dict(summary) if summary is not None else None  # no response model: JSON as it was


@router.post("/duty/{item_id}/recheck", responses=ACTION, summary="按今天的规则复查已发布页面")
def recheck(item_id: ItemId, me: Me, svc: Svc) -> dict[str, Any]:
    return dict(svc.recheck_item(me.id, item_id))  # no response model: JSON as it was


@router.post("/duty/{item_id}/close", responses=ACTION, summary="办结值班事项（改正 / 撤稿 / 无问题）")
def close(item_id: ItemId, body: CloseIn, me: Me, svc: Svc) -> dict[str, Any]:
    item = svc.close_duty_item(
        me.id, item_id, found=body.found, outcome=body.outcome, withdraw_reason=body.reason
    )
    return dict(item)  # no response model: JSON as it was


def _filters(
    site: Annotated[str | None, Query(max_length=64)] = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    info_class: Annotated[str | None, Query(max_length=32)] = None,
    disclosure: Annotated[str | None, Query(max_length=16)] = None,
    deadline: Annotated[str | None, Query(max_length=8, description="met 按时 / missed 超期")] = None,
) -> dict[str, Any]:
    return {
        "site": site or None,
        "start": start,
        "end": end,
        "info_class": info_class or None,
        "disclosure": disclosure or None,
        "deadline": deadline or None,
    }


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get("/register", responses=COMMON, summary="发布登记（谁审查谁负责）")
def register(me: Me, svc: Svc, filters: Filters) -> list[dict[str, Any]]:
    return [dict(r) for r in svc.release_register(me.id, **filters)]  # no response model: JSON as it was


@router.get("/register.xlsx", responses=COMMON, summary="导出发布登记（XLSX）")
def register_xlsx(me: Me, svc: Svc, filters: Filters) -> Response:
    return _xlsx(svc.release_register_xlsx(me.id, **filters), "release-register.xlsx")
