"""Drafts and their versions: create a draft, upload a version (the file stored, its scan
attached with the decisions carried over), the 重要信息 flag, the disclosure attribute,
comments and 依申请提供. Part of `ReviewService` (service.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubguard.errors import PubGuardError
from pubguard.finding import Finding, Severity, assign_fingerprints
from pubguard.masking import mask_name
from pubguard.review import faults, states
from pubguard.review.base import UPLOADABLE, Actor, Scanner, ServiceBase, draft_identity
from pubguard.review.errors import InvalidInput, InvalidState, NotFound
from pubguard.review.gate import PUBLIC, STATUS_LABELS, WITHHELD, normalise_attribute
from pubguard.review.models import Comment, Draft, DraftStep, FindingRow, Job, Site, User, Version
from pubguard.review.publish import name_for_format, safe_filename
from pubguard.review.readmodels import CommentView, DraftDetailView, DraftSummaryView, VersionView
from pubguard.review.states import DraftEvent
from pubguard.review.workflow import WorkflowDef
from pubguard.scan import FileResult


def _me() -> str:
    from pubguard.review.jobs import worker_name

    return worker_name()


class DraftsMixin(ServiceBase):
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
    ) -> DraftDetailView:
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

    def set_important(self, actor: Actor, draft_id: int, important: bool) -> DraftDetailView:
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
    ) -> VersionView:
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
                {**f.details.to_json(), "count": f.count, "locations": [loc.to_dict() for loc in f.locations]}
                if f.count > 1
                else f.details.to_json() or None
            ),
            status="open",
        )

    def set_disclosure(
        self, actor: Actor, draft_id: int, attribute: str, *, basis: str = "", reason: str = ""
    ) -> DraftSummaryView:
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
    ) -> CommentView:
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
