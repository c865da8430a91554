"""API routers, one per resource. Routes only translate HTTP to review-service calls."""

from __future__ import annotations

from typing import Any

from pubguard.api.schemas import ErrorOut

_DESCRIPTIONS = {
    400: "请求格式有误",
    401: "未登录或令牌无效",
    403: "没有权限（角色不符、审核本人稿件、其他站点的稿件、CSRF 令牌缺失）",
    404: "资源不存在",
    409: "状态冲突（版本已过期 stale_version、步骤已被他人处理、发布条件不满足 gate_closed）",
    413: "上传内容过大",
    422: "参数或文件无效",
    429: "登录尝试过于频繁",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": ErrorOut, "description": _DESCRIPTIONS.get(c, "错误")} for c in codes}


COMMON = errors(401, 403, 404, 422)
ACTION = errors(401, 403, 404, 409, 422)


def attachment_headers(filename: str, *, no_store: bool = False) -> dict[str, str]:
    """Content-Disposition for a download, RFC 6266/5987 form so Chinese file names survive."""
    from urllib.parse import quote

    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return headers
