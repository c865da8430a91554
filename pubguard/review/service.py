"""The review service: every operation of the workflow, with its rules, in one place.

The CLI and the web API call these methods and nothing else, so no rule (who may approve, what
may be released) lives in a route. Each method is one transaction: the state change and its
audit entry commit together or not at all. Methods take the acting user (id or username) first
and return plain dicts (JSON-ready) rather than ORM objects.

Concurrency: writers lock the draft row (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
SQLite) and `Draft.lock_version` guards against lost updates; whoever loses a race gets
`Conflict` with a Chinese message. Actions name the version they were looked at on; a stale
version is refused with `StaleVersion`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from pubguard.errors import PubGuardError
from pubguard.finding import Finding, Severity
from pubguard.review import audit
from pubguard.review.db import Database
from pubguard.review.deadlines import Deadline, compute_deadline
from pubguard.review.errors import (
    Conflict,
    GateClosed,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    ReviewError,
    StaleVersion,
)
from pubguard.review.gate import (
    DECISION_LABELS,
    PUBLIC,
    STATUS_LABELS,
    WITHHELD,
    normalise_attribute,
    public_conflicts,
    release_blockers,
)
from pubguard.review.models import (
    AuthToken,
    Comment,
    Draft,
    DraftStep,
    FindingRow,
    Job,
    Release,
    RoleGrant,
    Site,
    User,
    Version,
    utcnow,
)
from pubguard.review.passwords import hash_password, new_token, token_hash, verify_password
from pubguard.review.publish import PublishItem, PublishTarget, safe_filename, target_from_config
from pubguard.review.settings import ReviewSettings
from pubguard.review.store import FileStore
from pubguard.review.workflow import ROLES, WorkflowDef, load_workflow
from pubguard.scan import FileResult

log = logging.getLogger("pubguard.review")

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))
Actor = int | str
Scanner = Callable[..., FileResult]

DECISIONS = ("confirmed", "false_positive", "accepted")
REVIEW_ROLES = ("reviewer1", "reviewer2", "reviewer3")
DECIDER_ROLES = ("proofreader", *REVIEW_ROLES)
UPLOADABLE = ("draft", "in_review", "approved", "released", "withdrawn")
JOB_MAX_ATTEMPTS = 3
JOB_STALE_AFTER = dt.timedelta(minutes=15)
_SITE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class TooLargeUpload(InvalidInput):
    code = "too_large"
    http_status = 413


def draft_identity(draft_id: int) -> str:
    """The document identity given to the scanner: fingerprints stay stable across versions."""
    return f"draft-{draft_id}"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class ReviewService:
    def __init__(
        self,
        settings: ReviewSettings | None = None,
        *,
        scanner: Scanner | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        migrate: bool = True,
    ):
        self.settings = settings or ReviewSettings()
        self.db = Database(self.settings.resolved_database_url())
        if migrate:
            self.db.migrate()
        self.store = FileStore(self.settings.files_dir)
        self._scanner = scanner
        self.clock = clock or utcnow

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> ReviewService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone(CHINA_TZ).date()

    def _scan(self, data: bytes, filename: str, draft_id: int, scanner: Scanner | None) -> FileResult:
        scan = scanner or self._scanner
        if scan is None:
            from pubguard.scan import scan_bytes as scan
        return scan(data, filename, self.settings.scan_config, identity=draft_identity(draft_id))

    @staticmethod
    def _user(session: Session, actor: Actor | None, *, required: bool = True) -> User | None:
        if actor is None:
            if required:
                raise PermissionDenied("需要登录用户才能执行此操作。")
            return None
        if isinstance(actor, User):
            actor = actor.id
        if isinstance(actor, int):
            user = session.get(User, actor)
        else:
            user = session.execute(select(User).where(User.username == actor)).scalar_one_or_none()
        if user is None:
            raise NotFound(f"用户不存在：{actor}。")
        if not user.is_active:
            raise PermissionDenied(f"账号「{user.username}」已停用。")
        return user

    @staticmethod
    def _roles(user: User, site: str) -> set[str]:
        roles = {g.role for g in user.grants if g.site in (site, "*")}
        if user.is_admin:
            roles.add("admin")
        return roles

    def _require_role(self, user: User, site: str, *roles: str, what: str) -> None:
        if not self._roles(user, site) & set(roles):
            names = "、".join(ROLES[r] for r in roles)
            raise PermissionDenied(f"{user.label} 没有站点「{site}」的{names}角色，不能{what}。")

    def _can_view(self, user: User, draft: Draft) -> None:
        if not self._roles(user, draft.site):
            raise PermissionDenied(f"无权查看站点「{draft.site}」的稿件。")

    @staticmethod
    def _draft(session: Session, draft_id: int, *, lock: bool = False) -> Draft:
        stmt = select(Draft).where(Draft.id == draft_id)
        if lock:
            stmt = stmt.with_for_update()
        draft = session.execute(stmt).scalar_one_or_none()
        if draft is None:
            raise NotFound(f"稿件不存在：{draft_id}。")
        return draft

    @staticmethod
    def _current(session: Session, draft: Draft) -> Version | None:
        return session.get(Version, draft.current_version_id) if draft.current_version_id else None

    @staticmethod
    def _authors(draft: Draft) -> set[int]:
        return {draft.created_by_id, *(v.uploaded_by_id for v in draft.versions)}

    @staticmethod
    def _active_step(draft: Draft) -> DraftStep | None:
        if draft.status != "in_review":
            return None
        return next((s for s in draft.steps if s.status == "pending"), None)

    def _workflow(self, draft: Draft) -> WorkflowDef:
        return load_workflow(draft.workflow)

    def _touch(self, draft: Draft) -> dt.datetime:
        now = self.now()
        draft.updated_at = now
        flag_modified(draft, "updated_at")  # always an UPDATE, so lock_version always moves on
        return now

    @staticmethod
    def _check_version(draft: Draft, version_id: int | None) -> None:
        if version_id is None:
            raise InvalidInput("请指明所审核的版本（version_id）。")
        if version_id != draft.current_version_id:
            raise StaleVersion(
                "稿件已有新版本，您看到的版本已过期。请刷新后审核最新版本。",
                details={"current_version_id": draft.current_version_id, "given_version_id": version_id},
            )

    def eligibility_problem(self, user: User, draft: Draft, step: DraftStep) -> str | None:
        """Why `user` may not act on `step` (None: may). Separation of duties lives here."""
        if not user.is_active:
            return f"账号「{user.username}」已停用。"
        if step.role not in self._roles(user, draft.site):
            return f"{user.label} 没有站点「{draft.site}」的「{ROLES[step.role]}」角色，不能处理「{step.name}」。"
        if user.id in self._authors(draft):
            return f"不能审校自己撰写或上传的稿件（「{step.name}」需由他人处理）。"
        if step.kind == "review":
            for other in draft.steps:
                if (
                    other.kind == "review"
                    and other.key != step.key
                    and other.status == "approved"
                    and other.approved_by_id == user.id
                    and other.level != step.level
                ):
                    return f"同一人不能审批同一稿件的两个审核级别：{user.label} 已审批「{other.name}」，不能再审批「{step.name}」。"
        return None

    def _require_eligible(self, user: User, draft: Draft, step: DraftStep) -> None:
        problem = self.eligibility_problem(user, draft, step)
        if problem:
            raise PermissionDenied(problem)

    @staticmethod
    def _usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        rows = session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(wanted)))
        return {r.id: (r.display_name or r.username) for r in rows}

    def _audit(
        self,
        session: Session,
        actor: User | None,
        action: str,
        *,
        draft: Draft | None = None,
        version_id: int | None = None,
        step: str | None = None,
        comment: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        audit.append(
            session,
            actor=actor,
            action=action,
            now=self.now(),
            draft_id=draft.id if draft else None,
            version_id=version_id
            if version_id is not None
            else (draft.current_version_id if draft else None),
            step=step,
            comment=comment,
            details=details,
        )

    # ------------------------------------------------------------------ users, sites, tokens

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
    ) -> dict[str, Any]:
        """Create a user with roles `[(site, role), ...]` (site "*" = every site)."""
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

    def grant_role(
        self, username: str, site: str, role: str, *, actor: Actor | None = None
    ) -> dict[str, Any]:
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

    def revoke_role(
        self, username: str, site: str, role: str, *, actor: Actor | None = None
    ) -> dict[str, Any]:
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

    def set_user_active(self, username: str, active: bool, *, actor: Actor | None = None) -> dict[str, Any]:
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

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        """The user's dict when the password matches an active account, else None."""
        with self.db.read() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None or not user.is_active or not verify_password(password, user.password_hash):
                return None
            return user.to_dict()

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

    def resolve_token(self, token: str) -> dict[str, Any] | None:
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
            return user.to_dict()

    def revoke_token(self, token: str) -> None:
        with self.db.write() as s:
            row = s.execute(
                select(AuthToken).where(AuthToken.token_hash == token_hash(token))
            ).scalar_one_or_none()
            if row is not None and row.revoked_at is None:
                row.revoked_at = self.now()

    def get_user(self, actor: Actor) -> dict[str, Any]:
        with self.db.read() as s:
            return self._user(s, actor).to_dict()

    def list_users(self) -> list[dict[str, Any]]:
        with self.db.read() as s:
            return [u.to_dict() for u in s.execute(select(User).order_by(User.username)).scalars()]

    def create_site(
        self,
        key: str,
        name: str,
        *,
        workflow: str = "default",
        publish: dict[str, Any] | None = None,
        actor: Actor | None = None,
    ) -> dict[str, Any]:
        if not _SITE_KEY.match(key):
            raise InvalidInput("站点标识只能包含字母、数字、下划线、点和连字符（如 gov-example）。")
        load_workflow(workflow)  # refuse an unknown workflow now, not at the first draft
        target_from_config(publish, self.settings.publish_dir)
        with self.db.write() as s:
            admin = self._user(s, actor, required=False)
            if admin is not None and not admin.is_admin:
                raise PermissionDenied("只有系统管理员可以创建站点。")
            if s.get(Site, key) is not None:
                raise Conflict(f"站点「{key}」已存在。")
            site = Site(key=key, name=name, workflow=workflow, publish=publish, created_at=self.now())
            s.add(site)
            self._audit(s, admin, "site.create", details={"site": key, "name": name, "workflow": workflow})
            return site.to_dict()

    def list_sites(self) -> list[dict[str, Any]]:
        with self.db.read() as s:
            return [x.to_dict() for x in s.execute(select(Site).order_by(Site.key)).scalars()]

    # ------------------------------------------------------------------ drafts and versions

    def create_draft(
        self,
        actor: Actor,
        site: str,
        title: str,
        *,
        column: str = "",
        data: bytes | BinaryIO | None = None,
        filename: str | None = None,
        important: bool = False,
        formed_on: dt.date | None = None,
        note: str = "",
        scan: bool = True,
        scanner: Scanner | None = None,
    ) -> dict[str, Any]:
        """Create a draft (and its first version when `data` is given). `scan=False` queues the
        scan as a background job instead of running it now."""
        title = title.strip()
        if not title:
            raise InvalidInput("请填写稿件标题。")
        with self.db.write() as s:
            user = self._user(s, actor)
            site_row = s.get(Site, site)
            if site_row is None:
                raise NotFound(f"站点不存在：{site}。")
            self._require_role(user, site, "editor", what="创建稿件")
            wf = load_workflow(site_row.workflow)
            now = self.now()
            draft = Draft(
                site=site,
                column_name=column,
                title=title,
                important=important,
                workflow=site_row.workflow,
                created_by_id=user.id,
                created_at=now,
                updated_at=now,
                formed_on=formed_on or self.today(),
            )
            draft.steps = [
                DraftStep(
                    position=i,
                    key=st.key,
                    name=st.name,
                    kind=st.kind,
                    role=st.role,
                    level=st.level,
                    confirms_disclosure=st.confirms_disclosure,
                )
                for i, st in enumerate(wf.steps_for(important))
            ]
            s.add(draft)
            s.flush()
            self._audit(
                s,
                user,
                "draft.create",
                draft=draft,
                details={"site": site, "column": column, "title": title, "important": important},
            )
            draft_id = draft.id
        if data is not None:
            self.upload_version(
                actor, draft_id, filename or "draft", data, note=note, scan=scan, scanner=scanner
            )
        return self.get_draft(actor, draft_id)

    def set_important(self, actor: Actor, draft_id: int, important: bool) -> dict[str, Any]:
        """Flag as important information (adds the 通读 step; 3-working-day deadline)."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "editor", "admin", what="修改重要信息标记")
            if draft.status not in ("draft", "withdrawn"):
                raise InvalidState("只有草稿（未送审）状态可以修改重要信息标记。")
            if draft.important != important:
                wf = self._workflow(draft)
                wanted = wf.steps_for(important)
                existing = {st.key: st for st in draft.steps}
                keep = []
                for i, st in enumerate(wanted):
                    row = existing.pop(st.key, None) or DraftStep(
                        key=st.key,
                        name=st.name,
                        kind=st.kind,
                        role=st.role,
                        level=st.level,
                        confirms_disclosure=st.confirms_disclosure,
                        version_id=draft.current_version_id,
                    )
                    row.position = i
                    keep.append(row)
                draft.steps = keep  # steps no longer wanted are deleted (delete-orphan)
                draft.important = important
                self._touch(draft)
                self._audit(s, user, "draft.important", draft=draft, details={"important": important})
        return self.get_draft(actor, draft_id)

    def _read_upload(self, data: bytes | BinaryIO) -> tuple[str, int, bytes]:
        limit = self.settings.max_upload_bytes
        if isinstance(data, bytes | bytearray | memoryview):
            raw = bytes(data)
            if len(raw) > limit:
                raise TooLargeUpload(f"文件过大，超过上限 {limit // (1024 * 1024)} MB。")
            return self.store.put(raw), len(raw), raw
        try:
            sha, size = self.store.put_stream(data, limit)
        except PubGuardError as exc:
            raise TooLargeUpload(exc.message) from exc
        return sha, size, self.store.get(sha)

    def upload_version(
        self,
        actor: Actor,
        draft_id: int,
        filename: str,
        data: bytes | BinaryIO,
        *,
        note: str = "",
        scan: bool = True,
        scanner: Scanner | None = None,
    ) -> dict[str, Any]:
        """Add a new version (a first upload or a fix). The file goes to the content-addressed
        store; the scan runs now (`scan=True`) or as a job. Steps approved on the previous
        version re-open as the workflow's reopen policy says."""
        from pubguard.extract.sniff import sniff_format

        with self.db.read() as s:  # cheap checks before storing and scanning
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._require_role(user, draft.site, "editor", what="上传稿件")
            if draft.status not in UPLOADABLE:
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能再上传新版本。")
        sha, size, raw = self._read_upload(data)
        try:
            fmt = sniff_format(raw, filename)
        except PubGuardError as exc:
            raise InvalidInput(f"文件无法接收：{exc.message}", code=exc.code) from exc
        result = self._scan(raw, filename, draft_id, scanner) if scan else None
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "editor", what="上传稿件")
            if draft.status not in UPLOADABLE:
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能再上传新版本。")
            now = self._touch(draft)
            number = (
                s.execute(select(func.max(Version.number)).where(Version.draft_id == draft.id)).scalar() or 0
            ) + 1
            version = Version(
                draft_id=draft.id,
                number=number,
                filename=safe_filename(filename, f"v{number}"),
                sha256=sha,
                size=size,
                format=fmt,
                note=note,
                uploaded_by_id=user.id,
                created_at=now,
            )
            s.add(version)
            s.flush()
            had_version = draft.current_version_id is not None
            draft.current_version_id = version.id
            reopened = self._reopen_for_new_version(draft, version) if had_version else []
            self._audit(
                s,
                user,
                "version.upload",
                draft=draft,
                version_id=version.id,
                comment=note,
                details={
                    "number": number,
                    "filename": version.filename,
                    "sha256": sha,
                    "size": size,
                    "reopened": reopened,
                },
            )
            if result is not None:
                self._store_scan(s, draft, version, result)
            else:
                s.add(Job(kind="scan", version_id=version.id, created_at=now))
            s.flush()
            return self._version_dict(version)

    def _reopen_for_new_version(self, draft: Draft, version: Version) -> list[str]:
        wf = self._workflow(draft)
        reopened = []
        for st in draft.steps:
            if st.status == "approved" and wf.reopens(st.key, st.kind):
                st.status = "pending"
                st.approved_by_id = None
                st.approved_at = None
                st.comment = ""
                st.carried = False
                reopened.append(st.key)
                if st.confirms_disclosure:
                    self._clear_confirmation(draft)
            elif st.status == "approved":
                st.carried = True
            st.version_id = version.id
        if draft.status in ("approved", "released"):
            draft.status = "in_review"
        elif draft.status == "withdrawn":
            draft.status = "draft"
        self._sync_status(draft)
        return reopened

    @staticmethod
    def _clear_confirmation(draft: Draft) -> None:
        draft.disclosure_confirmed_by_id = None
        draft.disclosure_confirmed_at = None
        draft.disclosure_confirmed_version_id = None

    @staticmethod
    def _sync_status(draft: Draft) -> None:
        if draft.status in ("in_review", "approved"):
            done = all(
                st.status == "approved" and st.version_id == draft.current_version_id for st in draft.steps
            )
            draft.status = "approved" if done else "in_review"

    def _store_scan(self, s: Session, draft: Draft, version: Version, result: FileResult) -> None:
        """Attach a scan to its version: findings rows, decisions carried over by fingerprint,
        earlier findings that disappeared marked fixed, and the disclosure proposal."""
        if version.scan_status != "pending":
            return
        version.scan_status = "ok" if result.status == "ok" else "error"
        version.scan_error = result.error
        version.scan_error_code = result.error_code
        version.scan_result = result.to_dict()
        version.scanned_at = self.now()
        version.pages = result.pages
        version.format = result.format or version.format
        carried = fixed = 0
        wf = self._workflow(draft)
        if version.scan_status == "ok":
            earlier = s.execute(
                select(FindingRow)
                .where(FindingRow.draft_id == draft.id, FindingRow.version_id != version.id)
                .where(FindingRow.decision.is_not(None))
                .order_by(FindingRow.id)
            ).scalars()
            decided = {row.fingerprint: row for row in earlier}  # latest decision wins
            seen: set[str] = set()
            for f in result.findings:
                row = self._finding_row(draft, version, f)
                prev = decided.get(row.fingerprint)
                if prev is not None and self._decision_still_valid(wf, prev, row):
                    row.decision = prev.decision
                    row.status = prev.decision or "open"
                    row.decision_reason = prev.decision_reason
                    row.decision_level = prev.decision_level
                    row.decided_by_id = prev.decided_by_id
                    row.decided_at = prev.decided_at
                    row.carried_from_id = prev.id
                    carried += 1
                seen.add(row.fingerprint)
                s.add(row)
            previous = s.execute(
                select(Version)
                .where(
                    Version.draft_id == draft.id, Version.number < version.number, Version.scan_status == "ok"
                )
                .order_by(Version.number.desc())
                .limit(1)
            ).scalar_one_or_none()
            if previous is not None:
                for row in s.execute(
                    select(FindingRow).where(
                        FindingRow.version_id == previous.id, FindingRow.status != "fixed"
                    )
                ).scalars():
                    if row.fingerprint not in seen:
                        row.status = "fixed"
                        row.fixed_in_version_id = version.id
                        fixed += 1
            if version.id == draft.current_version_id and result.disclosure is not None:
                draft.disclosure_proposed = result.disclosure.suggested
                draft.disclosure_proposal = result.disclosure.to_dict()
        self._touch(draft)
        counts = Counter(str(f.severity) for f in result.findings)
        self._audit(
            s,
            None,
            "scan.complete",
            draft=draft,
            version_id=version.id,
            details={
                "status": version.scan_status,
                "error_code": result.error_code,
                "findings": dict(counts),
                "carried_over": carried,
                "fixed": fixed,
            },
        )

    @staticmethod
    def _decision_still_valid(wf: WorkflowDef, prev: FindingRow, row: FindingRow) -> bool:
        if prev.decision == "accepted":
            if row.severity == Severity.BLOCKER:
                return False
            return (prev.decision_level or 0) >= wf.min_accept_level(row.severity)
        return True

    @staticmethod
    def _finding_row(draft: Draft, version: Version, f: Finding) -> FindingRow:
        return FindingRow(
            draft_id=draft.id,
            version_id=version.id,
            fingerprint=f.fingerprint,
            category=str(f.category),
            rule=f.rule,
            severity=str(f.severity),
            message=f.message,
            evidence=f.evidence,
            location=f.location.to_dict(),
            page=f.location.page,
            suggestion=f.suggestion,
            basis=f.basis,
            confidence=f.confidence,
            block_kind=f.block_kind,
            details=f.details or None,
            status="open",
        )

    # ------------------------------------------------------------------ background scan jobs

    def claim_job(self, worker: str) -> dict[str, Any] | None:
        """Take the oldest queued job (or one left running by a dead worker). Several workers
        on PostgreSQL skip each other's rows (FOR UPDATE SKIP LOCKED)."""
        with self.db.write() as s:
            now = self.now()
            stmt = (
                select(Job)
                .where(
                    or_(
                        Job.status == "queued",
                        (Job.status == "running") & (Job.locked_at < now - JOB_STALE_AFTER),
                    )
                )
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            job = s.execute(stmt).scalar_one_or_none()
            if job is None:
                return None
            job.status = "running"
            job.locked_by = worker
            job.locked_at = now
            job.attempts += 1
            s.flush()
            return job.to_dict()

    def run_job(self, job_id: int, *, scanner: Scanner | None = None) -> dict[str, Any]:
        """Run a claimed scan job: scan outside any transaction, then store the result."""
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            version = s.get(Version, job.version_id) if job.version_id else None
            if version is None:
                raise NotFound("任务对应的版本不存在。")
            sha, filename, draft_id = version.sha256, version.filename, version.draft_id
        try:
            result = self._scan(self.store.get(sha), filename, draft_id, scanner)
        except Exception as exc:  # the job must end up failed or retried, never stuck
            log.exception("scan job %s failed", job_id)
            with self.db.write() as s:
                job = s.get(Job, job_id)
                job.error = f"{type(exc).__name__}"
                job.status = "failed" if job.attempts >= JOB_MAX_ATTEMPTS else "queued"
                job.finished_at = self.now() if job.status == "failed" else None
                s.flush()
                return job.to_dict()
        with self.db.write() as s:
            version = s.get(Version, version.id)
            draft = self._draft(s, draft_id, lock=True)
            self._store_scan(s, draft, version, result)
            job = s.get(Job, job_id)
            job.status = "done"
            job.finished_at = self.now()
            s.flush()
            return job.to_dict()

    def run_pending_jobs(
        self, worker: str = "worker", *, limit: int | None = None, scanner: Scanner | None = None
    ) -> int:
        done = 0
        while limit is None or done < limit:
            job = self.claim_job(worker)
            if job is None:
                break
            self.run_job(job["id"], scanner=scanner)
            done += 1
        return done

    def get_job(self, job_id: int) -> dict[str, Any]:
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            return job.to_dict()

    # ------------------------------------------------------------------ disclosure attribute

    def set_disclosure(
        self, actor: Actor, draft_id: int, attribute: str, *, basis: str = "", reason: str = ""
    ) -> dict[str, Any]:
        """Set the disclosure attribute (editor, or the reviewer of the confirming step).
        Anything but 主动公开 needs a legal basis and a reason. Changing an attribute that 终审
        already confirmed re-opens 终审."""
        attribute = normalise_attribute(attribute)
        basis, reason = basis.strip(), reason.strip()
        if attribute != PUBLIC and not (basis and reason):
            raise InvalidInput(
                f"「{attribute}」须填写法律依据和理由（如《政府信息公开条例》第十四条、第十五条、第十六条）。"
            )
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            confirm_roles = {st.role for st in draft.steps if st.confirms_disclosure}
            self._require_role(user, draft.site, "editor", *confirm_roles, what="设置公开属性")
            if draft.status in ("released", "archived"):
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能修改公开属性。")
            changed = (draft.disclosure, draft.disclosure_basis, draft.disclosure_reason) != (
                attribute,
                basis,
                reason,
            )
            if not changed:
                return self._draft_summary(s, draft)
            now = self._touch(draft)
            draft.disclosure = attribute
            draft.disclosure_basis = basis
            draft.disclosure_reason = reason
            draft.disclosure_set_by_id = user.id
            draft.disclosure_set_at = now
            reopened = None
            if draft.disclosure_confirmed_by_id is not None:
                self._clear_confirmation(draft)
                for st in draft.steps:
                    if st.confirms_disclosure and st.status == "approved":
                        st.status = "pending"
                        st.approved_by_id = None
                        st.approved_at = None
                        reopened = st.key
                self._sync_status(draft)
            self._audit(
                s,
                user,
                "disclosure.set",
                draft=draft,
                comment=reason,
                details={"attribute": attribute, "basis": basis, "reopened": reopened},
            )
            return self._draft_summary(s, draft)

    # ------------------------------------------------------------------ workflow actions

    def submit(
        self, actor: Actor, draft_id: int, version_id: int | None = None, comment: str = ""
    ) -> dict[str, Any]:
        """Send a draft into review (first time, after a return, or after a withdrawal)."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_submit(s, user, draft)
            if version_id is not None:
                self._check_version(draft, version_id)
            self._touch(draft)
            if draft.status == "withdrawn":  # taken down: the whole review runs again
                for st in draft.steps:
                    st.status = "pending"
                    st.approved_by_id = None
                    st.approved_at = None
                    st.carried = False
                self._clear_confirmation(draft)
            for st in draft.steps:
                if st.status == "pending":
                    st.version_id = draft.current_version_id
            draft.status = "in_review"
            draft.returned = False
            self._sync_status(draft)
            self._audit(s, user, "draft.submit", draft=draft, comment=comment)
            return self._draft_summary(s, draft)

    def _guard_submit(self, s: Session, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "editor", what="送审")
        if draft.status not in ("draft", "withdrawn"):
            raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能送审。")
        version = self._current(s, draft)
        if version is None:
            raise InvalidState("请先上传稿件文件。")
        if version.scan_status == "pending":
            raise InvalidState("稿件检查尚未完成，请稍后送审。")
        if version.scan_status == "error":
            raise InvalidState(f"稿件检查失败（{version.scan_error}），请修正文件后重新上传。")
        if draft.disclosure is None:
            raise InvalidState("请先设置公开属性（主动公开 / 依申请公开 / 不予公开）。")

    def recall(self, actor: Actor, draft_id: int, comment: str = "") -> dict[str, Any]:
        """The editor takes a draft back out of review (撤回送审); approvals on the current
        version stay."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_recall(user, draft)
            self._touch(draft)
            draft.status = "draft"
            self._audit(s, user, "draft.recall", draft=draft, comment=comment)
            return self._draft_summary(s, draft)

    def _guard_recall(self, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "editor", what="撤回送审")
        if draft.status not in ("in_review", "approved"):
            raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，无需撤回。")

    def _step_for_action(self, draft: Draft, step_key: str | None) -> DraftStep:
        if draft.status != "in_review":
            raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不在审核中。")
        step = self._active_step(draft)
        if step is None:
            raise InvalidState("稿件没有待处理的步骤。")
        if step_key is not None and step_key != step.key:
            names = {st.key: st.name for st in draft.steps}
            raise Conflict(
                f"「{names.get(step_key, step_key)}」已不是当前步骤（当前为「{step.name}」），可能已被他人处理。请刷新。",
                details={"active_step": step.key},
            )
        return step

    def _check_claim(self, s: Session, user: User, step: DraftStep) -> None:
        if step.assignee_id is not None and step.assignee_id != user.id:
            holder = self._usernames(s, [step.assignee_id]).get(step.assignee_id, "他人")
            raise Conflict(f"「{step.name}」已由 {holder} 领取，不能由您处理。")

    def claim(self, actor: Actor, draft_id: int, step_key: str | None = None) -> dict[str, Any]:
        """Take the current step so others see it is being worked on."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            step = self._step_for_action(draft, step_key)
            self._require_eligible(user, draft, step)
            self._check_claim(s, user, step)
            if step.assignee_id != user.id:
                self._touch(draft)
                step.assignee_id = user.id
                self._audit(s, user, "step.claim", draft=draft, step=step.key)
            return self._draft_summary(s, draft)

    def approve(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None,
        *,
        step_key: str | None = None,
        comment: str = "",
    ) -> dict[str, Any]:
        """Approve the current step on the given (current) version. At the step that confirms
        the disclosure attribute (终审) the attribute must be set and consistent."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            step = self._step_for_action(draft, step_key)
            self._check_version(draft, version_id)
            self._require_eligible(user, draft, step)
            self._check_claim(s, user, step)
            version = self._current(s, draft)
            if version is None or version.scan_status == "pending":
                raise InvalidState("当前版本尚未完成检查，请稍后再审批。")
            now = self._touch(draft)
            if step.confirms_disclosure:
                self._check_disclosure_for_confirmation(s, draft, version)
                draft.disclosure_confirmed_by_id = user.id
                draft.disclosure_confirmed_at = now
                draft.disclosure_confirmed_version_id = version.id
            step.status = "approved"
            step.approved_by_id = user.id
            step.approved_at = now
            step.assignee_id = user.id
            step.version_id = version.id
            step.comment = comment
            step.carried = False
            self._sync_status(draft)
            self._audit(
                s,
                user,
                "step.approve",
                draft=draft,
                version_id=version.id,
                step=step.key,
                comment=comment,
                details={
                    "step_name": step.name,
                    "disclosure": draft.disclosure if step.confirms_disclosure else None,
                },
            )
            if comment:
                s.add(
                    Comment(
                        draft_id=draft.id,
                        version_id=version.id,
                        step_key=step.key,
                        author_id=user.id,
                        kind="comment",
                        body=comment,
                        created_at=now,
                    )
                )
            return self._draft_summary(s, draft)

    def _check_disclosure_for_confirmation(self, s: Session, draft: Draft, version: Version) -> None:
        if draft.disclosure is None:
            raise InvalidState("稿件尚未设置公开属性，终审前须由编辑设置。")
        if draft.disclosure != PUBLIC and not (draft.disclosure_basis and draft.disclosure_reason):
            raise InvalidState(f"「{draft.disclosure}」须有法律依据和理由。")
        if draft.disclosure == PUBLIC:
            rows = s.execute(select(FindingRow).where(FindingRow.version_id == version.id)).scalars().all()
            bad = public_conflicts(rows)
            if bad:
                raise InvalidState(
                    f"主动公开的稿件不得含有未处理的阻断项或个人信息（{len(bad)} 项）。请先处理这些问题，或改为依申请公开/不予公开。",
                    details={"finding_ids": [f.id for f in bad]},
                )

    def reject(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None,
        comment: str,
        *,
        to_step: str | None = None,
        step_key: str | None = None,
    ) -> dict[str, Any]:
        """Reject the current step: back to the editor (default) or to an earlier step, whose
        approvals from there on are cleared. A comment is required."""
        comment = (comment or "").strip()
        if not comment:
            raise InvalidInput("退回必须填写意见。")
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            step = self._step_for_action(draft, step_key)
            self._check_version(draft, version_id)
            self._require_eligible(user, draft, step)
            self._check_claim(s, user, step)
            now = self._touch(draft)
            if to_step:
                target = next((st for st in draft.steps if st.key == to_step), None)
                if target is None or target.position >= step.position:
                    raise InvalidInput("只能退回到当前步骤之前的步骤。")
                for st in draft.steps:
                    if target.position <= st.position <= step.position:
                        st.status = "pending"
                        st.approved_by_id = None
                        st.approved_at = None
                        st.carried = False
                        st.assignee_id = None
                        if st.confirms_disclosure:
                            self._clear_confirmation(draft)
            else:
                draft.status = "draft"
                draft.returned = True
            step.assignee_id = None
            self._audit(
                s,
                user,
                "step.reject",
                draft=draft,
                step=step.key,
                comment=comment,
                details={"to": to_step or "editor", "step_name": step.name},
            )
            s.add(
                Comment(
                    draft_id=draft.id,
                    version_id=draft.current_version_id,
                    step_key=step.key,
                    author_id=user.id,
                    kind="rejection",
                    body=comment,
                    created_at=now,
                )
            )
            return self._draft_summary(s, draft)

    def reassign(self, actor: Actor, draft_id: int, step_key: str, assignee: Actor | None) -> dict[str, Any]:
        """Give a pending step to another eligible user (site admin, or the current holder)."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            step = next((st for st in draft.steps if st.key == step_key), None)
            if step is None:
                raise NotFound(f"步骤不存在：{step_key}。")
            if step.status != "pending":
                raise InvalidState(f"「{step.name}」已审核通过，不能再指派。")
            if "admin" not in self._roles(user, draft.site) and step.assignee_id != user.id:
                raise PermissionDenied("只有站点管理员或该步骤的当前处理人可以转交。")
            target = self._user(s, assignee) if assignee is not None else None
            if target is not None:
                self._require_eligible(target, draft, step)
            self._touch(draft)
            step.assignee_id = target.id if target else None
            self._audit(
                s,
                user,
                "step.reassign",
                draft=draft,
                step=step.key,
                details={"assignee": target.username if target else None},
            )
            return self._draft_summary(s, draft)

    # ------------------------------------------------------------------ findings

    def decide_finding(
        self,
        actor: Actor,
        finding_id: int,
        decision: str,
        *,
        reason: str = "",
        level: int | None = None,
    ) -> dict[str, Any]:
        """Decide a finding of the current version: `confirmed` (must be fixed),
        `false_positive` (reason required) or `accepted` (published knowingly: reason and the
        accepting review level required; blockers never). `open` withdraws a decision."""
        reason = (reason or "").strip()
        if decision not in (*DECISIONS, "open"):
            raise InvalidInput(
                "决定无效。可选：confirmed（确认须修改）、false_positive（误报）、accepted（接受发布）。"
            )
        if decision == "false_positive" and not reason:
            raise InvalidInput("标记误报须填写理由。")
        with self.db.write() as s:
            user = self._user(s, actor)
            row = s.get(FindingRow, finding_id)
            if row is None:
                raise NotFound(f"问题不存在：{finding_id}。")
            draft = self._draft(s, row.draft_id, lock=True)
            self._require_role(user, draft.site, *DECIDER_ROLES, what="对检查结果作出决定")
            if user.id in self._authors(draft):
                raise PermissionDenied("不能对自己稿件的检查结果作出决定（须由审校人员判断）。")
            if row.version_id != draft.current_version_id or row.status == "fixed":
                raise InvalidState("只能对当前版本中仍存在的问题作出决定。")
            if draft.status in ("released", "archived"):
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能再修改决定。")
            if decision == "accepted":
                self._check_acceptance(user, draft, row, reason, level)
            now = self._touch(draft)
            row.decision = None if decision == "open" else decision
            row.status = decision
            row.decision_reason = reason
            row.decision_level = level if decision == "accepted" else None
            row.decided_by_id = None if decision == "open" else user.id
            row.decided_at = None if decision == "open" else now
            row.carried_from_id = None
            self._audit(
                s,
                user,
                "finding.decide",
                draft=draft,
                version_id=row.version_id,
                comment=reason,
                details={
                    "finding_id": row.id,
                    "fingerprint": row.fingerprint,
                    "category": row.category,
                    "rule": row.rule,
                    "severity": row.severity,
                    "decision": decision,
                    "level": row.decision_level,
                },
            )
            s.flush()
            return self._finding_dict(row, self._usernames(s, [row.decided_by_id]))

    def _check_acceptance(
        self, user: User, draft: Draft, row: FindingRow, reason: str, level: int | None
    ) -> None:
        if row.severity == Severity.BLOCKER:
            raise InvalidInput("阻断级问题（如密级标志、红头、公章）不得接受发布，必须修改。")
        if not reason:
            raise InvalidInput("接受发布须填写理由。")
        if level not in (1, 2, 3):
            raise InvalidInput("接受发布须注明审核级别（1 初审、2 复审、3 终审）。")
        need = self._workflow(draft).min_accept_level(row.severity)
        if level < need:
            raise InvalidInput(f"该级别问题须由 {need} 级及以上审核人接受发布。")
        if f"reviewer{level}" not in self._roles(user, draft.site):
            raise PermissionDenied(
                f"{user.label} 没有{ROLES[f'reviewer{level}']}角色，不能以该级别接受发布。"
            )

    def list_findings(
        self, actor: Actor, draft_id: int, version_id: int | None = None, *, include_fixed: bool = True
    ) -> list[dict[str, Any]]:
        """Findings of a version (default: current), plus those fixed by it."""
        with self.db.read() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            vid = version_id or draft.current_version_id
            if vid is None:
                return []
            return self._findings_for(s, draft, vid, include_fixed=include_fixed)

    def _findings_for(
        self, s: Session, draft: Draft, version_id: int, *, include_fixed: bool
    ) -> list[dict[str, Any]]:
        cond = FindingRow.version_id == version_id
        if include_fixed:
            cond = or_(cond, FindingRow.fixed_in_version_id == version_id)
        rows = (
            s.execute(select(FindingRow).where(FindingRow.draft_id == draft.id, cond).order_by(FindingRow.id))
            .scalars()
            .all()
        )
        names = self._usernames(s, [r.decided_by_id for r in rows])
        sev_rank = {str(sv): sv.rank for sv in Severity}
        out = [self._finding_dict(r, names) for r in rows]
        out.sort(
            key=lambda d: (d["status"] == "fixed", -sev_rank.get(d["severity"], 0), d["page"] or 0, d["id"])
        )
        return out

    @staticmethod
    def _finding_dict(r: FindingRow, names: dict[int, str]) -> dict[str, Any]:
        return {
            "id": r.id,
            "draft_id": r.draft_id,
            "version_id": r.version_id,
            "fingerprint": r.fingerprint,
            "category": r.category,
            "rule": r.rule,
            "severity": r.severity,
            "message": r.message,
            "evidence": r.evidence,
            "location": r.location,
            "page": r.page,
            "suggestion": r.suggestion,
            "basis": r.basis,
            "confidence": r.confidence,
            "block_kind": r.block_kind,
            "details": r.details or {},
            "status": r.status,
            "status_label": DECISION_LABELS.get(r.status, r.status),
            "decision": r.decision,
            "decision_reason": r.decision_reason,
            "decision_level": r.decision_level,
            "decided_by": names.get(r.decided_by_id) if r.decided_by_id else None,
            "decided_at": _iso(r.decided_at),
            "carried_over": r.carried_from_id is not None,
            "fixed_in_version_id": r.fixed_in_version_id,
        }

    def detector_precision(self, site: str | None = None) -> list[dict[str, Any]]:
        """Per-detector precision from reviewer decisions (evaluation data). Each finding is
        counted once per draft (its latest row): confirmed, accepted and fixed count as true,
        false_positive as false; undecided findings are reported but not counted."""
        from pubguard.detectors import load_all

        by_category = {cls.category: name for name, cls in load_all().items()}
        with self.db.read() as s:
            stmt = select(
                FindingRow.draft_id,
                FindingRow.fingerprint,
                FindingRow.category,
                FindingRow.rule,
                FindingRow.status,
                FindingRow.decision,
                FindingRow.id,
            )
            if site:
                stmt = stmt.join(Draft, Draft.id == FindingRow.draft_id).where(Draft.site == site)
            latest: dict[tuple[int, str], Any] = {}
            for r in s.execute(stmt.order_by(FindingRow.id)):
                latest[(r.draft_id, r.fingerprint)] = r
        stats: dict[str, Counter] = {}
        for r in latest.values():
            name = by_category.get(r.category, r.category)
            verdict = r.decision if r.status == "fixed" and r.decision == "false_positive" else r.status
            stats.setdefault(name, Counter())[verdict] += 1
        out = []
        for name, c in sorted(stats.items()):
            true = c["confirmed"] + c["accepted"] + c["fixed"]
            false = c["false_positive"]
            out.append(
                {
                    "detector": name,
                    "confirmed": c["confirmed"],
                    "accepted": c["accepted"],
                    "fixed": c["fixed"],
                    "false_positive": false,
                    "open": c["open"],
                    "decided": true + false,
                    "precision": round(true / (true + false), 4) if true + false else None,
                }
            )
        return out

    # ------------------------------------------------------------------ comments

    def add_comment(
        self,
        actor: Actor,
        draft_id: int,
        body: str,
        *,
        kind: str = "comment",
        version_id: int | None = None,
        step_key: str | None = None,
        attachment: tuple[str, bytes] | None = None,
    ) -> dict[str, Any]:
        """A reviewer's comment, or a proofreader's correction (kind="correction", may carry
        an attached file, e.g. a marked-up copy)."""
        body = (body or "").strip()
        if not body and attachment is None:
            raise InvalidInput("意见内容不能为空。")
        if kind not in ("comment", "correction"):
            raise InvalidInput("意见类型无效（comment 或 correction）。")
        sha = None
        if attachment is not None:
            sha, _, _ = self._read_upload(attachment[1])
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._can_view(user, draft)
            if kind == "correction":
                self._require_role(user, draft.site, "proofreader", what="提交校对修改")
            now = self._touch(draft)
            c = Comment(
                draft_id=draft.id,
                version_id=version_id or draft.current_version_id,
                step_key=step_key,
                author_id=user.id,
                kind=kind,
                body=body,
                attachment_sha256=sha,
                attachment_name=safe_filename(attachment[0], "attachment") if attachment else None,
                created_at=now,
            )
            s.add(c)
            s.flush()
            self._audit(
                s,
                user,
                "comment.add",
                draft=draft,
                version_id=c.version_id,
                step=step_key,
                comment=body,
                details={"comment_id": c.id, "kind": kind, "attachment_sha256": sha},
            )
            return self._comment_dict(c, {user.id: user.label})

    @staticmethod
    def _comment_dict(c: Comment, names: dict[int, str]) -> dict[str, Any]:
        return {
            "id": c.id,
            "version_id": c.version_id,
            "step_key": c.step_key,
            "author": names.get(c.author_id),
            "author_id": c.author_id,
            "kind": c.kind,
            "body": c.body,
            "attachment_sha256": c.attachment_sha256,
            "attachment_name": c.attachment_name,
            "created_at": _iso(c.created_at),
        }

    # ------------------------------------------------------------------ release gate and release

    def check_release(self, draft_id: int) -> dict[str, Any]:
        """The release gate: `{"ok": bool, "reasons": [中文, ...]}`."""
        with self.db.read() as s:
            draft = self._draft(s, draft_id)
            reasons = self._gate(s, draft)
            return {"ok": not reasons, "reasons": reasons}

    def _gate(self, s: Session, draft: Draft) -> list[str]:
        version = self._current(s, draft)
        findings = (
            s.execute(select(FindingRow).where(FindingRow.version_id == version.id)).scalars().all()
            if version
            else []
        )
        return release_blockers(draft, list(draft.steps), version, list(findings))

    def publish_target(self, site: str) -> PublishTarget:
        with self.db.read() as s:
            row = s.get(Site, site)
            if row is None:
                raise NotFound(f"站点不存在：{site}。")
            return target_from_config(row.publish, self.settings.publish_dir)

    def release(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None = None,
        *,
        target: PublishTarget | None = None,
    ) -> dict[str, Any]:
        """Publish the current version through the site's target when the gate allows.
        Releasing a version that is already online is a no-op returning the same release.
        The target is written while the draft is locked; should the database commit fail
        afterwards, a first publication is taken down again so site and records agree."""
        undo: list[Callable[[], None]] = []
        try:
            return self._release(actor, draft_id, version_id, target, undo)
        except Exception:
            for step in undo:
                try:
                    step()
                except Exception:  # best effort; the original error matters more
                    log.exception("could not undo publication of draft %s", draft_id)
            raise

    def _release(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None,
        target: PublishTarget | None,
        undo: list[Callable[[], None]],
    ) -> dict[str, Any]:
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "publisher", what="发布稿件")
            if version_id is not None:
                self._check_version(draft, version_id)
            if draft.status == "released" and draft.released_version_id == draft.current_version_id:
                existing = s.execute(
                    select(Release)
                    .where(Release.draft_id == draft.id, Release.version_id == draft.released_version_id)
                    .where(Release.withdrawn_at.is_(None))
                ).scalar_one_or_none()
                if existing is not None:
                    return self._release_dict(existing, self._usernames(s, [existing.released_by_id]))
            reasons = self._gate(s, draft)
            if reasons:
                raise GateClosed("稿件不满足发布条件：" + "；".join(reasons), details={"reasons": reasons})
            version = self._current(s, draft)
            site = s.get(Site, draft.site)
            tgt = target or target_from_config(site.publish, self.settings.publish_dir)
            now = self._touch(draft)
            item = PublishItem(
                draft_id=draft.id,
                version_id=version.id,
                version_number=version.number,
                site=draft.site,
                column=draft.column_name,
                title=draft.title,
                filename=version.filename,
                sha256=version.sha256,
                data=self.store.get(version.sha256),
                disclosure=draft.disclosure or "",
                released_at=now.isoformat(),
                released_by=user.username,
            )
            previous = (
                s.execute(select(Release).where(Release.draft_id == draft.id, Release.withdrawn_at.is_(None)))
                .scalars()
                .all()
            )
            location = tgt.publish(item)  # atomic on the target; a failure leaves the DB untouched
            if not previous:
                undo.append(lambda: tgt.withdraw(item.site, item.draft_id, location))
            for old in previous:  # the new version replaces the one online
                old.withdrawn_at = now
                old.withdrawn_by_id = user.id
                old.withdraw_reason = f"被第{version.number}版替换"
            rel = Release(
                draft_id=draft.id,
                version_id=version.id,
                target_kind=tgt.kind,
                target=tgt.describe(),
                location=location,
                released_by_id=user.id,
                released_at=now,
            )
            s.add(rel)
            draft.status = "released"
            draft.released_version_id = version.id
            draft.released_at = now
            s.flush()
            self._audit(
                s,
                user,
                "release",
                draft=draft,
                version_id=version.id,
                details={
                    "target": tgt.kind,
                    "location": location,
                    "sha256": version.sha256,
                    "release_id": rel.id,
                },
            )
            return self._release_dict(rel, {user.id: user.label})

    def withdraw(
        self, actor: Actor, draft_id: int, reason: str, *, target: PublishTarget | None = None
    ) -> dict[str, Any]:
        """撤稿: take the released version offline (publisher or admin; reason required)."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("撤稿须填写原因。")
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "publisher", "admin", what="撤稿")
            if draft.released_version_id is None:
                raise InvalidState("稿件未在网站发布，无需撤稿。")
            rel = (
                s.execute(select(Release).where(Release.draft_id == draft.id, Release.withdrawn_at.is_(None)))
                .scalars()
                .all()
            )
            site = s.get(Site, draft.site)
            tgt = target or target_from_config(site.publish, self.settings.publish_dir)
            now = self._touch(draft)
            for r in rel:
                tgt.withdraw(draft.site, draft.id, r.location)
                r.withdrawn_at = now
                r.withdrawn_by_id = user.id
                r.withdraw_reason = reason
            released_version = draft.released_version_id
            draft.released_version_id = None
            if draft.status == "released":
                draft.status = "withdrawn"
            self._audit(s, user, "withdraw", draft=draft, version_id=released_version, comment=reason)
            return self._draft_summary(s, draft)

    def archive(self, actor: Actor, draft_id: int, comment: str = "") -> dict[str, Any]:
        """归档: close a draft for good (依申请公开 / 不予公开 drafts, or abandoned ones). Its
        versions, scans, decisions and comments stay and can be exported."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_archive(user, draft)
            self._touch(draft)
            draft.status = "archived"
            self._audit(
                s, user, "archive", draft=draft, comment=comment, details={"disclosure": draft.disclosure}
            )
            return self._draft_summary(s, draft)

    def _guard_archive(self, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "publisher", "admin", what="归档")
        if draft.released_version_id is not None:
            raise InvalidState("稿件仍在网站上，请先撤稿再归档。")
        if draft.status not in ("draft", "approved", "withdrawn"):
            raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能归档。")

    def provide_on_request(
        self, actor: Actor, draft_id: int, *, applicant: str, reason: str
    ) -> tuple[str, bytes]:
        """Produce a reviewed 依申请公开 document for an applicant (never via the site)."""
        if not applicant.strip() or not reason.strip():
            raise InvalidInput("依申请提供须填写申请人和申请事由。")
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "publisher", "admin", what="依申请提供")
            if draft.disclosure == WITHHELD or draft.disclosure is None:
                raise InvalidState("该稿件不予公开（或未设置公开属性），不能对外提供。")
            version = self._current(s, draft)
            done = version is not None and all(
                st.status == "approved" and st.version_id == version.id for st in draft.steps
            )
            if not done:
                raise InvalidState("稿件尚未在当前版本上完成全部审核，不能对外提供。")
            self._touch(draft)
            self._audit(
                s,
                user,
                "provide_on_request",
                draft=draft,
                comment=reason,
                details={"applicant": applicant.strip()},
            )
            return version.filename, self.store.get(version.sha256)

    @staticmethod
    def _release_dict(r: Release, names: dict[int, str]) -> dict[str, Any]:
        return {
            "id": r.id,
            "draft_id": r.draft_id,
            "version_id": r.version_id,
            "target_kind": r.target_kind,
            "target": r.target,
            "location": r.location,
            "released_by": names.get(r.released_by_id),
            "released_at": _iso(r.released_at),
            "withdrawn_at": _iso(r.withdrawn_at),
            "withdrawn_by": names.get(r.withdrawn_by_id) if r.withdrawn_by_id else None,
            "withdraw_reason": r.withdraw_reason,
        }

    # ------------------------------------------------------------------ reading

    def deadline(self, draft: Draft, session: Session) -> Deadline | None:
        """Disclosure deadline for drafts headed for the site (主动公开 or not yet decided)."""
        if draft.status == "archived" or draft.disclosure not in (None, PUBLIC):
            return None
        if draft.status == "withdrawn":
            return None
        changed_on = None
        if draft.released_version_id is not None:
            if draft.released_version_id == draft.current_version_id:
                return None  # published: the limit was met
            current = self._current(session, draft)
            changed_on = current.created_at.astimezone(CHINA_TZ).date() if current else None
        return compute_deadline(
            draft.formed_on, self.today(), important=draft.important, changed_on=changed_on
        )

    def _version_dict(self, v: Version) -> dict[str, Any]:
        return {
            "id": v.id,
            "draft_id": v.draft_id,
            "number": v.number,
            "filename": v.filename,
            "sha256": v.sha256,
            "size": v.size,
            "format": v.format,
            "note": v.note,
            "uploaded_by_id": v.uploaded_by_id,
            "created_at": _iso(v.created_at),
            "scan_status": v.scan_status,
            "scan_error": v.scan_error,
            "scan_error_code": v.scan_error_code,
            "pages": v.pages,
            "scanned_at": _iso(v.scanned_at),
        }

    def _step_dict(self, st: DraftStep, names: dict[int, str], active: DraftStep | None) -> dict[str, Any]:
        return {
            "key": st.key,
            "name": st.name,
            "kind": st.kind,
            "role": st.role,
            "role_label": ROLES.get(st.role, st.role),
            "level": st.level,
            "status": st.status,
            "active": active is not None and st.key == active.key,
            "version_id": st.version_id,
            "assignee": names.get(st.assignee_id) if st.assignee_id else None,
            "assignee_id": st.assignee_id,
            "approved_by": names.get(st.approved_by_id) if st.approved_by_id else None,
            "approved_by_id": st.approved_by_id,
            "approved_at": _iso(st.approved_at),
            "comment": st.comment,
            "carried": st.carried,
            "confirms_disclosure": st.confirms_disclosure,
        }

    def _draft_summary(self, s: Session, draft: Draft) -> dict[str, Any]:
        active = self._active_step(draft)
        ids = [draft.created_by_id] + [x for st in draft.steps for x in (st.assignee_id, st.approved_by_id)]
        names = self._usernames(s, ids + [draft.disclosure_set_by_id, draft.disclosure_confirmed_by_id])
        deadline = self.deadline(draft, s)
        current = self._current(s, draft)
        counts: dict[str, int] = {}
        if current is not None:
            rows = s.execute(
                select(FindingRow.severity, func.count())
                .where(FindingRow.version_id == current.id, FindingRow.status == "open")
                .group_by(FindingRow.severity)
            ).all()
            counts = {sev: n for sev, n in rows}
        return {
            "id": draft.id,
            "site": draft.site,
            "column": draft.column_name,
            "title": draft.title,
            "status": draft.status,
            "status_label": STATUS_LABELS.get(draft.status, draft.status),
            "returned": draft.returned,
            "important": draft.important,
            "workflow": draft.workflow,
            "created_by": names.get(draft.created_by_id),
            "created_by_id": draft.created_by_id,
            "created_at": _iso(draft.created_at),
            "updated_at": _iso(draft.updated_at),
            "formed_on": _iso(draft.formed_on),
            "current_version_id": draft.current_version_id,
            "current_version": current.number if current else None,
            "scan_status": current.scan_status if current else None,
            "released_version_id": draft.released_version_id,
            "released_at": _iso(draft.released_at),
            "active_step": self._step_dict(active, names, active) if active else None,
            "steps": [self._step_dict(st, names, active) for st in draft.steps],
            "open_findings": counts,
            "disclosure": {
                "proposed": draft.disclosure_proposed,
                "proposal": draft.disclosure_proposal,
                "attribute": draft.disclosure,
                "basis": draft.disclosure_basis,
                "reason": draft.disclosure_reason,
                "set_by": names.get(draft.disclosure_set_by_id) if draft.disclosure_set_by_id else None,
                "set_at": _iso(draft.disclosure_set_at),
                "confirmed_by": names.get(draft.disclosure_confirmed_by_id)
                if draft.disclosure_confirmed_by_id
                else None,
                "confirmed_at": _iso(draft.disclosure_confirmed_at),
                "confirmed_version_id": draft.disclosure_confirmed_version_id,
            },
            "deadline": deadline.to_dict() if deadline else None,
            "lock_version": draft.lock_version,
        }

    def get_draft(self, actor: Actor, draft_id: int) -> dict[str, Any]:
        """Everything about a draft for its page: summary, versions, findings of the current
        version, comments, releases, the gate and the actions `actor` may take now."""
        with self.db.read() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            d = self._draft_summary(s, draft)
            d["versions"] = [self._version_dict(v) for v in draft.versions]
            d["findings"] = (
                self._findings_for(s, draft, draft.current_version_id, include_fixed=True)
                if draft.current_version_id
                else []
            )
            comments = (
                s.execute(select(Comment).where(Comment.draft_id == draft.id).order_by(Comment.id))
                .scalars()
                .all()
            )
            releases = (
                s.execute(select(Release).where(Release.draft_id == draft.id).order_by(Release.id))
                .scalars()
                .all()
            )
            names = self._usernames(
                s,
                [c.author_id for c in comments]
                + [r.released_by_id for r in releases]
                + [r.withdrawn_by_id for r in releases],
            )
            d["comments"] = [self._comment_dict(c, names) for c in comments]
            d["releases"] = [self._release_dict(r, names) for r in releases]
            reasons = self._gate(s, draft)
            d["gate"] = {"ok": not reasons, "reasons": reasons}
            d["actions"] = self._actions(s, user, draft)
            return d

    def _actions(self, s: Session, user: User, draft: Draft) -> list[str]:
        """The actions `user` may take on `draft` now (for buttons; the operations re-check)."""
        acts: list[str] = []
        roles = self._roles(user, draft.site)

        def ok(check: Callable[[], None]) -> bool:
            try:
                check()
                return True
            except ReviewError:
                return False

        if "editor" in roles and draft.status in UPLOADABLE:
            acts.append("upload")
        if ok(lambda: self._guard_submit(s, user, draft)):
            acts.append("submit")
        if ok(lambda: self._guard_recall(user, draft)):
            acts.append("recall")
        active = self._active_step(draft)
        if (
            active is not None
            and self.eligibility_problem(user, draft, active) is None
            and active.assignee_id in (None, user.id)
        ):
            acts += ["approve", "reject"]
            if active.assignee_id is None:
                acts.append("claim")
        if active is not None and ("admin" in roles or active.assignee_id == user.id):
            acts.append("reassign")
        if (
            roles & set(DECIDER_ROLES)
            and user.id not in self._authors(draft)
            and draft.status not in ("released", "archived")
        ):
            acts.append("decide")
        confirm_roles = {st.role for st in draft.steps if st.confirms_disclosure}
        if roles & ({"editor"} | confirm_roles) and draft.status not in ("released", "archived"):
            acts.append("set_disclosure")
        if "publisher" in roles and not self._gate(s, draft):
            acts.append("release")
        if roles & {"publisher", "admin"} and draft.released_version_id is not None:
            acts.append("withdraw")
        if ok(lambda: self._guard_archive(user, draft)):
            acts.append("archive")
        acts.append("comment")
        return acts

    def list_drafts(
        self,
        actor: Actor,
        *,
        site: str | None = None,
        status: str | None = None,
        step: str | None = None,
        overdue: bool | None = None,
        mine: bool = False,
        queue: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Drafts the actor may see, newest first. `queue=True` (我的待办): drafts where the
        actor can act now — the current step is theirs to approve, or the draft was returned
        to them as editor. `overdue=True`: past the disclosure deadline."""
        with self.db.read() as s:
            user = self._user(s, actor)
            stmt = select(Draft).order_by(Draft.updated_at.desc(), Draft.id.desc())
            if not user.is_admin:
                sites = {g.site for g in user.grants}
                if "*" not in sites:
                    stmt = stmt.where(Draft.site.in_(sites or {""}))
            if site:
                stmt = stmt.where(Draft.site == site)
            if status:
                stmt = stmt.where(Draft.status == status)
            if mine:
                stmt = stmt.where(Draft.created_by_id == user.id)
            if queue:
                stmt = stmt.where(Draft.status.in_(("in_review", "draft")))
            out: list[dict[str, Any]] = []
            skipped = 0
            for draft in s.execute(stmt).scalars():
                active = self._active_step(draft)
                if step and (active is None or active.key != step):
                    continue
                if queue and not self._in_queue(user, draft, active):
                    continue
                summary = self._draft_summary(s, draft)
                if (
                    overdue is not None
                    and bool(summary["deadline"] and summary["deadline"]["overdue"]) != overdue
                ):
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                out.append(summary)
                if len(out) >= limit:
                    break
            return out

    def _in_queue(self, user: User, draft: Draft, active: DraftStep | None) -> bool:
        if active is not None:
            return (
                active.assignee_id in (None, user.id)
                and self.eligibility_problem(user, draft, active) is None
            )
        if draft.status == "draft" and draft.returned:
            return user.id in self._authors(draft)
        return False

    def get_version_file(self, actor: Actor, version_id: int) -> tuple[str, bytes]:
        with self.db.read() as s:
            user = self._user(s, actor)
            version = s.get(Version, version_id)
            if version is None:
                raise NotFound(f"版本不存在：{version_id}。")
            self._can_view(user, self._draft(s, version.draft_id))
            return version.filename, self.store.get(version.sha256)

    def get_scan_result(self, actor: Actor, version_id: int) -> dict[str, Any] | None:
        """The stored FileResult dict of a version (None while pending)."""
        with self.db.read() as s:
            user = self._user(s, actor)
            version = s.get(Version, version_id)
            if version is None:
                raise NotFound(f"版本不存在：{version_id}。")
            self._can_view(user, self._draft(s, version.draft_id))
            return version.scan_result

    # ------------------------------------------------------------------ audit and archive

    def audit_log(
        self, actor: Actor | None = None, *, draft_id: int | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        from pubguard.review.models import AuditEntry

        with self.db.read() as s:
            user = self._user(s, actor, required=False)
            stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
            if draft_id is not None:
                if user is not None:
                    self._can_view(user, self._draft(s, draft_id))
                stmt = stmt.where(AuditEntry.draft_id == draft_id)
            elif user is not None and not user.is_admin:
                raise PermissionDenied("只有系统管理员可以查看全部审计记录。")
            return [audit.entry_to_dict(e) for e in reversed(s.execute(stmt).scalars().all())]

    def verify_audit(self) -> audit.AuditVerification:
        with self.db.read() as s:
            return audit.verify(s)

    def export_archive(self, actor: Actor | None, draft_id: int) -> bytes:
        """A zip of everything kept for a draft: manifest.json (draft, steps, versions with
        scan results, findings and decisions of every version, comments, releases, audit
        entries) and every version's file and attachment."""
        from pubguard.review.models import AuditEntry

        with self.db.write() as s:
            user = self._user(s, actor, required=False)
            draft = self._draft(s, draft_id, lock=True)
            if user is not None:
                self._can_view(user, draft)
            summary = self._draft_summary(s, draft)
            versions = list(draft.versions)
            findings = (
                s.execute(select(FindingRow).where(FindingRow.draft_id == draft.id).order_by(FindingRow.id))
                .scalars()
                .all()
            )
            comments = (
                s.execute(select(Comment).where(Comment.draft_id == draft.id).order_by(Comment.id))
                .scalars()
                .all()
            )
            releases = (
                s.execute(select(Release).where(Release.draft_id == draft.id).order_by(Release.id))
                .scalars()
                .all()
            )
            entries = (
                s.execute(select(AuditEntry).where(AuditEntry.draft_id == draft.id).order_by(AuditEntry.seq))
                .scalars()
                .all()
            )
            names = self._usernames(
                s,
                [f.decided_by_id for f in findings]
                + [c.author_id for c in comments]
                + [r.released_by_id for r in releases]
                + [r.withdrawn_by_id for r in releases]
                + [v.uploaded_by_id for v in versions],
            )
            manifest = {
                "format": "pubguard.archive/1",
                "exported_at": self.now().isoformat(),
                "exported_by": user.username if user else "system",
                "draft": summary,
                "versions": [
                    dict(
                        self._version_dict(v),
                        uploaded_by=names.get(v.uploaded_by_id),
                        scan_result=v.scan_result,
                        file=f"versions/v{v.number}-{v.filename}",
                    )
                    for v in versions
                ],
                "findings": [self._finding_dict(f, names) for f in findings],
                "comments": [self._comment_dict(c, names) for c in comments],
                "releases": [self._release_dict(r, names) for r in releases],
                "audit": [audit.entry_to_dict(e) for e in entries],
            }
            self._audit(s, user, "archive.export", draft=draft)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, default=str))
            for v in versions:
                zf.writestr(f"versions/v{v.number}-{v.filename}", self.store.get(v.sha256))
            for c in comments:
                if c.attachment_sha256:
                    zf.writestr(
                        f"attachments/{c.id}-{c.attachment_name}", self.store.get(c.attachment_sha256)
                    )
        return buf.getvalue()


def open_review(
    database_url: str | None = None,
    data_dir: str | None = None,
    *,
    scanner: Scanner | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> ReviewService:
    """Open (and migrate) the review database: `PUBGUARD_DATABASE_URL` or SQLite under
    `./data` unless given."""
    from pathlib import Path

    settings = ReviewSettings(database_url=database_url)
    if data_dir is not None:
        settings.data_dir = Path(data_dir)
    return ReviewService(settings, scanner=scanner, clock=clock)
