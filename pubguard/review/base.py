"""Shared plumbing of the review service: settings, database, file store, clock, the
acting user and their roles, separation of duties, and the audit helper. The operations live
in the mixins (`accounts`, `scanjobs`, `views`) and in `service.ReviewService`."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Self, overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from pubguard.errors import PubGuardError, size_limit_label
from pubguard.review import audit, states
from pubguard.review.db import Database
from pubguard.review.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from pubguard.review.models import (
    Draft,
    DraftStep,
    FindingRow,
    User,
    Version,
    utcnow,
)
from pubguard.review.settings import ReviewSettings
from pubguard.review.states import DraftEvent, DraftStatus, StepStatus
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
# A running scan job writes its page progress (and refreshes its lock) at most this often.
JOB_PROGRESS_SECONDS = 1.0
_SITE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class TooLargeUpload(InvalidInput):
    code = "too_large"
    http_status = 413


def draft_identity(draft_id: int) -> str:
    """The document identity given to the scanner: fingerprints stay stable across versions."""
    return f"draft-{draft_id}"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class ServiceBase:
    if TYPE_CHECKING:
        # The methods one mixin of ReviewService calls on another, declared once here so that
        # every mixin is type-checked against the same signatures (the real definitions live in
        # drafts, workflow_service, views, routes, releasing, notify, scanjobs, … and override these).
        from pubguard.review.deadlines import Deadline
        from pubguard.review.models import Comment, Release
        from pubguard.review.privacy import MaskCheck, PrivateValues
        from pubguard.review.publish import PublishTarget
        from pubguard.review.readmodels import (
            CommentView,
            DraftDetailView,
            DraftSummaryView,
            FindingView,
            JobView,
            ReleaseView,
            VersionView,
        )
        from pubguard.review.workflow import StepDef

        def _guard_upload(self, user: User, draft: Draft) -> None: ...

        def _receive(self, data: bytes | BinaryIO, filename: str) -> tuple[str, int, str | None, str]: ...

        def _reopen_for_new_version(self, draft: Draft, version: Version) -> list[str]: ...
        def _add_version(
            self,
            s: Session,
            user: User,
            draft: Draft,
            *,
            filename: str,
            sha: str,
            size: int,
            fmt: str | None,
            note: str,
            result: FileResult | None,
            action: str = "version.upload",
            details: dict[str, Any] | None = None,
        ) -> Version: ...
        def _version_dict(self, v: Version) -> VersionView: ...
        def _initial_route(self, workflow: str, important: bool) -> tuple[str | None, list[StepDef]]: ...
        def _draft_route(self, draft: Draft, important: bool) -> list[StepDef]: ...
        def _store_class_proposal(self, draft: Draft, suggestion: dict[str, Any] | None) -> None: ...
        def _check_policy_interpretation(self, s: Session, draft: Draft, version: Version) -> None: ...
        def run_job(self, job_id: int, *, scanner: Scanner | None = None) -> JobView: ...
        def get_draft(self, actor: Actor, draft_id: int) -> DraftDetailView: ...
        def _draft_summary(self, s: Session, draft: Draft) -> DraftSummaryView: ...
        def deadline(self, draft: Draft, session: Session) -> Deadline | None: ...
        @staticmethod
        def _comment_dict(c: Comment, names: dict[int, str]) -> CommentView: ...
        def withdraw(
            self, actor: Actor, draft_id: int, reason: str, *, target: PublishTarget | None = None
        ) -> DraftSummaryView: ...
        @staticmethod
        def _finding_dict(r: FindingRow, names: dict[int, str]) -> FindingView: ...
        def _mask(self, text: str, private: PrivateValues, extra: tuple[str, ...] = ()) -> MaskCheck: ...
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
        ) -> DraftDetailView: ...
        def make_clean_version(
            self, actor: Actor, draft_id: int, version_id: int, options: Any = None
        ) -> VersionView: ...
        def set_disclosure(
            self, actor: Actor, draft_id: int, attribute: str, *, basis: str = "", reason: str = ""
        ) -> DraftSummaryView: ...
        def submit(self, actor: Actor, draft_id: int, version_id: int | None = None) -> DraftSummaryView: ...
        @staticmethod
        def _release_dict(
            r: Release, names: dict[int, str], publish: dict[str, Any] | None = None
        ) -> ReleaseView: ...
        def _gate(self, s: Session, draft: Draft) -> list[str]: ...
        def _store_scan(self, s: Session, draft: Draft, version: Version, result: FileResult) -> None: ...
        def _guard_submit(self, s: Session, user: User, draft: Draft) -> None: ...
        def _guard_recall(self, user: User, draft: Draft) -> None: ...
        def _guard_archive(self, user: User, draft: Draft) -> None: ...
        def _notify(
            self,
            s: Session,
            users: Iterable[User],
            kind: str,
            title: str,
            body: str = "",
            *,
            draft: Draft | None = None,
            key: str | None = None,
        ) -> int: ...
        def _notify_turn(self, s: Session, draft: Draft) -> None: ...
        def _notify_returned(
            self, s: Session, draft: Draft, actor: User, step_name: str, reason: str
        ) -> None: ...

    def __init__(
        self,
        settings: ReviewSettings | None = None,
        *,
        scanner: Scanner | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        migrate: bool = True,
    ):
        self.settings = settings or ReviewSettings()
        self.settings.data_dir = self.settings.data_dir.resolve()  # immune to later chdir
        from pubguard import keys

        keys.use_installation(self.settings.data_dir / "keys" / "fingerprint.key")  # outside the DB
        self.db = Database(self.settings.resolved_database_url())
        if migrate:
            self.db.migrate()
        if not os.environ.get(keys.ENV_KEY):  # finish or drop a key rotation a crash interrupted
            from pubguard.review.rekey import rotation_committed

            keys.settle_pending(keys.key_path(), lambda kid: rotation_committed(self.db, kid))
        self.store = FileStore(self.settings.files_dir)
        self._scanner = scanner
        self.clock = clock or utcnow

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        return self.now().astimezone(CHINA_TZ).date()

    def _scan(self, data: bytes, filename: str, draft_id: int, scanner: Scanner | None) -> FileResult:
        scan = scanner or self._scanner
        if scan is None:
            from pubguard.scan import scan_bytes

            scan = scan_bytes
        return scan(data, filename, self.settings.scan_config, identity=draft_identity(draft_id))

    @overload
    @staticmethod
    def _user(session: Session, actor: Actor | None, *, required: Literal[True] = True) -> User: ...

    @overload
    @staticmethod
    def _user(session: Session, actor: Actor | None, *, required: bool) -> User | None: ...

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
        if not self._roles(user, draft.site):  # answered like a missing draft: no probing of ids
            raise NotFound(f"稿件不存在：{draft.id}。")

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
        duties = self._workflow(draft).duties
        if duties.author_never_approves and user.id in self._authors(draft):
            return f"不能审校自己撰写或上传的稿件（「{step.name}」需由他人处理）。"
        mine = [
            o
            for o in draft.steps
            if o.key != step.key and o.status == "approved" and o.approved_by_id == user.id
        ]
        for group in duties.distinct:
            if step.key in group:
                same = next((o for o in mine if o.key in group), None)
                if same is not None:
                    return f"「{step.name}」须由不同的人处理：{user.label} 已处理「{same.name}」。"
        if duties.proofread_and_review_apart:
            other_kind = next((o for o in mine if o.kind != step.kind), None)
            if other_kind is not None:
                return (
                    f"同一人不能既校对又审核同一稿件：{user.label} 已处理「{other_kind.name}」，"
                    f"不能再处理「{step.name}」。"
                )
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

    def _open_blockers(self, s: Session, draft: Draft) -> int:
        """Open (undecided) 阻断 findings of the current version."""
        if draft.current_version_id is None:
            return 0
        return int(
            s.execute(
                select(func.count())
                .select_from(FindingRow)
                .where(
                    FindingRow.version_id == draft.current_version_id,
                    FindingRow.status == "open",
                    FindingRow.severity == "blocker",
                )
            ).scalar_one()
        )

    def approval_hold(self, s: Session, draft: Draft, step: DraftStep) -> str | None:
        """Why no step may be approved now (None: nothing holds it): a 阻断 or 高风险 finding
        someone confirmed 确认须修改 is still in the current version — the draft goes back to
        the editor (退回) instead; the step is approved on the version that fixed it."""
        if draft.current_version_id is None:
            return None
        n = int(
            s.execute(
                select(func.count())
                .select_from(FindingRow)
                .where(
                    FindingRow.version_id == draft.current_version_id,
                    FindingRow.status == "confirmed",
                    FindingRow.severity.in_(("blocker", "high")),
                )
            ).scalar_one()
        )
        if not n:
            return None
        return (
            f"有 {n} 个阻断或高风险问题已确认须修改、尚未改正，不能通过「{step.name}」："
            "请退回编辑修改，新版本改正后再审核。"
        )

    def publish_problem(self, user: User, draft: Draft) -> str | None:
        """Why `user` may not publish `draft` (None: may), by the separation of duties
        (DutyPolicy): not the author, not the approver of a `not_publisher` step (终审)."""
        duties = self._workflow(draft).duties
        if duties.author_never_publishes and user.id in self._authors(draft):
            return "不能发布自己撰写或上传的稿件（须由他人发布）。"
        for st in draft.steps:
            if st.key in duties.not_publisher and st.approved_by_id == user.id:
                return f"「{st.name}」的审批人不能同时发布该稿件（审发分离）。"
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

    def _read_upload(self, data: bytes | BinaryIO) -> tuple[str, int, bytes]:
        limit = self.settings.max_upload_bytes
        if isinstance(data, bytes | bytearray | memoryview):
            raw = bytes(data)
            if len(raw) > limit:
                raise TooLargeUpload(f"文件过大，超过上限 {size_limit_label(limit)}。")
            return self.store.put(raw), len(raw), raw
        try:
            sha, size = self.store.put_stream(data, limit)
        except PubGuardError as exc:
            raise TooLargeUpload(exc.message) from exc
        return sha, size, self.store.get(sha)

    @staticmethod
    def _clear_confirmation(draft: Draft) -> None:
        draft.disclosure_confirmed_by_id = None
        draft.disclosure_confirmed_at = None
        draft.disclosure_confirmed_version_id = None

    @staticmethod
    def _sync_status(draft: Draft) -> None:
        if draft.status in (DraftStatus.IN_REVIEW, DraftStatus.APPROVED):
            done = all(
                st.status == StepStatus.APPROVED and st.version_id == draft.current_version_id
                for st in draft.steps
            )
            states.apply(draft, DraftEvent.STEPS_DONE if done else DraftEvent.STEPS_OPEN)
