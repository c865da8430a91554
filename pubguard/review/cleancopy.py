"""Clean copies and annotated drafts inside the review workflow (issue 7).

`make_clean_version` runs `pubguard.clean.clean_bytes` on a stored version and keeps the result
as a NEW version of the draft, uploaded by the acting editor, marked as the clean copy of the
version it came from, with the clean report (`pubguard.clean/1`, masked evidence only) stored
beside it. The copy then goes through the normal scan path like any upload (scanned now, or
queued as a job), so its findings, decisions and the release gate work as for every version;
the gate additionally refuses a clean copy whose own report is not releasable or whose re-scan
found a blocker (`gate.clean_copy_problems`). `annotated_file` returns the draft with every
finding as a Word comment / PDF note, for editors who work in Word/WPS."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from pubguard.errors import PubGuardError
from pubguard.finding import CATEGORY_LABELS, SEVERITY_LABELS, Category, Severity
from pubguard.review.base import Actor, Scanner, ServiceBase, _iso, log
from pubguard.review.errors import InvalidInput, NotFound
from pubguard.review.gate import clean_copy_problems
from pubguard.review.models import CleanCopy, Draft, Version
from pubguard.review.readmodels import CleanReportView, VersionView

if TYPE_CHECKING:
    pass

CLEANABLE_FORMATS = ("docx", "pdf", "xlsx", "png", "jpeg", "tiff", "gif", "bmp", "webp")
ANNOTATABLE_FORMATS = ("docx", "pdf")
OPTION_FIELDS = ("revisions", "mask_preset", "name_style", "drop_columns", "keep_header_text")
REVISION_LABELS = {"accept": "接受修订（保留页面上显示的文字）", "reject": "拒绝修订（恢复删除的文字）"}
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def clean_options(options: Any = None) -> Any:
    """A `CleanOptions` from a dict (API body / form) or as given; bad values -> InvalidInput."""
    from pubguard.clean import CleanOptions

    if options is None:
        return CleanOptions()
    if isinstance(options, CleanOptions):
        return options
    if not isinstance(options, dict):
        raise InvalidInput("清理选项格式无效。")
    unknown = sorted(set(options) - set(OPTION_FIELDS))
    if unknown:
        raise InvalidInput(f"未知的清理选项：{'、'.join(unknown)}。")
    values = {k: v for k, v in options.items() if v is not None}
    try:
        return CleanOptions(**values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            "清理选项无效：修订处理为 accept（接受修订）或 reject（拒绝修订）；"
            "脱敏方式为 site、id6-4 或 last4；姓名样式为 surname 或 first_last。",
            details={"options": {k: str(v)[:50] for k, v in values.items()}},
        ) from exc


def option_labels(options: dict[str, Any]) -> list[str]:
    """The chosen options in Chinese, for reviewers."""
    from pubguard.clean import MASK_PRESETS

    preset = options.get("mask_preset") or "site"
    out = [
        f"脱敏方式：{MASK_PRESETS.get(preset, (preset,))[0]}",
        f"删除身份证号等号码列：{'是' if options.get('drop_columns') else '否（列内脱敏）'}",
        f"修订处理：{REVISION_LABELS.get(options.get('revisions') or 'accept', options.get('revisions'))}",
    ]
    if options.get("name_style"):
        out.append(f"姓名样式：{'张*明' if options['name_style'] == 'first_last' else '张*'}")
    if options.get("keep_header_text"):
        out.append("版头：保留发文机关名称（改为黑色）")
    return out


def _category_label(category: str) -> str:
    try:
        return CATEGORY_LABELS[Category(category)]
    except ValueError:
        return category


def _severity_label(severity: str) -> str:
    try:
        return SEVERITY_LABELS[Severity(severity)]
    except ValueError:
        return severity


def clean_view(row: CleanCopy) -> dict[str, Any]:
    """What reviewers see of a clean copy: what was removed or masked (rule, where, masked
    evidence), the re-scan verdict and whether it may be released, with the reasons."""
    from pubguard.clean.report import ACTION_LABELS

    report = row.report or {}
    rescan = report.get("rescan") or {}
    reasons = clean_copy_problems(report)
    removed = [
        {
            "action": a.get("action"),
            "action_label": ACTION_LABELS.get(a.get("action", ""), a.get("action")),
            "category": a.get("category"),
            "category_label": _category_label(a.get("category", "")),
            "rule": a.get("rule"),
            "where": a.get("where", ""),
            "detail": a.get("detail", ""),
            "count": a.get("count", 1),
        }
        for a in report.get("actions") or []
    ]
    remaining = [
        {
            "severity": f.get("severity"),
            "severity_label": _severity_label(f.get("severity", "")),
            "category": f.get("category"),
            "category_label": _category_label(f.get("category", "")),
            "rule": f.get("rule"),
            "message": f.get("message", ""),
            "evidence": f.get("evidence", ""),
            "page": (f.get("location") or {}).get("page"),
        }
        for f in rescan.get("findings") or []
    ]
    return {
        "version_id": row.version_id,
        "source_version_id": row.source_version_id,
        "source_number": row.source.number if row.source is not None else None,
        "created_by_id": row.created_by_id,
        "created_at": _iso(row.created_at),
        "options": row.options or {},
        "option_labels": option_labels(row.options or {}),
        "removed": removed,
        "removed_count": sum(int(a["count"] or 1) for a in removed),
        "rescan": {
            "status": rescan.get("status", "ok"),
            "error": rescan.get("error"),
            "findings": remaining,
            "remaining_blockers": int(rescan.get("remaining_blockers", 0) or 0),
        },
        "leaks": int((report.get("leak_check") or {}).get("leaks", 0) or 0),
        "needs_declassification": bool(report.get("needs_declassification")),
        "releasable": bool(row.releasable) and not reasons,
        "reasons": reasons,
        "notes": list(report.get("notes") or []),
        "passes": report.get("passes", 0),
    }


def _derived_name(filename: str, suffix: str) -> str:
    path = PurePosixPath(filename)
    return f"{path.stem}_{suffix}{path.suffix}" if path.suffix else f"{filename}_{suffix}"


class CleanCopyMixin(ServiceBase):
    def make_clean_version(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int,
        options: Any = None,
        *,
        note: str = "",
        scan: bool = True,
        scanner: Scanner | None = None,
    ) -> VersionView:
        """Make the clean copy of the current version `version_id` and add it as a new version
        (editor only, like an upload; a stale version is refused). The clean report is stored
        with it and the audit entry written in the same transaction; the copy is scanned now
        (`scan=True`) or by a background job, exactly like an upload."""
        from pubguard.clean import clean_bytes
        from pubguard.extract.sniff import sniff_format

        opts = clean_options(options)
        with self.db.read() as s:  # cheap checks before the (slow) clean
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._guard_upload(user, draft)
            self._check_version(draft, version_id)
            source = self._source_version(s, draft, version_id)
            filename, sha, number = source.filename, source.sha256, source.number
        data = self.store.get(sha)
        try:
            cleaned = clean_bytes(data, filename, self.settings.scan_config, opts, output_name=filename)
            fmt = sniff_format(cleaned.data, filename)
        except PubGuardError as exc:
            raise InvalidInput(f"无法生成清理稿：{exc.message}", code=exc.code) from exc
        except Exception as exc:  # a cleaner bug must not look like a clean copy
            log.exception("clean copy of version %s failed", version_id)
            raise InvalidInput(
                f"无法生成清理稿（{type(exc).__name__}），请人工修改后上传新版本。", code="clean_failed"
            ) from exc
        report = cleaned.report.to_dict()
        new_sha = self.store.put(cleaned.data)
        result = self._scan(cleaned.data, filename, draft_id, scanner) if scan else None
        note = (note or "").strip() or f"第{number}版的清理稿（PubGuard 自动生成）"
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._guard_upload(user, draft)
            self._check_version(draft, version_id)  # someone may have uploaded meanwhile
            version = self._add_version(
                s,
                user,
                draft,
                filename=filename,
                sha=new_sha,
                size=len(cleaned.data),
                fmt=fmt,
                note=note,
                result=result,
                action="version.clean",
                details={
                    "source_version_id": version_id,
                    "source_number": number,
                    "options": opts.to_dict(),
                    "actions": len(report["actions"]),
                    "remaining_blockers": report["rescan"]["remaining_blockers"],
                    "leaks": report["leak_check"].get("leaks", 0),
                    "releasable": report["releasable"],
                },
            )
            row = CleanCopy(
                version_id=version.id,
                draft_id=draft.id,
                source_version_id=version_id,
                releasable=bool(report["releasable"]),
                remaining_blockers=int(report["rescan"]["remaining_blockers"]),
                options=opts.to_dict(),
                report=report,
                created_by_id=user.id,
                created_at=self.now(),
            )
            s.add(row)
            s.flush()
            s.refresh(version)  # the viewonly clean_copy relationship sees the new row
            return self._version_dict(version)

    def get_clean_report(self, actor: Actor, draft_id: int, version_id: int) -> CleanReportView:
        """The stored clean report of a clean-copy version, with the reviewers' view of it."""
        with self.db.read() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            version = self._source_version(s, draft, version_id)
            row = s.execute(select(CleanCopy).where(CleanCopy.version_id == version.id)).scalar_one_or_none()
            if row is None:
                raise NotFound(f"第{version.number}版不是自动生成的清理稿，没有清理报告。")
            return {
                "draft_id": draft.id,
                "version_id": version.id,
                "number": version.number,
                "source_version_id": row.source_version_id,
                "report": row.report,
                "review": clean_view(row),
            }

    def annotated_file(self, actor: Actor, draft_id: int, version_id: int) -> tuple[str, bytes, str]:
        """(file name, bytes, media type) of the version with every finding as a Word comment
        (批注) or PDF note. Anyone who may see the draft may download it; nothing is stored."""
        from pubguard.clean.annotate import annotate_bytes

        with self.db.read() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            version = self._source_version(s, draft, version_id)
            filename, sha, fmt = version.filename, version.sha256, version.format
        if fmt not in ANNOTATABLE_FORMATS:
            raise InvalidInput(f"批注版只支持 Word（.docx）和 PDF 文件，该版本为 {fmt or '未知'} 格式。")
        try:
            result = annotate_bytes(self.store.get(sha), filename, self.settings.scan_config)
        except PubGuardError as exc:
            raise InvalidInput(f"无法生成批注版：{exc.message}", code=exc.code) from exc
        return _derived_name(filename, "批注"), result.data, MEDIA_TYPES[result.format]

    @staticmethod
    def _source_version(s: Any, draft: Draft, version_id: int) -> Version:
        version = s.get(Version, version_id)
        if version is None or version.draft_id != draft.id:
            raise NotFound(f"该稿件没有这个版本：{version_id}。")
        return version
