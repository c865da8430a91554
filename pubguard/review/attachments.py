"""附件: files attached to a draft (申请表、名单、扫描的附件页…). They are stored in the
content-addressed store with the version that was current when they were added, scanned with the
same scanner as versions (their findings carry masked evidence only), listed on the draft page,
downloadable by whoever may see the draft, and removable by the editor while the draft can take
uploads. A 阻断 or 高 finding, or a failed scan, in any attachment keeps the draft from release
(`attachment_problems`, part of the gate): the fix is to remove it and attach a clean file."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.finding import Severity
from pubguard.labels import SEVERITY
from pubguard.review.base import Actor, Scanner, ServiceBase, _iso, log
from pubguard.review.errors import InvalidState, NotFound
from pubguard.review.models import Attachment, Draft, User, Version
from pubguard.review.readmodels import AttachmentView

MAX_ATTACHMENTS = 20
BLOCKING = (Severity.BLOCKER, Severity.HIGH)


def attachment_problems(attachments: list[Attachment]) -> list[str]:
    """Gate reasons from a draft's attachments (Chinese)."""
    reasons = []
    for a in attachments:
        if a.scan_status != "ok":
            reasons.append(f"附件「{a.filename}」检查未完成或失败，无法确认不含禁止发布的内容。")
            continue
        findings = (a.scan_result or {}).get("findings") or []
        n = sum(1 for f in findings if f.get("severity") in BLOCKING)
        if n:
            reasons.append(f"附件「{a.filename}」有 {n} 个阻断或高风险问题，请删除该附件并上传处理后的文件。")
    return reasons


class AttachmentsMixin(ServiceBase):
    def add_attachment(
        self,
        actor: Actor,
        draft_id: int,
        filename: str,
        data: bytes | BinaryIO,
        *,
        scanner: Scanner | None = None,
    ) -> AttachmentView:
        with self.db.read() as s:
            user = self._me(s, actor)
            draft = self._draft(s, draft_id)
            self._guard_upload(user, draft)
            if draft.current_version_id is None:
                raise InvalidState("请先上传稿件正文，再添加附件。")
        sha, size, fmt, filename = self._receive(data, filename)
        status, error, result = "ok", None, None
        try:
            scanned = self._scan(self.store.get(sha), filename, draft_id, scanner)
            result = scanned.to_dict()
            if scanned.status != "ok":
                status, error = "error", scanned.error or "无法检查"
        except Exception as exc:  # a scan failure is recorded, and blocks release
            log.exception("attachment scan failed")
            status, error = "error", type(exc).__name__
        with self.db.write() as s:
            user = self._me(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_upload(user, draft)
            count = len(self._attachments(s, draft.id))
            if count >= MAX_ATTACHMENTS:
                raise InvalidState(f"每篇稿件最多 {MAX_ATTACHMENTS} 个附件。")
            row = Attachment(
                draft_id=draft.id,
                version_id=draft.current_version_id,
                filename=filename,
                sha256=sha,
                size=size,
                format=fmt,
                uploaded_by_id=user.id,
                created_at=self.now(),
                scan_status=status,
                scan_error=error,
                scan_result=result,
            )
            s.add(row)
            self._touch(draft)
            reopened = self._reopen_for_attachments(s, draft)
            s.flush()
            self._audit(
                s,
                user,
                "attachment.add",
                draft=draft,
                version_id=draft.current_version_id,
                details={"attachment_id": row.id, "filename": filename, "sha256": sha, "reopened": reopened},
            )
            return self._attachment_dict(row, {user.id: user.display_name or user.username})

    def remove_attachment(self, actor: Actor, attachment_id: int) -> None:
        with self.db.write() as s:
            user = self._me(s, actor)
            row = s.get(Attachment, attachment_id)
            if row is None:
                raise NotFound(f"附件不存在：{attachment_id}。")
            draft = self._draft(s, row.draft_id, lock=True)
            self._can_view(user, draft)
            self._guard_upload(user, draft)
            s.delete(row)
            self._touch(draft)
            reopened = self._reopen_for_attachments(s, draft)
            self._audit(
                s,
                user,
                "attachment.remove",
                draft=draft,
                details={"attachment_id": attachment_id, "filename": row.filename, "reopened": reopened},
            )

    def _reopen_for_attachments(self, s: Session, draft: Draft) -> list[str]:
        """附件 are published with the draft, so adding or removing one changes what goes online:
        approved steps re-open exactly as for a new version of the main file (the workflow's
        reopen policy), and an approved or released draft goes back to review."""
        version = s.get(Version, draft.current_version_id) if draft.current_version_id else None
        if version is None:
            return []
        return self._reopen_for_new_version(draft, version)

    def list_attachments(self, actor: Actor, draft_id: int) -> list[AttachmentView]:
        with self.db.read() as s:
            user = self._me(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            rows = self._attachments(s, draft.id)
            ids = {r.uploaded_by_id for r in rows}
            names = {
                u.id: u.display_name or u.username
                for u in s.execute(select(User).where(User.id.in_(ids))).scalars()
            }
            return [self._attachment_dict(r, names) for r in rows]

    def get_attachment_file(self, actor: Actor, attachment_id: int) -> tuple[str, bytes]:
        with self.db.read() as s:
            user = self._me(s, actor)
            row = s.get(Attachment, attachment_id)
            if row is None:
                raise NotFound(f"附件不存在：{attachment_id}。")
            self._can_view(user, self._draft(s, row.draft_id))
            return row.filename, self.store.get(row.sha256)

    def _me(self, s: Session, actor: Actor) -> User:
        user = self._user(s, actor)
        assert user is not None  # required=True raises instead
        return user

    @staticmethod
    def _attachments(s: Session, draft_id: int) -> list[Attachment]:
        stmt = select(Attachment).where(Attachment.draft_id == draft_id).order_by(Attachment.id)
        return list(s.execute(stmt).scalars())

    @staticmethod
    def _attachment_dict(row: Attachment, names: dict[int, str]) -> AttachmentView:
        findings = (row.scan_result or {}).get("findings") or [] if row.scan_status == "ok" else []
        counts = {sev: 0 for sev in SEVERITY}
        for f in findings:
            counts[f.get("severity", "info")] = counts.get(f.get("severity", "info"), 0) + 1
        return {
            "id": row.id,
            "draft_id": row.draft_id,
            "version_id": row.version_id,
            "filename": row.filename,
            "size": row.size,
            "format": row.format,
            "sha256": row.sha256,
            "uploaded_by": names.get(row.uploaded_by_id, ""),
            "created_at": _iso(row.created_at),
            "scan_status": row.scan_status,
            "scan_error": row.scan_error,
            "findings": [
                {k: f.get(k) for k in ("category", "rule", "severity", "message", "evidence", "location")}
                for f in findings
            ],
            "counts": counts,
            "blocking": sum(counts[s] for s in BLOCKING),
            "problems": attachment_problems([row]),
        }
