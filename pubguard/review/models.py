"""Database models of the review workflow (SQLAlchemy 2). The schema is created and changed
only by the Alembic migrations in `pubguard/review/migrations`; a test keeps both in sync.

Ids are integers; times are stored in UTC. `Draft.lock_version` is an optimistic lock: every
state change of a draft bumps it, so two concurrent writers cannot both succeed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from pubguard.masking import mask_email
from pubguard.progress import STAGE_LABELS
from pubguard.review.readmodels import JobView, SiteView, UserView
from pubguard.review.states import DraftStatus, FindingStatus, ScanStatus, StepStatus, check_constraint

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # for 消息 by e-mail (SMTP); never logged
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # global administrator
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def to_dict(self) -> UserView:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "is_active": self.is_active,
            "is_admin": self.is_admin,
            # the address itself never leaves the database in full (消息 e-mail only)
            "email_masked": mask_email(self.email) if self.email else "",
            "roles": sorted(
                ({"site": g.site, "role": g.role} for g in self.grants), key=lambda r: (r["site"], r["role"])
            ),
        }


class RoleGrant(Base):
    """A role held on one site (`site = "*"`: on every site)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "site", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    site: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="grants")


class AuthToken(Base):
    """Session cookies and bearer tokens for the web service; only a hash is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # session | api | check (a check token opens POST /api/v1/check only)
    kind: Mapped[str] = mapped_column(String(16), default="session")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Site(Base):
    """A website (or site group member) with its own workflow and publish target."""

    __tablename__ = "sites"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    workflow: Mapped[str] = mapped_column(String(200), default="default")
    publish: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # target config
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The site's 栏目, in menu order (None/empty: the upload form takes free text).
    columns: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)

    def to_dict(self) -> SiteView:
        return {
            "key": self.key,
            "name": self.name,
            "workflow": self.workflow,
            "publish": self.publish,
            "columns": list(self.columns or []),
        }


class Draft(Base):
    """One piece of content for one site and column (栏目), with immutable versions."""

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_site_status", "site", "status"),
        CheckConstraint(check_constraint("status", DraftStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    column_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500))
    # draft | in_review | approved | released | withdrawn | archived
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.DRAFT)
    returned: Mapped[bool] = mapped_column(Boolean, default=False)  # sent back to the editor
    important: Mapped[bool] = mapped_column(Boolean, default=False)
    workflow: Mapped[str] = mapped_column(String(200), default="default")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    formed_on: Mapped[dt.date] = mapped_column(Date)  # when the information was formed
    # No FK (drafts <-> versions would be circular); the service keeps these consistent.
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    released_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    disclosure_proposed: Mapped[str | None] = mapped_column(String(16), nullable=True)
    disclosure_proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    disclosure: Mapped[str | None] = mapped_column(String(16), nullable=True)
    disclosure_basis: Mapped[str] = mapped_column(Text, default="")
    disclosure_reason: Mapped[str] = mapped_column(Text, default="")
    disclosure_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    disclosure_set_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disclosure_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    disclosure_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disclosure_confirmed_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    # 分级审批 (`pubguard.review.routes`): the information class picks the route; the scanner's
    # suggestion (`pubguard.infoclass`, mapped onto the site's class list) is kept beside it.
    info_class: Mapped[str | None] = mapped_column(String(32), nullable=True)
    info_class_proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    info_class_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    versions: Mapped[list[Version]] = relationship(
        back_populates="draft", order_by="Version.number", cascade="all, delete-orphan"
    )
    steps: Mapped[list[DraftStep]] = relationship(order_by="DraftStep.position", cascade="all, delete-orphan")
    creator: Mapped[User] = relationship(foreign_keys=[created_by_id])


class Attachment(Base):
    """附件 of a draft (a form, a table, a scanned annex): uploaded while a version is current,
    kept in the content-addressed store and scanned like a version; its open 阻断/高 findings
    keep the draft from release until the attachment is replaced."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    scan_status: Mapped[str] = mapped_column(String(16), default="pending")
    scan_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    scan_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # FileResult.to_dict()


class Version(Base):
    """An uploaded file; never changed after its scan is stored."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint(check_constraint("scan_status", ScanStatus), name="scan_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    scan_status: Mapped[str] = mapped_column(String(16), default=ScanStatus.PENDING)
    scan_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    scan_error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    scan_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # FileResult.to_dict()
    scanned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)

    draft: Mapped[Draft] = relationship(back_populates="versions")
    # Set when this version is a clean copy made by PubGuard (see `pubguard.review.cleancopy`).
    clean_copy: Mapped[CleanCopy | None] = relationship(
        foreign_keys="CleanCopy.version_id", viewonly=True, uselist=False
    )


class CleanCopy(Base):
    """The clean-copy report of a version PubGuard made from an earlier one (`clean_bytes`):
    what was removed or masked, where, by which rule, and the re-scan verdict. Written in the
    same transaction as its version and never changed; carries masked evidence only."""

    __tablename__ = "clean_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), unique=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    source_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    releasable: Mapped[bool] = mapped_column(Boolean, default=False)  # the report's own verdict
    remaining_blockers: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # CleanReport.to_dict() (pubguard.clean/1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[Version] = relationship(foreign_keys=[source_version_id], viewonly=True)


class DraftStep(Base):
    """One workflow step of one draft, bound to the version it was (or is to be) approved on."""

    __tablename__ = "draft_steps"
    __table_args__ = (
        UniqueConstraint("draft_id", "key"),
        CheckConstraint(check_constraint("status", StepStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))  # review | proofread
    role: Mapped[str] = mapped_column(String(32))
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirms_disclosure: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=StepStatus.PENDING)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    carried: Mapped[bool] = mapped_column(Boolean, default=False)  # approval kept for a newer version


class FindingRow(Base):
    """A finding of one version plus the reviewer's decision on it."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_draft_fingerprint", "draft_id", "fingerprint"),
        CheckConstraint(check_constraint("status", FindingStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")  # masked by the detector
    location: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    suggestion: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    block_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=FindingStatus.OPEN)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decision_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    carried_from_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fixed_in_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A 误报 of a blocker/high finding: the step position when it was made and who confirmed it
    # (another person, at a later step); the release gate wants both (AuthorityPolicy).
    decision_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Comment(Base):
    """A reviewer's comment or a proofreader's correction (optionally with an attached file)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), nullable=True)
    step_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="comment")  # comment | correction
    body: Mapped[str] = mapped_column(Text, default="")
    attachment_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attachment_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Release(Base):
    """One publication of one version to a target; withdrawing keeps the row."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text, default="")
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    # 附件 published with the file: [{"file", "sha256", "size", "location"}]; None before issue 18
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class Job(Base):
    """A durable background job (scan of an uploaded version); survives restarts."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="scan")
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Progress of the scan while it runs (PDF pages read, then analysed: pubguard.progress),
    # written by the worker every second or so.
    pages_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages_stage: Mapped[str | None] = mapped_column(String(16), nullable=True)  # read | analyse

    def to_dict(self) -> JobView:
        return {
            "id": self.id,
            "kind": self.kind,
            "version_id": self.version_id,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "pages_done": self.pages_done,
            "pages_total": self.pages_total,
            "pages_stage": self.pages_stage,
            "pages_stage_label": STAGE_LABELS.get(self.pages_stage or ""),
            "created_at": _iso(self.created_at),
            "finished_at": _iso(self.finished_at),
        }


class AuditEntry(Base):
    """Append-only, hash-chained log. Triggers refuse UPDATE and DELETE; `hash` covers every
    field and the previous entry's hash, so an edit anywhere breaks the chain."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed exactly as stored
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    step: Mapped[str | None] = mapped_column(String(32), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row holding the chain's tip; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class ReleaseIntent(Base):
    """The outbox of a release: written and committed *before* anything goes online, finished
    (`done`) in the transaction that records the release, or settled by `reconcile()` after a
    crash (`done` when the target holds exactly this version, else `rolled_back`)."""

    __tablename__ = "release_intents"
    __table_args__ = (Index("ix_release_intents_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    site: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | rolled_back
    owner: Mapped[str] = mapped_column(String(100), default="")  # host:pid of the releasing process
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[str] = mapped_column(String(40))  # the time written into meta.json
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    release_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class LoginFailure(Base):
    """A failed login (user name lower-cased, client address): the throttle counts these rows,
    so it holds across restarts and is shared by every server process."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_user_ip_at", "username", "ip", "at"),
        Index("ix_login_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# Registers of issue 16 (政民互动, 依申请公开) share this metadata; imported last (they use Base).
# Tables of 分级审批 / 政策解读 / 值班读网 live in their own module (same metadata).
from pubguard.review import models_notify as _models_notify  # noqa: E402,F401
from pubguard.review import models_routes as _models_routes  # noqa: E402,F401
from pubguard.review import registers as _registers  # noqa: E402, F401
