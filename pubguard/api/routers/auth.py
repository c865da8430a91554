"""Login (session cookie for the UI, bearer tokens for scripts), logout, the current user,
and user administration (the review library decides who may create whom)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from pubguard.api.deps import Principal, csrf_for, current_principal, get_service
from pubguard.api.errors import ApiError
from pubguard.api.routers import COMMON, errors
from pubguard.api.schemas import LoginIn, LoginOut, MeOut, SiteOut, TokenIn, TokenOut, UserCreateIn, UserOut
from pubguard.api.security import SESSION_COOKIE, csrf_token
from pubguard.review import PermissionDenied, ReviewService
from pubguard.review.readmodels import SiteView, UserView

router = APIRouter(tags=["认证与用户"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, svc: ReviewService, username: str, password: str) -> UserView:
    """Password check behind the login throttle (per user name + client address)."""
    throttle = request.app.state.throttle
    ip = client_ip(request)
    wait = throttle.retry_after(username, ip)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"登录失败次数过多，请 {max(1, wait // 60)} 分钟后再试。",
            {"retry_after": wait},
            headers={"Retry-After": str(wait)},
        )
    user = svc.authenticate(username, password)
    if user is None:
        throttle.failed(username, ip)
        raise ApiError(401, "bad_credentials", "用户名或密码错误。")
    throttle.succeeded(username, ip)
    return user


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


@router.post(
    "/auth/login", response_model=LoginOut, responses=errors(401, 422, 429), summary="登录（会话 Cookie）"
)
def login(body: LoginIn, request: Request, response: Response, svc: Svc) -> LoginOut:
    user = authenticate(request, svc, body.username, body.password)
    token = svc.issue_token(user["id"], kind="session", ttl=request.app.state.settings.session_ttl)
    set_session_cookie(request, response, token)
    return LoginOut(user=UserOut.model_validate(user), csrf_token=csrf_token(request.app.state.secret, token))


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses=errors(401, 422, 429),
    summary="获取脚本用的 Bearer 令牌",
)
def issue_token(body: TokenIn, request: Request, svc: Svc) -> TokenOut:
    user = authenticate(request, svc, body.username, body.password)
    ttl = dt.timedelta(days=body.ttl_days) if body.ttl_days else request.app.state.settings.api_token_ttl
    token = svc.issue_token(user["id"], kind=body.scope, ttl=ttl)
    return TokenOut(token=token, expires_in_days=ttl.days)


@router.post(
    "/auth/logout", status_code=204, responses=errors(401, 403), summary="注销（吊销当前会话或令牌）"
)
def logout(me: Me, svc: Svc) -> Response:
    svc.revoke_token(me.token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me", response_model=MeOut, responses=errors(401), summary="当前用户")
def whoami(request: Request, me: Me) -> MeOut:
    return MeOut(user=UserOut.model_validate(me.user), via=me.via, csrf_token=csrf_for(request, me))


@router.get(
    "/users", response_model=list[UserOut], responses=errors(401, 403), summary="用户列表（系统管理员）"
)
def list_users(me: Me, svc: Svc) -> list[UserView]:
    if not me.user.get("is_admin"):
        raise PermissionDenied("只有系统管理员可以查看用户列表。")
    return svc.list_users()


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
    summary="创建用户",
)
def create_user(body: UserCreateIn, me: Me, svc: Svc) -> UserView:
    return svc.create_user(
        body.username,
        display_name=body.display_name,
        password=body.password,
        is_admin=body.is_admin,
        roles=[(r.site, r.role) for r in body.roles],
        actor=me.id,
    )


@router.get("/sites", response_model=list[SiteOut], responses=COMMON, summary="站点列表")
def list_sites(me: Me, svc: Svc) -> list[SiteView]:
    return svc.list_sites()
