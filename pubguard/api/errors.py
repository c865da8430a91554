"""Errors as `{code, message, details}` with Chinese messages, in one place: review-layer errors
keep their own code and HTTP status (the library decided them), request validation and HTTP
errors are translated, anything unexpected becomes a 500 without internals. Pages of the web
UI get the same message as HTML (a fragment for htmx requests)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pubguard.errors import PubGuardError
from pubguard.review.errors import ReviewError

log = logging.getLogger("pubguard.api")

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式有误。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "没有权限执行此操作。"),
    404: ("not_found", "请求的资源不存在。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    406: ("not_acceptable", "不支持请求的响应格式。"),
    409: ("conflict", "操作冲突，请刷新后重试。"),
    411: ("length_required", "上传请求须注明内容长度（Content-Length）。"),
    413: ("too_large", "上传内容过大。"),
    415: ("unsupported_media_type", "不支持该请求内容类型。"),
    422: ("invalid", "请求参数有误。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    500: ("internal", "服务器内部错误，请稍后重试。"),
}

_VALIDATION_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段",
    "string_too_short": "内容过短或为空",
    "string_too_long": "内容过长",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "bool_parsing": "须为是/否",
    "bool_type": "须为是/否",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "string_type": "须为文本",
    "value_error": "取值无效",
    "list_type": "须为列表",
    "float_parsing": "须为数字",
    "int_from_float": "须为整数",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "项目过多",
    "uuid_parsing": "格式不正确",
}


class ApiError(Exception):
    """An error decided by the HTTP layer itself (authentication, CSRF, throttling, upload)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _respond(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    if not _wants_html(request):
        return JSONResponse(body, status_code=status, headers=headers)
    if status == 401 and request.method == "GET" and "hx-request" not in request.headers:
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)
    from pubguard.api.templating import render_error

    html = render_error(request, status, body, fragment="hx-request" in request.headers)
    return HTMLResponse(html, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        kind = str(err.get("type", ""))
        errors.append(
            {"field": ".".join(loc), "type": kind, "message": _VALIDATION_MESSAGES.get(kind, "取值无效")}
        )
    return {"errors": errors}


NUL_MESSAGE = "输入中含有不允许的空字符（NUL，\\x00），请删除后重试。"


def _nul_error(exc: BaseException) -> bool:
    """A NUL character that reached the database driver (PostgreSQL text cannot hold it)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        text = str(current)
        if "NUL" in text and ("0x00" in text or "cannot contain" in text or "null character" in text.lower()):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


class NulGuard:
    """422 with a Chinese message for a NUL byte in the path, the query string or a
    url-encoded form — before any route (and the database) sees it. NULs elsewhere (JSON, a
    multipart text field) that reach PostgreSQL are answered the same way by the error handler."""

    def __init__(self, app: Any, max_form_bytes: int = 1024 * 1024):
        self.app = app
        self.max_form_bytes = max_form_bytes

    @staticmethod
    def _has_nul(raw: bytes) -> bool:
        return b"\x00" in raw or b"%00" in raw.lower()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._has_nul(scope.get("query_string", b"")) or "\x00" in scope.get("path", ""):
            await self._refuse(scope, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if ctype != b"application/x-www-form-urlencoded":
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_form_bytes:
                break
        body = b"".join(chunks)
        if self._has_nul(body):
            await self._refuse(scope, send)
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Any, send: Any) -> None:
        import json

        payload = json.dumps(error_body("invalid", NUL_MESSAGE), ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ReviewError)
    async def _review(request: Request, exc: ReviewError) -> Response:
        return _respond(request, exc.http_status, exc.to_dict())

    @app.exception_handler(PubGuardError)
    async def _pubguard(request: Request, exc: PubGuardError) -> Response:
        status = 413 if exc.code == "too_large" else 422
        return _respond(request, status, error_body(exc.code, exc.message))

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, error_body(exc.code, exc.message, exc.details), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = _validation_details(exc)
        fields = "、".join(sorted({e["field"] for e in details["errors"] if e["field"]}))
        message = "请求参数有误" + (f"：{fields}。" if fields else "。")
        return _respond(request, 422, error_body("invalid", message, details))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理。"))
        if exc.status_code == 400 and isinstance(exc.detail, str) and "parsing the body" in exc.detail:
            message = "请求内容无法解析（格式错误或上传中断）。"
        return _respond(request, exc.status_code, error_body(code, message), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if _nul_error(exc):
            return _respond(request, 422, error_body("invalid", NUL_MESSAGE))
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        code, message = HTTP_MESSAGES[500]
        return _respond(request, 500, error_body(code, message))
