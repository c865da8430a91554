"""Drafts: list (my queue, step, site, status, overdue), create by upload (the scan is queued
as a durable job and the request returns at once), detail, important flag, archive export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON, errors
from pubguard.api.schemas import MAX_ID, DraftDetail, DraftSummary, ImportantIn, UploadOut
from pubguard.api.uploads import checked_upload
from pubguard.review import ReviewService
from pubguard.review.queries import version_meta
from pubguard.review.readmodels import DraftDetailView, DraftSummaryView, VersionView

router = APIRouter(tags=["稿件"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
DraftId = Annotated[int, Path(ge=1, le=MAX_ID, description="稿件编号")]


def upload_response(
    request: Request, svc: ReviewService, me: Principal, draft_id: int, version: VersionView
) -> dict:
    """After an upload: wake the workers, answer with the draft, the version and its job."""
    request.app.state.pool.notify()
    meta = version_meta(svc, me.id, version["id"])
    return {
        "draft": svc.get_draft(me.id, draft_id),
        "version": meta,
        "job": meta["job"],
    }


@router.get("/drafts", response_model=list[DraftSummary], responses=COMMON, summary="稿件列表（含我的待办）")
def list_drafts(
    me: Me,
    svc: Svc,
    queue: Annotated[bool, Query(description="只看我的待办：当前步骤轮到我处理，或退回给我的稿件")] = False,
    mine: Annotated[bool, Query(description="只看我创建的稿件")] = False,
    site: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        Literal["draft", "in_review", "approved", "released", "withdrawn", "archived"] | None, Query()
    ] = None,
    step: Annotated[str | None, Query(max_length=32, description="当前步骤，如 proof1、review2")] = None,
    overdue: Annotated[bool | None, Query(description="true 只看超期；false 只看未超期")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[DraftSummaryView]:
    return svc.list_drafts(
        me.id,
        site=site,
        status=status,
        step=step,
        overdue=overdue,
        mine=mine,
        queue=queue,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/drafts",
    response_model=UploadOut,
    status_code=202,
    responses=errors(401, 403, 404, 413, 422),
    summary="上传新稿件（检查在后台排队进行）",
)
def create_draft(
    request: Request,
    me: Me,
    svc: Svc,
    file: Annotated[UploadFile, File(description="稿件文件（PDF、DOCX、XLSX、图片、网页、文本）")],
    site: Annotated[str, Form(min_length=1, max_length=64)],
    title: Annotated[str, Form(min_length=1, max_length=500)],
    column: Annotated[str, Form(max_length=200)] = "",
    important: Annotated[bool, Form()] = False,
    formed_on: Annotated[
        dt.date | None, Form(description="信息形成日期（默认今天），用于计算公开时限")
    ] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> dict:
    name, stream, _fmt = checked_upload(file, request.app.state.settings.max_upload_bytes)
    draft = svc.create_draft(
        me.id,
        site,
        title.replace("\x00", ""),
        column=column.replace("\x00", ""),
        data=stream,
        filename=name,
        important=important,
        formed_on=formed_on,
        note=note.replace("\x00", ""),
        scan=False,
    )
    version = next(v for v in draft["versions"] if v["id"] == draft["current_version_id"])
    return upload_response(request, svc, me, draft["id"], version)


@router.get("/drafts/{draft_id}", response_model=DraftDetail, responses=COMMON, summary="稿件详情")
def get_draft(draft_id: DraftId, me: Me, svc: Svc) -> DraftDetailView:
    return svc.get_draft(me.id, draft_id)


@router.put(
    "/drafts/{draft_id}/important", response_model=DraftDetail, responses=ACTION, summary="设置重要信息标记"
)
def set_important(draft_id: DraftId, body: ImportantIn, me: Me, svc: Svc) -> DraftDetailView:
    return svc.set_important(me.id, draft_id, body.important)


@router.get(
    "/drafts/{draft_id}/archive.zip",
    responses={200: {"content": {"application/zip": {}}, "description": "归档包"}, **COMMON},
    summary="导出归档（全部版本、检查结果、决定、意见、审计）",
)
def export_archive(draft_id: DraftId, me: Me, svc: Svc) -> Response:
    data = svc.export_archive(me.id, draft_id)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="draft-{draft_id}-archive.zip"'},
    )
