"""发布前检查: `POST /api/v1/check` answers "may this go online?" for a CMS or a script without
creating a workflow draft. The body is a file (multipart field `file`), JSON (`content` with
`content_type` text/html or text/plain — the shape a CMS pre-publish webhook sends), or the raw
bytes with their Content-Type. Small inputs are scanned in the request (200); larger ones and
page-rendering formats above the synchronous limit become a job (202) polled at
`GET /api/v1/check/jobs/{id}`. Tokens with scope `check` reach these endpoints and nothing else.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal
from pubguard.api.errors import ApiError
from pubguard.api.routers import errors
from pubguard.finding import Severity

router = APIRouter(tags=["发布前检查"])
Me = Annotated[Principal, Depends(current_principal)]

# Formats answered in the request when small: no page rendering or OCR involved.
_TEXTUAL = {"html", "txt", "csv"}
_NAME_FOR_TYPE = {
    "text/html": "page.html",
    "application/xhtml+xml": "page.html",
    "text/plain": "text.txt",
    "text/csv": "table.csv",
}


class CheckIn(BaseModel):
    """JSON body: what a CMS sends before its own publish button."""

    content: str = Field(description="待检查的内容（HTML 或纯文本）", max_length=20 * 1024 * 1024)
    content_type: Literal["text/html", "text/plain"] = Field("text/html", description="内容类型")
    filename: str | None = Field(None, max_length=255, description="文件名（报告中显示）")
    title: str | None = Field(None, max_length=500, description="标题（一并检查）")
    url: str | None = Field(None, max_length=2000, description="拟发布的网址（只用于报告）")


class CheckOut(BaseModel):
    allowed: bool = Field(description="是否可以发布：没有达到 fail_on 级别的问题且文件可读")
    reason: str = Field(description="中文说明")
    fail_on: str
    max_severity: str | None
    blocking: int = Field(description="达到 fail_on 级别的问题数")
    report: dict[str, Any] = Field(description="pubguard.report/1 报告（只含一个文件，证据已遮蔽）")


class CheckJobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "error"]
    name: str
    status_url: str | None = None
    pages_done: int | None = None
    pages_total: int | None = None
    pages_stage: Literal["read", "analyse"] | None = Field(
        None, description="read 读取内容，analyse 分析图像"
    )
    pages_stage_label: str | None = Field(None, description="阶段的中文名称（显示用）")
    result: CheckOut | None = None
    error: str | None = None


_BODY_DOC = {
    "requestBody": {
        "description": "三选一：multipart 表单字段 file；JSON（CheckIn）；或原始内容（Content-Type 为 text/html、text/plain、application/pdf 等）。",
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "application/json": {"schema": CheckIn.model_json_schema()},
            "text/html": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _read_input(request: Request, name: str | None, max_bytes: int) -> tuple[str, bytes]:
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype == "multipart/form-data":
        from pubguard.api.uploads import checked_upload

        form = await request.form()
        upload = form.get("file")
        fname, stream, _fmt = checked_upload(upload, max_bytes)  # type: ignore[arg-type]
        return name or fname, stream.read()
    raw = await request.body()
    if ctype == "application/json":
        try:
            body = CheckIn.model_validate_json(raw)
        except ValidationError as exc:
            raise ApiError(
                422, "invalid", "JSON 内容不符合要求。", {"errors": json.loads(exc.json())}
            ) from None
        if "\x00" in body.content:
            raise ApiError(422, "invalid", "内容不能包含空字符。")
        text = body.content
        if body.title:
            text = (
                f"<h1>{body.title}</h1>\n" if body.content_type == "text/html" else body.title + "\n"
            ) + text
        default = _NAME_FOR_TYPE[body.content_type]
        return name or body.filename or default, text.encode("utf-8")
    return name or _NAME_FOR_TYPE.get(ctype, "upload"), raw


@router.post(
    "/check",
    response_model=CheckOut,
    responses={
        202: {"model": CheckJobOut, "description": "内容较大，已排队检查"},
        **errors(401, 403, 413, 422),
    },
    summary="发布前检查（不创建稿件）",
    openapi_extra=_BODY_DOC,
)
async def check(
    request: Request,
    me: Me,
    fail_on: Annotated[Severity, Query(description="达到该级别即不允许发布")] = Severity.HIGH,
    name: Annotated[str | None, Query(max_length=255, description="文件名（报告中显示）")] = None,
    wait: Annotated[bool | None, Query(description="true：无论大小都在请求内完成；false：总是排队")] = None,
) -> Any:
    settings = request.app.state.settings
    fname, data = await _read_input(request, name, settings.max_upload_bytes)
    if not data:
        raise ApiError(422, "empty", "内容为空，没有可检查的内容。")
    if len(data) > settings.max_upload_bytes:
        mb = settings.max_upload_bytes // (1024 * 1024)
        raise ApiError(
            413, "too_large", f"内容过大，超过上限 {mb} MB。", {"max_bytes": settings.max_upload_bytes}
        )
    from pubguard.errors import PubGuardError
    from pubguard.extract.sniff import sniff_format

    try:
        fmt = sniff_format(data, fname)
    except PubGuardError as exc:
        raise ApiError(422, exc.code, f"内容无法检查：{exc.message}") from exc
    jobs = request.app.state.check_jobs
    small = len(data) <= settings.check_sync_max_bytes
    inline = (
        wait
        if wait is not None
        else (small and (fmt in _TEXTUAL or len(data) <= settings.check_sync_max_bytes // 4))
    )
    if inline:
        from pubguard.api.checks import check_outcome

        result = await run_in_threadpool(jobs.scan, data, fname, settings.scan_config)
        return check_outcome(result, fail_on)
    job_id = jobs.submit(data, fname, fail_on, me.id)
    url = f"/api/v1/check/jobs/{job_id}"
    body = {"id": job_id, "status": "queued", "name": fname, "status_url": url}
    return JSONResponse(body, status_code=202, headers={"Location": url})


@router.get(
    "/check/jobs/{job_id}",
    response_model=CheckJobOut,
    response_model_exclude_none=True,
    responses=errors(401, 403, 404),
    summary="排队检查的进度和结果",
)
def check_job(job_id: str, request: Request, me: Me) -> Any:
    state = request.app.state.check_jobs.get(job_id, me.id)
    if state is None:
        raise ApiError(404, "not_found", "检查任务不存在或已过期。")
    state.pop("owner", None)
    state["status_url"] = f"/api/v1/check/jobs/{job_id}"
    return state
