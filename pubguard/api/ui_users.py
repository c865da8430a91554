"""用户管理 page for administrators: create users, grant and revoke roles per site (the roles
reviewer1/2/3 are the 审核级别), deactivate and reactivate, reset a password. Every form posts
to the review service's account methods, which check that the actor administers the sites
concerned and write the audit entry (user.create, role.grant/revoke, user.activate/deactivate,
user.password)."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.errors import ApiError
from pubguard.api.ui import page
from pubguard.review import ReviewService
from pubguard.review.workflow import ROLES

router = APIRouter(include_in_schema=False)
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
Username = Annotated[str, Path(max_length=64, pattern=r"^[\w.@-]{1,64}$")]


def _require_admin(me: Principal) -> None:
    if not (me.user.get("is_admin") or me.has_role("admin")):
        raise ApiError(403, "forbidden", "只有管理员可以管理用户。")


def _admin_sites(me: Principal) -> set[str]:
    """The sites `me` administers ("*" for a system administrator)."""
    if me.user.get("is_admin"):
        return {"*"}
    return {r["site"] for r in me.user.get("roles", []) if r["role"] == "admin"}


def _back(message: str, *, error: bool = False) -> RedirectResponse:
    return RedirectResponse(f"/users?{'error' if error else 'msg'}={quote(message)}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


@router.get("/users")
def users_page(
    request: Request,
    me: Me,
    svc: Svc,
    q: Annotated[str | None, Query(max_length=100)] = None,
    role: Annotated[str | None, Query(max_length=32)] = None,
    state: Annotated[str | None, Query(max_length=10)] = None,
    msg: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    _require_admin(me)
    mine = _admin_sites(me)
    users = svc.list_users()
    if "*" not in mine:  # a site administrator sees the people of the sites they administer
        users = [u for u in users if any(r["site"] in mine for r in u.get("roles", []))]
    if q:
        users = [u for u in users if q in u["username"] or q in (u.get("display_name") or "")]
    if role in ROLES:
        users = [u for u in users if any(r["role"] == role for r in u.get("roles", []))]
    if state in ("active", "inactive"):
        users = [u for u in users if bool(u.get("is_active", True)) == (state == "active")]
    sites = [s for s in svc.list_sites() if "*" in mine or s["key"] in mine]
    return page(
        request,
        me,
        "users.html",
        users=users,
        sites=sites,
        site_names={s["key"]: s["name"] for s in svc.list_sites()},
        roles=ROLES,
        filters={"q": q, "role": role, "state": state},
        message=msg,
        error=error,
        can_make_admin=bool(me.user.get("is_admin")),
    )


def _show_once(request: Request, me: Principal, svc: ReviewService, message: str) -> HTMLResponse:
    """A message carrying a password is rendered into the answer, never put in a URL."""
    response = users_page(request, me, svc, msg=message)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/users", response_model=None)
async def create_user(request: Request, me: Me, svc: Svc) -> HTMLResponse | RedirectResponse:
    _require_admin(me)
    f = await _form(request)
    roles = [
        (f.get("site", ""), r) for r in (await request.form()).getlist("role") if isinstance(r, str) and r
    ]
    password = f.get("password") or secrets.token_urlsafe(9)
    user = await run_in_threadpool(
        lambda: svc.create_user(
            f.get("username", ""),
            display_name=f.get("display_name", ""),
            password=password,
            is_admin=f.get("is_admin") == "1",
            roles=roles,
            email=f.get("email", ""),
            actor=me.id,
        )
    )
    if f.get("password"):
        return _back(f"已创建用户 {user['username']}。")
    note = f"已创建用户 {user['username']}，初始密码：{password}（只显示这一次，请转告本人并提醒修改）。"
    return await run_in_threadpool(_show_once, request, me, svc, note)


async def _change_role(
    request: Request, username: str, me: Principal, svc: ReviewService, *, grant: bool
) -> RedirectResponse:
    """授予 and 撤销 post the same form (site, role); the service checks and audits either."""
    _require_admin(me)
    f = await _form(request)
    site, role = f.get("site", ""), f.get("role", "")
    change = svc.grant_role if grant else svc.revoke_role
    await run_in_threadpool(lambda: change(username, site, role, actor=me.id))
    label = ROLES.get(role, role)
    return _back(f"已授予 {username}「{label}」角色。" if grant else f"已撤销 {username} 的「{label}」角色。")


@router.post("/users/{username}/roles")
async def grant_role(request: Request, username: Username, me: Me, svc: Svc) -> RedirectResponse:
    return await _change_role(request, username, me, svc, grant=True)


@router.post("/users/{username}/roles/revoke")
async def revoke_role(request: Request, username: Username, me: Me, svc: Svc) -> RedirectResponse:
    return await _change_role(request, username, me, svc, grant=False)


@router.post("/users/{username}/active")
async def set_active(request: Request, username: Username, me: Me, svc: Svc) -> RedirectResponse:
    _require_admin(me)
    f = await _form(request)
    active = f.get("active") == "1"
    if not active and username == me.user["username"]:
        return _back("不能停用自己的账号。", error=True)
    await run_in_threadpool(lambda: svc.set_user_active(username, active, actor=me.id))
    return _back(f"已{'启用' if active else '停用'}用户 {username}。")


@router.post("/users/{username}/password")
async def reset_password(request: Request, username: Username, me: Me, svc: Svc) -> HTMLResponse:
    _require_admin(me)
    password = secrets.token_urlsafe(9)
    await run_in_threadpool(lambda: svc.set_password(username, password, actor=me.id))
    note = f"已重置 {username} 的密码，临时密码：{password}（只显示这一次；该用户的登录会话已全部失效）。"
    return await run_in_threadpool(_show_once, request, me, svc, note)


@router.post("/users/{username}/email")
async def set_email(request: Request, username: Username, me: Me, svc: Svc) -> RedirectResponse:
    """The address 消息 are e-mailed to (SMTP configured); empty clears it."""
    _require_admin(me)
    f = await _form(request)
    user = await run_in_threadpool(lambda: svc.set_user_email(username, f.get("email", ""), actor=me.id))
    shown = user["email_masked"] or "（已清除，不再发送邮件）"
    return _back(f"已保存 {username} 的邮箱：{shown}")


SiteKey = Annotated[str, Path(max_length=64, pattern=r"^[\w.-]{1,64}$")]


@router.post("/sites/{site}/columns")
async def site_columns(request: Request, site: SiteKey, me: Me, svc: Svc) -> RedirectResponse:
    """The site's 栏目 list, one per line, in menu order (empty: free text on the upload form)."""
    _require_admin(me)
    f = await _form(request)
    columns = [line for line in f.get("columns", "").splitlines() if line.strip()]
    result = await run_in_threadpool(lambda: svc.set_site_columns(site, columns, actor=me.id))
    shown = "、".join(result["columns"]) or "（未设置，上传时自由填写）"
    return _back(f"已保存站点「{result['name']}」的栏目：{shown}")
