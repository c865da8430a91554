"""Versions: upload a fix (a new version, scanned by a background job), version and job status,
the stored file, rendered pages (PNG), layout and text, and the text diff between versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.documents import PERSONAL_CATEGORY, Boxes, personal_boxes, text_diff
from pubguard.api.routers import COMMON, attachment_headers, errors
from pubguard.api.routers.drafts import DraftId, upload_response
from pubguard.api.schemas import MAX_ID, DiffOut, JobOut, ScanStatusOut, UploadOut, VersionOut
from pubguard.api.uploads import checked_upload
from pubguard.review import NotFound, ReviewService
from pubguard.review.queries import job_status, version_meta
from pubguard.review.readmodels import JobStatusView, VersionMetaView, VersionView

router = APIRouter(tags=["版本与检查"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
VersionId = Annotated[int, Path(ge=1, le=MAX_ID, description="版本编号")]

PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}}, "description": "页面图像"}}


def version_layout(
    request: Request, svc: ReviewService, me: Principal, version_id: int
) -> tuple[VersionMetaView, dict]:
    """(version meta, layout) — the file is read only when the layout is not cached yet."""
    meta = version_meta(svc, me.id, version_id)
    views = request.app.state.views

    def load() -> bytes:
        return svc.get_version_file(me.id, version_id)[1]

    return meta, views.layout(meta["sha256"], meta["filename"], load, stored_mask(svc, me, meta))


def stored_mask(svc: ReviewService, me: Principal, meta: VersionMetaView) -> Boxes:
    """Boxes of the personal values the version's scan located (OCR included): painted over
    in the cached page images as well as those the layout pass finds itself."""
    if meta.get("scan_status") != "ok":
        return {}
    found = svc.list_findings(me.id, meta["draft_id"], meta["id"], include_fixed=False)
    return personal_boxes(f for f in found if f.get("category") == PERSONAL_CATEGORY)


def version_text(request: Request, svc: ReviewService, me: Principal, version_id: int) -> tuple[dict, str]:
    """(`{text, source}` the diff compares, the file's sha256): see `DocumentViews.diff_text`."""
    meta = version_meta(svc, me.id, version_id)

    def load() -> bytes:
        return svc.get_version_file(me.id, version_id)[1]

    views = request.app.state.views
    return views.diff_text(meta["sha256"], meta["filename"], load, stored_mask(svc, me, meta)), meta["sha256"]


@router.get(
    "/drafts/{draft_id}/versions", response_model=list[VersionOut], responses=COMMON, summary="版本历史"
)
def list_versions(draft_id: DraftId, me: Me, svc: Svc) -> list[VersionView]:
    return svc.get_draft(me.id, draft_id)["versions"]


@router.post(
    "/drafts/{draft_id}/versions",
    response_model=UploadOut,
    status_code=202,
    responses=errors(401, 403, 404, 409, 413, 422),
    summary="上传修改后的新版本",
)
def upload_version(
    request: Request,
    draft_id: DraftId,
    me: Me,
    svc: Svc,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> dict:
    name, stream, _fmt = checked_upload(file, request.app.state.settings.max_upload_bytes)
    version = svc.upload_version(me.id, draft_id, name, stream, note=note.replace("\x00", ""), scan=False)
    return upload_response(request, svc, me, draft_id, version)


@router.get(
    "/versions/{version_id}", response_model=VersionOut, responses=COMMON, summary="版本信息与检查状态"
)
def get_version(version_id: VersionId, me: Me, svc: Svc) -> VersionMetaView:
    return version_meta(svc, me.id, version_id)


@router.get(
    "/versions/{version_id}/status",
    response_model=ScanStatusOut,
    responses=COMMON,
    summary="检查状态（轮询用）",
)
def scan_status(version_id: VersionId, me: Me, svc: Svc) -> dict:
    meta = version_meta(svc, me.id, version_id)
    return {
        "version_id": meta["id"],
        "draft_id": meta["draft_id"],
        "scan_status": meta["scan_status"],
        "scan_error": meta["scan_error"],
        "job": meta["job"],
    }


@router.get("/jobs/{job_id}", response_model=JobOut, responses=COMMON, summary="后台检查任务")
def get_job(job_id: Annotated[int, Path(ge=1, le=MAX_ID)], me: Me, svc: Svc) -> JobStatusView:
    return job_status(svc, me.id, job_id)


@router.get(
    "/versions/{version_id}/file",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "原文件"}, **COMMON},
    summary="下载原文件",
)
def download(version_id: VersionId, me: Me, svc: Svc) -> Response:
    filename, data = svc.get_version_file(me.id, version_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers=attachment_headers(filename),
    )


@router.get("/versions/{version_id}/layout", responses=COMMON, summary="页面布局（页数、尺寸、能否渲染）")
def layout(request: Request, version_id: VersionId, me: Me, svc: Svc) -> dict:
    meta, lay = version_layout(request, svc, me, version_id)
    return {"version_id": meta["id"], "format": lay["format"], "pages": lay["pages"], "error": lay["error"]}


@router.get(
    "/versions/{version_id}/text", response_class=PlainTextResponse, responses=COMMON, summary="抽取的全文"
)
def text(request: Request, version_id: VersionId, me: Me, svc: Svc) -> str:
    return version_layout(request, svc, me, version_id)[1]["text"]


@router.get(
    "/versions/{version_id}/pages/{number}.png", responses={**PNG, **COMMON}, summary="页面图像（PNG）"
)
def page_png(
    request: Request,
    version_id: VersionId,
    number: Annotated[int, Path(ge=1, le=100_000)],
    me: Me,
    svc: Svc,
) -> Response:
    meta = version_meta(svc, me.id, version_id)
    png = request.app.state.views.page_png(
        meta["sha256"],
        meta["filename"],
        lambda: svc.get_version_file(me.id, version_id)[1],
        number,
        stored_mask(svc, me, meta),
    )
    if png is None:
        raise NotFound("该页不存在或此格式没有版式（如 DOCX），请查看文本视图。")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.get("/drafts/{draft_id}/diff", response_model=DiffOut, responses=COMMON, summary="两个版本的文本差异")
def diff(
    request: Request,
    draft_id: DraftId,
    me: Me,
    svc: Svc,
    from_version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    to_version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict:
    return version_diff(request, svc, me, draft_id, from_version, to_version)


def version_diff(
    request: Request, svc: ReviewService, me: Principal, draft_id: int, a: int | None, b: int | None
) -> dict:
    """Default: the previous version against the current one."""
    draft = svc.get_draft(me.id, draft_id)
    ids = [v["id"] for v in draft["versions"]]
    if not ids:
        raise NotFound("稿件还没有上传文件。")
    b = b or draft["current_version_id"] or ids[-1]
    if b not in ids:
        raise NotFound("该稿件没有这个版本。")
    if a is None:
        a = ids[ids.index(b) - 1] if ids.index(b) > 0 else b
    if a not in ids:
        raise NotFound("该稿件没有这个版本。")
    number = {v["id"]: v["number"] for v in draft["versions"]}
    ta, sha_a = version_text(request, svc, me, a)
    tb, sha_b = version_text(request, svc, me, b)
    d = text_diff(ta["text"], tb["text"], f"第{number[a]}版", f"第{number[b]}版")
    sources = {ta["source"], tb["source"]}
    return {
        "from_version_id": a,
        "to_version_id": b,
        "from_number": number[a],
        "to_number": number[b],
        "unified": d["unified"],
        "rows": d["rows"],
        "added": d["added"],
        "removed": d["removed"],
        # where the compared text came from: "text" (the file's text), "ocr" (a scan or picture
        # read by OCR), "ocr_missing" (a picture whose words could not be read: no OCR engine)
        "text_source": "ocr_missing" if "ocr_missing" in sources else "ocr" if "ocr" in sources else "text",
        "same_file": sha_a == sha_b,
    }
