"""Users, roles per site, passwords, tokens and sites."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pubguard.review.base import (
    _SITE_KEY,
    Actor,
    ServiceBase,
)
from pubguard.review.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from pubguard.review.models import (
    AuthToken,
    LoginFailure,
    RoleGrant,
    Site,
    User,
)
from pubguard.review.passwords import hash_password, new_token, token_hash, verify_password
from pubguard.review.publish import target_from_config
from pubguard.review.readmodels import SessionUserView, SiteView, UserView
from pubguard.review.workflow import ROLES, load_workflow


class AccountsMixin(ServiceBase):
    def _require_user_admin(self, session: Session, actor: Actor | None, sites: Iterable[str]) -> User | None:
        """`actor=None` is the local operator (CLI with database access)."""
        user = self._user(session, actor, required=False)
        if user is None or user.is_admin:
            return user
        for site in sites:
            if site == "*" or "admin" not in self._roles(user, site):
                raise PermissionDenied(f"{user.label} 不是站点「{site}」的管理员，不能管理用户。")
        return user

    def create_user(
        self,
        username: str,
        *,
        display_name: str = "",
        password: str | None = None,
        is_admin: bool = False,
        roles: Iterable[tuple[str, str]] = (),
        actor: Actor | None = None,
        email: str = "",
    ) -> UserView:
        """Create a user with roles `[(site, role), ...]` (site "*" = every site). `email`:
        where 消息 are e-mailed when SMTP is configured (never in audit details or logs)."""
        username = username.strip()
        if not re.match(r"^[\w.@-]{1,64}$", username):
            raise InvalidInput("用户名只能包含字母、数字、下划线、点、@ 和连字符，长度 1–64。")
        roles = list(roles)
        for _, role in roles:
            if role not in ROLES:
                raise InvalidInput(f"角色无效：{role}。可选：{'、'.join(ROLES)}。")
        with self.db.write() as s:
            admin = self._require_user_admin(s, actor, [site for site, _ in roles] or ["*"])
            if is_admin and admin is not None and not admin.is_admin:
                raise PermissionDenied("只有系统管理员可以创建系统管理员。")
            if s.execute(select(User.id).where(User.username == username)).first():
                raise Conflict(f"用户名「{username}」已存在。")
            for site, _ in roles:
                if site != "*" and s.get(Site, site) is None:
                    raise NotFound(f"站点不存在：{site}。")
            user = User(
                username=username,
                display_name=display_name,
                password_hash=hash_password(password) if password else None,
                is_admin=is_admin,
                email=_check_email(email),
                created_at=self.now(),
            )
            user.grants = [RoleGrant(site=site, role=role) for site, role in set(roles)]
            s.add(user)
            s.flush()
            self._audit(
                s,
                admin,
                "user.create",
                details={"user": username, "is_admin": is_admin, "roles": sorted(set(roles))},
            )
            return user.to_dict()

    def grant_role(self, username: str, site: str, role: str, *, actor: Actor | None = None) -> UserView:
        if role not in ROLES:
            raise InvalidInput(f"角色无效：{role}。")
        with self.db.write() as s:
            admin = self._require_user_admin(s, actor, [site])
            user = self._user(s, username)
            if site != "*" and s.get(Site, site) is None:
                raise NotFound(f"站点不存在：{site}。")
            if not any(g.site == site and g.role == role for g in user.grants):
                user.grants.append(RoleGrant(site=site, role=role))
                self._audit(
                    s, admin, "role.grant", details={"user": user.username, "site": site, "role": role}
                )
            s.flush()
            return user.to_dict()

    def revoke_role(self, username: str, site: str, role: str, *, actor: Actor | None = None) -> UserView:
        with self.db.write() as s:
            admin = self._require_user_admin(s, actor, [site])
            user = self._user(s, username)
            for g in list(user.grants):
                if g.site == site and g.role == role:
                    user.grants.remove(g)
                    self._audit(
                        s, admin, "role.revoke", details={"user": user.username, "site": site, "role": role}
                    )
            s.flush()
            return user.to_dict()

    def set_password(self, username: str, password: str, *, actor: Actor | None = None) -> None:
        if len(password) < 8:
            raise InvalidInput("密码至少 8 位。")
        with self.db.write() as s:
            user = self._user(s, username)
            me = self._user(s, actor, required=False)
            if me is not None and me.id != user.id:
                self._require_user_admin(s, actor, {g.site for g in user.grants} or {"*"})
            user.password_hash = hash_password(password)
            for t in s.execute(select(AuthToken).where(AuthToken.user_id == user.id)).scalars():
                t.revoked_at = t.revoked_at or self.now()
            self._audit(s, me, "user.password", details={"user": user.username})

    def set_user_active(self, username: str, active: bool, *, actor: Actor | None = None) -> UserView:
        with self.db.write() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None:
                raise NotFound(f"用户不存在：{username}。")
            admin = self._require_user_admin(s, actor, {g.site for g in user.grants} or {"*"})
            user.is_active = active
            self._audit(
                s, admin, "user.activate" if active else "user.deactivate", details={"user": username}
            )
            s.flush()
            return user.to_dict()

    def set_user_email(self, username: str, email: str, *, actor: Actor | None = None) -> UserView:
        """Set (or clear, with "") the address 消息 are e-mailed to. The audit entry names the user,
        never the address."""
        with self.db.write() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None:
                raise NotFound(f"用户不存在：{username}。")
            admin = self._require_user_admin(s, actor, {g.site for g in user.grants} or {"*"})
            user.email = _check_email(email)
            self._audit(s, admin, "user.email", details={"user": username, "set": bool(user.email)})
            s.flush()
            return user.to_dict()

    def authenticate(self, username: str, password: str) -> UserView | None:
        """The user's dict when the password matches an active account, else None. An unknown
        name (or an account without password) costs one scrypt too, so the answer time does not
        tell which names exist."""
        with self.db.read() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            stored = user.password_hash if user is not None and user.password_hash else None
            ok = verify_password(password, stored or _dummy_hash())
            if user is None or stored is None or not user.is_active or not ok:
                return None
            return user.to_dict()

    def login_retry_after(
        self, username: str, ip: str, *, max_failures: int, max_per_ip: int, window: float
    ) -> int:
        """Seconds until another login attempt is allowed (0: now), from the failures stored in
        the database — the same answer in every server process and after a restart."""
        name, since = username.strip().lower()[:100], self.now() - dt.timedelta(seconds=window)
        with self.db.read() as s:
            waits = []
            for cond, limit in (
                ((LoginFailure.username == name) & (LoginFailure.ip == ip[:64]), max_failures),
                ((LoginFailure.ip == ip[:64]), max_per_ip),
            ):
                rows = (
                    s.execute(
                        select(LoginFailure.at)
                        .where(cond, LoginFailure.at > since)
                        .order_by(LoginFailure.at.desc())
                        .limit(limit)
                    )
                    .scalars()
                    .all()
                )
                if len(rows) >= limit:
                    waits.append((rows[-1] - since).total_seconds())
            return max(1, int(max(waits)) + 1) if waits else 0

    def login_failed(self, username: str, ip: str, *, window: float) -> None:
        now = self.now()
        with self.db.write() as s:
            s.add(LoginFailure(username=username.strip().lower()[:100], ip=ip[:64], at=now))
            s.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(seconds=window)))

    def login_succeeded(self, username: str, ip: str) -> None:
        with self.db.write() as s:
            s.execute(
                delete(LoginFailure).where(
                    LoginFailure.username == username.strip().lower()[:100], LoginFailure.ip == ip[:64]
                )
            )

    def issue_token(self, actor: Actor, *, kind: str = "session", ttl: dt.timedelta | None = None) -> str:
        """A new opaque token for `actor` (returned once; only its hash is stored)."""
        token = new_token()
        with self.db.write() as s:
            user = self._user(s, actor)
            now = self.now()
            s.add(
                AuthToken(
                    user_id=user.id,
                    token_hash=token_hash(token),
                    kind=kind,
                    created_at=now,
                    expires_at=now + ttl if ttl else None,
                )
            )
            if kind != "session":
                self._audit(s, user, "token.issue", details={"kind": kind})
        return token

    def resolve_token(self, token: str) -> SessionUserView | None:
        with self.db.read() as s:
            row = s.execute(
                select(AuthToken).where(AuthToken.token_hash == token_hash(token))
            ).scalar_one_or_none()
            if row is None or row.revoked_at is not None:
                return None
            if row.expires_at is not None and row.expires_at <= self.now():
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.is_active:
                return None
            return {**user.to_dict(), "token_kind": row.kind}

    def revoke_token(self, token: str) -> None:
        with self.db.write() as s:
            row = s.execute(
                select(AuthToken).where(AuthToken.token_hash == token_hash(token))
            ).scalar_one_or_none()
            if row is not None and row.revoked_at is None:
                row.revoked_at = self.now()

    def get_user(self, actor: Actor) -> UserView:
        with self.db.read() as s:
            return self._user(s, actor).to_dict()

    def list_users(self) -> list[UserView]:
        with self.db.read() as s:
            return [u.to_dict() for u in s.execute(select(User).order_by(User.username)).scalars()]

    def create_site(
        self,
        key: str,
        name: str,
        *,
        workflow: str = "default",
        publish: dict[str, Any] | None = None,
        columns: Iterable[str] = (),
        actor: Actor | None = None,
    ) -> SiteView:
        if not _SITE_KEY.match(key):
            raise InvalidInput("站点标识只能包含字母、数字、下划线、点和连字符（如 gov-example）。")
        load_workflow(workflow)  # refuse an unknown workflow now, not at the first draft
        target_from_config(publish, self.settings.publish_dir)
        base_url = str((publish or {}).get("base_url") or "")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise InvalidInput("网站地址须以 http:// 或 https:// 开头。")
        with self.db.write() as s:
            admin = self._user(s, actor, required=False)
            if admin is not None and not admin.is_admin:
                raise PermissionDenied("只有系统管理员可以创建站点。")
            if s.get(Site, key) is not None:
                raise Conflict(f"站点「{key}」已存在。")
            site = Site(
                key=key,
                name=name,
                workflow=workflow,
                publish=publish,
                columns=_columns(columns) or None,
                created_at=self.now(),
            )
            s.add(site)
            self._audit(s, admin, "site.create", details={"site": key, "name": name, "workflow": workflow})
            return site.to_dict()

    def set_site_columns(self, key: str, columns: Iterable[str], *, actor: Actor | None = None) -> SiteView:
        """The site's 栏目 list, in menu order (empty: the upload form takes free text)."""
        cols = _columns(columns)
        with self.db.write() as s:
            admin = self._require_user_admin(s, actor, [key])
            site = s.get(Site, key)
            if site is None:
                raise NotFound(f"站点不存在：{key}。")
            site.columns = cols or None
            self._audit(s, admin, "site.columns", details={"site": key, "columns": cols})
            s.flush()
            return site.to_dict()

    def list_sites(self) -> list[SiteView]:
        with self.db.read() as s:
            return [x.to_dict() for x in s.execute(select(Site).order_by(Site.key)).scalars()]


def _columns(columns: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated 栏目 names in order; each 1–200 characters."""
    out = list(dict.fromkeys(c.strip() for c in columns if c and c.strip()))
    if any(len(c) > 200 for c in out):
        raise InvalidInput("栏目名称不能超过 200 个字。")
    return out


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real scrypt hash of nothing anyone knows: unknown user names are checked against it."""
    import secrets

    return hash_password(secrets.token_hex(16))


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if email and not re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}", email):
        raise InvalidInput("电子邮箱格式无效。")
    return email
