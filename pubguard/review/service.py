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
from collections import Counter
from collections.abc import Callable
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubguard.errors import PubGuardError
from pubguard.finding import Finding, Severity, assign_fingerprints
from pubguard.masking import mask_name
from pubguard.review import faults, states
from pubguard.review.accounts import AccountsMixin
from pubguard.review.annual_report import AnnualReportMixin
from pubguard.review.attachments import AttachmentsMixin
from pubguard.review.base import (
    UPLOADABLE,
    Actor,
    Scanner,
    TooLargeUpload,
    draft_identity,
)
from pubguard.review.cleancopy import CleanCopyMixin
from pubguard.review.duty import DutyMixin
from pubguard.review.errors import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from pubguard.review.findings import FindingsMixin
from pubguard.review.foi import FoiMixin
from pubguard.review.gate import (
    PUBLIC,
    STATUS_LABELS,
    WITHHELD,
    normalise_attribute,
    public_conflicts,
)
from pubguard.review.interaction import InteractionMixin
from pubguard.review.interpretation import InterpretationMixin
from pubguard.review.models import (
    Comment,
    Draft,
    DraftStep,
    FindingRow,
    Job,
    Site,
    User,
    Version,
)
from pubguard.review.notify import NotifyMixin
from pubguard.review.publish import name_for_format, safe_filename
from pubguard.review.register import RegisterMixin
from pubguard.review.rekey import RekeyMixin
from pubguard.review.releasing import ReleaseMixin
from pubguard.review.reveal import RevealMixin
from pubguard.review.routes import RoutesMixin
from pubguard.review.scanjobs import JobsMixin
from pubguard.review.settings import ReviewSettings
from pubguard.review.states import DraftEvent
from pubguard.review.views import ViewsMixin
from pubguard.review.workflow import WorkflowDef
from pubguard.scan import FileResult


def _me() -> str:
    from pubguard.review.jobs import worker_name

    return worker_name()


__all__ = ["Actor", "ReviewService", "Scanner", "TooLargeUpload", "draft_identity", "open_review"]


class ReviewService(
    NotifyMixin,
    FindingsMixin,
    AccountsMixin,
    AttachmentsMixin,
    JobsMixin,
    ViewsMixin,
    CleanCopyMixin,
    InteractionMixin,
    RoutesMixin,
    InterpretationMixin,
    DutyMixin,
    RegisterMixin,
    FoiMixin,
    ReleaseMixin,
    AnnualReportMixin,
    RekeyMixin,
    RevealMixin,
):
    """All review operations. Open one with `open_review()`; it is thread-safe (one session
    per call)."""

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
        """Create a draft (and its first version when `data` is given) in one transaction:
        a crash leaves either nothing or a draft with its version and queued scan. The file is
        stored first (content-addressed; a stray temporary file is swept at start-up).
        `scan=False` leaves the scan to a background worker; otherwise it runs now."""
        title = title.strip()
        if not title:
            raise InvalidInput("请填写稿件标题。")
        upload = None
        if data is not None:
            with self.db.read() as s:  # cheap checks before storing the file
                user = self._user(s, actor)
                if s.get(Site, site) is None:
                    raise NotFound(f"站点不存在：{site}。")
                self._require_role(user, site, "editor", what="创建稿件")
            upload = self._receive(data, filename or "draft")
            faults.point("upload:after_store")
        job_id = None
        with self.db.write() as s:
            user = self._user(s, actor)
            site_row = s.get(Site, site)
            if site_row is None:
                raise NotFound(f"站点不存在：{site}。")
            self._require_role(user, site, "editor", what="创建稿件")
            column = column.strip()
            if column and site_row.columns and column not in site_row.columns:
                raise InvalidInput(
                    f"栏目「{column}」不在站点的栏目列表中，请从列表中选择：{'、'.join(site_row.columns)}。"
                )
            info_class, route = self._initial_route(site_row.workflow, important)
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
                info_class=info_class,
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
                for i, st in enumerate(route)
            ]
            s.add(draft)
            s.flush()
            self._audit(
                s,
                user,
                "draft.create",
                draft=draft,
                details={
                    "site": site,
                    "column": column,
                    "title": title,
                    "important": important,
                    "info_class": info_class,
                },
            )
            draft_id = draft.id
            if upload is not None:
                sha, size, fmt, name = upload
                version = self._add_version(
                    s, user, draft, filename=name, sha=sha, size=size, fmt=fmt, note=note, result=None
                )
                if scan:  # this process scans it right away; a crash re-queues the job
                    job = s.execute(select(Job).where(Job.version_id == version.id)).scalar_one()
                    job.status, job.locked_by, job.locked_at, job.attempts = "running", _me(), now, 1
                    job_id = job.id
        if job_id is not None:
            self.run_job(job_id, scanner=scanner)
        return self.get_draft(actor, draft_id)

    def _receive(self, data: bytes | BinaryIO, filename: str) -> tuple[str, int, str | None, str]:
        """Store an upload and sniff its format: (sha256, size, format, stored file name)."""
        from pubguard.extract.sniff import sniff_format

        sha, size, raw = self._read_upload(data)
        try:
            fmt = sniff_format(raw, filename)
        except PubGuardError as exc:
            raise InvalidInput(f"文件无法接收：{exc.message}", code=exc.code) from exc
        return sha, size, fmt, name_for_format(filename, fmt)

    def set_important(self, actor: Actor, draft_id: int, important: bool) -> dict[str, Any]:
        """Flag as important information (adds the 通读 step; 3-working-day deadline)."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "editor", "admin", what="修改重要信息标记")
            if draft.status not in ("draft", "withdrawn"):
                raise InvalidState("只有草稿（未送审）状态可以修改重要信息标记。")
            if draft.important != important:
                wanted = self._draft_route(draft, important)
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
        with self.db.read() as s:  # cheap checks before storing and scanning
            self._guard_upload(self._user(s, actor), self._draft(s, draft_id))
        sha, size, fmt, filename = self._receive(data, filename)
        faults.point("upload:after_store")
        result = self._scan(self.store.get(sha), filename, draft_id, scanner) if scan else None
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_upload(user, draft)
            version = self._add_version(
                s, user, draft, filename=filename, sha=sha, size=size, fmt=fmt, note=note, result=result
            )
            return self._version_dict(version)

    def _guard_upload(self, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "editor", what="上传稿件")
        if draft.status not in UPLOADABLE:
            raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能再上传新版本。")

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
    ) -> Version:
        """The stored file becomes the draft's current version (inside the caller's
        transaction, draft locked): steps re-open, the audit entry is written, and the scan
        is stored now or queued as a job."""
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
            action,
            draft=draft,
            version_id=version.id,
            comment=note,
            details={
                "number": number,
                "filename": version.filename,
                "sha256": sha,
                "size": size,
                "reopened": reopened,
                **(details or {}),
            },
        )
        if result is not None:
            self._store_scan(s, draft, version, result)
        else:
            s.add(Job(kind="scan", version_id=version.id, created_at=now))
        s.flush()
        return version

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
        if states.allowed(DraftEvent.NEW_VERSION, draft.status):
            states.apply(draft, DraftEvent.NEW_VERSION)
        self._sync_status(draft)
        return reopened

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
                .order_by(FindingRow.id)
            ).scalars()
            # The latest row per fingerprint wins, so a decision withdrawn later stays withdrawn.
            latest = {row.fingerprint: row for row in earlier}
            if any(not f.fingerprint for f in result.findings):  # an injected scanner may skip it
                assign_fingerprints(result.findings, draft_identity(draft.id))
            seen: set[str] = set()
            for f in result.findings:
                row = self._finding_row(draft, version, f)
                prev = latest.get(row.fingerprint)
                if prev is not None and prev.decision and self._decision_still_valid(wf, prev, row):
                    row.decision = prev.decision
                    row.status = prev.decision or "open"
                    row.decision_reason = prev.decision_reason
                    row.decision_level = prev.decision_level
                    row.decided_by_id = prev.decided_by_id
                    row.decided_at = prev.decided_at
                    row.decision_step = prev.decision_step
                    row.confirmed_by_id = prev.confirmed_by_id
                    row.confirmed_at = prev.confirmed_at
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
            if version.id == draft.current_version_id and result.info_class is not None:
                self._store_class_proposal(draft, result.info_class.to_dict())
            self._check_policy_interpretation(s, draft, version)
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
            # A repeated problem (one finding with a count): its occurrences travel with it.
            details=(
                {**f.details, "count": f.count, "locations": [loc.to_dict() for loc in f.locations]}
                if f.count > 1
                else f.details or None
            ),
            status="open",
        )

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

    def submit(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None = None,
        comment: str = "",
        *,
        acknowledge_blockers: bool | None = None,
    ) -> dict[str, Any]:
        """Send a draft into review (first time, after a return, or after a withdrawal).
        Open 阻断 findings: with the workflow's `[submit] open_blockers = "refuse"` 送审 is
        refused; with "warn" (default) a caller that showed the warning passes
        `acknowledge_blockers` (False: the editor did not confirm → refused; None: a caller
        without a warning step, e.g. the API, goes ahead). The count is in the audit entry."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_submit(s, user, draft)
            if version_id is not None:
                self._check_version(draft, version_id)
            blockers = self._open_blockers(s, draft)
            if blockers:
                policy = self._workflow(draft).submit_open_blockers
                if policy == "refuse":
                    raise InvalidState(
                        f"有 {blockers} 个阻断级问题尚未处理：按本站规定，须先修改或认定后才能送审。",
                        code="open_blockers",
                        details={"open_blockers": blockers},
                    )
                if acknowledge_blockers is False:
                    raise InvalidState(
                        f"有 {blockers} 个阻断级问题尚未处理。如确需送审，请勾选“我已知晓”后再送审。",
                        code="open_blockers",
                        details={"open_blockers": blockers},
                    )
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
            states.apply(draft, DraftEvent.SUBMIT)
            draft.returned = False
            self._sync_status(draft)
            self._notify_turn(s, draft)
            self._audit(
                s,
                user,
                "draft.submit",
                draft=draft,
                comment=comment,
                details={"open_blockers": blockers} if blockers else None,
            )
            return self._draft_summary(s, draft)

    def _guard_submit(self, s: Session, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "editor", what="送审")
        states.guard(draft, DraftEvent.SUBMIT)
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
            states.apply(draft, DraftEvent.RECALL)
            self._audit(s, user, "draft.recall", draft=draft, comment=comment)
            return self._draft_summary(s, draft)

    def _guard_recall(self, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "editor", what="撤回送审")
        states.guard(draft, DraftEvent.RECALL)

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
            if step_key is None:
                self._guard_repeat_approval(user, draft)
            hold = self.approval_hold(s, draft, step)
            if hold:
                raise InvalidState(hold, code="confirmed_unfixed")
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
            self._notify_turn(s, draft)
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
                self._step_comment(s, draft, version.id, step.key, user, "comment", comment, now)
            return self._draft_summary(s, draft)

    @staticmethod
    def _guard_repeat_approval(user: User, draft: Draft) -> None:
        """Without `step_key` an approval means "the step I was shown": a caller who already
        approved a step of this version (a double click, a retried request, 20 parallel calls)
        must not approve the next one too. Writers hold the draft lock, so this is race-safe."""
        done = next(
            (
                st
                for st in draft.steps
                if st.status == "approved"
                and st.approved_by_id == user.id
                and st.version_id == draft.current_version_id
                and not st.carried
            ),
            None,
        )
        if done is not None:
            raise Conflict(
                f"您已审批「{done.name}」；如需审批当前步骤，请指明步骤（step_key）后重试。",
                details={"approved_step": done.key},
            )

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
                states.apply(draft, DraftEvent.RETURN)
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
            self._step_comment(s, draft, draft.current_version_id, step.key, user, "rejection", comment, now)
            self._notify_returned(s, draft, user, step.name, comment)
            return self._draft_summary(s, draft)

    @staticmethod
    def _step_comment(
        s: Session,
        draft: Draft,
        version_id: int | None,
        step_key: str,
        user: Any,
        kind: str,
        body: str,
        now: Any,
    ) -> None:
        """The comment an approval or rejection leaves on its step (kept with the draft)."""
        s.add(
            Comment(
                draft_id=draft.id,
                version_id=version_id,
                step_key=step_key,
                author_id=user.id,
                kind=kind,
                body=body,
                created_at=now,
            )
        )

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
            if target is not None and target.id != user.id:  # 转交: the new handler is told
                self._notify(
                    s,
                    [target],
                    "turn",
                    f"「{draft.title}」转交给您{step.name}",
                    f"{user.label} 将「{step.name}」转交给您处理。",
                    draft=draft,
                )
            return self._draft_summary(s, draft)

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

    def archive(self, actor: Actor, draft_id: int, comment: str = "") -> dict[str, Any]:
        """归档: close a draft for good (依申请公开 / 不予公开 drafts, or abandoned ones). Its
        versions, scans, decisions and comments stay and can be exported."""
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_archive(user, draft)
            self._touch(draft)
            states.apply(draft, DraftEvent.ARCHIVE)
            self._audit(
                s, user, "archive", draft=draft, comment=comment, details={"disclosure": draft.disclosure}
            )
            return self._draft_summary(s, draft)

    def _guard_archive(self, user: User, draft: Draft) -> None:
        self._require_role(user, draft.site, "publisher", "admin", what="归档")
        if draft.released_version_id is not None:
            raise InvalidState("稿件仍在网站上，请先撤稿再归档。")
        states.guard(draft, DraftEvent.ARCHIVE)

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
            if version is None or not all(
                st.status == "approved" and st.version_id == version.id for st in draft.steps
            ):
                raise InvalidState("稿件尚未在当前版本上完成全部审核，不能对外提供。")
            self._touch(draft)
            self._audit(
                s,
                user,
                "provide_on_request",
                draft=draft,
                comment=reason,
                # The audit log is permanent: the applicant only masked (张*), never in full.
                details={"applicant": mask_name(applicant.strip())},
            )
            return version.filename, self.store.get(version.sha256)


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
