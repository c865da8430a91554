"""FastAPI dependencies: the review service, the authenticated principal (cookie or bearer),
CSRF enforcement for cookie sessions and the upload body limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pubguard.api.errors import ApiError
from pubguard.api.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    csrf_matches,
    csrf_token,
)
from pubguard.review import ReviewService
from pubguard.review.readmodels import SessionUserView

CHECK_SCOPE = "check"
CHECK_PATHS = ("/api/v1/check",)


@dataclass
class Principal:
    user: SessionUserView
    token: str
    via: Literal["cookie", "bearer"]

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def username(self) -> str:
        return str(self.user["username"])

    def roles_on(self, site: str) -> set[str]:
        roles = {r["role"] for r in self.user.get("roles", []) if r["site"] in (site, "*")}
        if self.user.get("is_admin"):
            roles.add("admin")
        return roles

    def has_role(self, role: str) -> bool:
        return bool(self.user.get("is_admin") and role == "admin") or any(
            r["role"] == role for r in self.user.get("roles", [])
        )


def get_service(request: Request) -> ReviewService:
    return request.app.state.service


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def resolve_principal(request: Request) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    svc = get_service(request)
    token = _bearer(request)
    via: Literal["cookie", "bearer"] = "bearer"
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        via = "cookie"
    if not token or len(token) > 200:
        return None
    user = svc.resolve_token(token)
    if user is None:
        return None
    if user.get("token_kind") == CHECK_SCOPE and not request.url.path.startswith(CHECK_PATHS):
        return None  # a check-only token opens the check endpoints and nothing else
    principal = Principal(user=user, token=token, via=via)
    request.state.principal = principal
    return principal


async def check_csrf(request: Request, principal: Principal) -> None:
    if principal.via != "cookie" or request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if not given:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not csrf_matches(request.app.state.secret, principal.token, given):
        raise ApiError(403, "csrf", "请求缺少有效的安全令牌（CSRF），请刷新页面后重试。")


async def current_principal(request: Request) -> Principal:
    """The logged-in user; 401 otherwise. Unsafe cookie requests must carry the CSRF token."""
    principal = resolve_principal(request)
    if principal is None:
        raise ApiError(
            401, "unauthorized", "请先登录（会话已过期或令牌无效）。", headers={"WWW-Authenticate": "Bearer"}
        )
    await check_csrf(request, principal)
    return principal


async def optional_principal(request: Request) -> Principal | None:
    return resolve_principal(request)


def csrf_for(request: Request, principal: Principal | None) -> str:
    if principal is None or principal.via != "cookie":
        return ""
    return csrf_token(request.app.state.secret, principal.token)


class BodyLimitMiddleware:
    """Refuses request bodies above `max_bytes` before they are parsed: at once when
    Content-Length says so, otherwise as soon as the counted bytes pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int, file_limit: int | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.file_limit = file_limit or max_bytes  # what the message states (the file limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0 or declared > self.max_bytes:
                await self._refuse(scope, receive, send, declared)
                return
        seen = 0
        limit = self.max_bytes

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, declared: int) -> None:
        from fastapi.responses import JSONResponse

        from pubguard.api.errors import error_body
        from pubguard.errors import size_limit_label

        limit = size_limit_label(self.file_limit)
        if declared < 0:
            body = error_body("bad_request", "请求头 Content-Length 无效。")
            status = 400
        else:
            body = error_body(
                "too_large", f"上传内容过大，文件上限为 {limit}。", {"max_bytes": self.file_limit}
            )
            status = 413
        response = JSONResponse(body, status_code=status, headers={"Connection": "close"})
        await response(scope, receive, send)
