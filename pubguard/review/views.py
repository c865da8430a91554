"""Reading: draft pages, queues, findings, the release gate, precision, the audit log and
the archive export, as JSON-ready dicts (the shapes the web API serves)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from pubguard.finding import Severity
from pubguard.labels import label
from pubguard.review import audit
from pubguard.review.attachments import attachment_problems
from pubguard.review.base import (
    CHINA_TZ,
    DECIDER_ROLES,
    UPLOADABLE,
    Actor,
    ServiceBase,
    _iso,
)
from pubguard.review.cleancopy import CLEANABLE_FORMATS, clean_view
from pubguard.review.deadlines import Deadline, compute_deadline
from pubguard.review.errors import (
    NotFound,
    PermissionDenied,
    ReviewError,
)
from pubguard.review.gate import (
    DECISION_LABELS,
    PUBLIC,
    STATUS_LABELS,
    release_blockers,
)
from pubguard.review.interpretation import link_problems, links_view
from pubguard.review.models import (
    Attachment,
    CleanCopy,
    Comment,
    Draft,
    DraftStep,
    FindingRow,
    Release,
    Site,
    User,
    Version,
)
from pubguard.review.publish import PublishTarget, target_from_config, web_address
from pubguard.review.readmodels import (
    AuditLogEntryView,
    CommentView,
    DraftDetailView,
    DraftSummaryView,
    FindingView,
    GateView,
    PrecisionRow,
    PublishedAttachmentView,
    RejectionView,
    ReleaseView,
    StepView,
    VersionView,
)
from pubguard.review.routes import info_class_roles, info_class_view, load_routes, route_problems
from pubguard.review.workflow import ROLES

# Orders of the draft lists (?sort=): key -> ORDER BY, and its Chinese name for the UI.
DRAFT_SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "updated": (Draft.updated_at.desc(), Draft.id.desc()),
    "created": (Draft.created_at.desc(), Draft.id.desc()),
    "oldest": (Draft.created_at.asc(), Draft.id.asc()),
    "title": (Draft.title.asc(), Draft.id.asc()),
    "formed": (Draft.formed_on.desc(), Draft.id.desc()),
}
DRAFT_SORT_LABELS = {
    "updated": "最近更新",
    "created": "最新创建",
    "oldest": "最早创建",
    "title": "标题",
    "formed": "信息形成日期",
}


def _readable_url(url: str | None) -> str | None:
    """The address as people read it (Chinese file names decoded); links keep the quoted form."""
    from urllib.parse import unquote

    return unquote(url) if url else None


def _published_attachment(
    a: dict[str, Any], publish: dict[str, Any] | None, draft_id: int
) -> PublishedAttachmentView:
    """A 附件 of a release record with its web address, like the release's `url`."""
    location = str(a.get("location") or "")
    url = web_address(publish, draft_id, location) if location else None
    return {
        "file": a.get("file"),
        "sha256": a.get("sha256"),
        "size": a.get("size"),
        "location": location,
        "url": url,
        "url_text": _readable_url(url),
    }


def _draft_rows(s: Session, model: Any, draft_id: int, order: Any = None) -> list[Any]:
    """All rows of `model` belonging to one draft, in a stable order (by id unless `order`)."""
    key = model.id if order is None else order
    return list(s.execute(select(model).where(model.draft_id == draft_id).order_by(key)).scalars().all())


class ViewsMixin(ServiceBase):
    def live_version_shas(self) -> set[str]:
        """sha256 of every stored file a version of a live (not archived) draft points at: what
        the page-layout cache may keep (`pubguard.api.documents.DocumentViews.sweep`)."""
        with self.db.read() as s:
            rows = s.execute(
                select(Version.sha256)
                .join(Draft, Draft.id == Version.draft_id)
                .where(Draft.status != "archived")
            ).scalars()
            return {r for r in rows if r}

    def list_findings(
        self, actor: Actor, draft_id: int, version_id: int | None = None, *, include_fixed: bool = True
    ) -> list[FindingView]:
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
    ) -> list[FindingView]:
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
    def _finding_dict(r: FindingRow, names: dict[int, str]) -> FindingView:
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
            "confirmed_by": names.get(r.confirmed_by_id) if r.confirmed_by_id else None,
            "confirmed_at": _iso(r.confirmed_at),
            "fixed_in_version_id": r.fixed_in_version_id,
        }

    def detector_precision(self, site: str | None = None) -> list[PrecisionRow]:
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
        out: list[PrecisionRow] = []
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

    @staticmethod
    def _comment_dict(c: Comment, names: dict[int, str]) -> CommentView:
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

    def check_release(self, draft_id: int) -> GateView:
        """The release gate: `{"ok": bool, "reasons": [中文, ...]}`."""
        with self.db.read() as s:
            draft = self._draft(s, draft_id)
            reasons = self._gate(s, draft)
            return {"ok": not reasons, "reasons": reasons}

    def _gate(self, s: Session, draft: Draft) -> list[str]:
        """Every reason the draft may not be released now, the policy ↔ 解读 rule included."""
        return self._own_gate(s, draft) + link_problems(s, draft, self._own_gate)

    def _own_gate(self, s: Session, draft: Draft) -> list[str]:
        version = self._current(s, draft)
        findings = (
            s.execute(select(FindingRow).where(FindingRow.version_id == version.id)).scalars().all()
            if version
            else []
        )
        clean = (
            s.execute(select(CleanCopy.report).where(CleanCopy.version_id == version.id)).scalar_one_or_none()
            if version
            else None
        )
        reasons = release_blockers(
            draft,
            list(draft.steps),
            version,
            list(findings),
            clean,
            authority=self._workflow(draft).authority,
        )
        attached = s.execute(select(Attachment).where(Attachment.draft_id == draft.id)).scalars()
        return reasons + attachment_problems(list(attached)) + route_problems(draft, list(draft.steps))

    def publish_target(self, site: str) -> PublishTarget:
        with self.db.read() as s:
            row = s.get(Site, site)
            if row is None:
                raise NotFound(f"站点不存在：{site}。")
            return target_from_config(row.publish, self.settings.publish_dir)

    @staticmethod
    def _release_dict(
        r: Release, names: dict[int, str], publish: dict[str, Any] | None = None
    ) -> ReleaseView:
        """`url`: the page's web address (`publish.web_address`; None without a `base_url`)."""
        return {
            "id": r.id,
            "draft_id": r.draft_id,
            "version_id": r.version_id,
            "target_kind": r.target_kind,
            "target": r.target,
            "location": r.location,
            "url": web_address(publish, r.draft_id, r.location),
            "url_text": _readable_url(web_address(publish, r.draft_id, r.location)),
            "file": Path(r.location).name,
            "released_by": names.get(r.released_by_id),
            "released_at": _iso(r.released_at),
            "withdrawn_at": _iso(r.withdrawn_at),
            "withdrawn_by": names.get(r.withdrawn_by_id) if r.withdrawn_by_id else None,
            "withdraw_reason": r.withdraw_reason,
            "attachments": [_published_attachment(a, publish, r.draft_id) for a in r.attachments or []],
        }

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

    def _version_dict(self, v: Version) -> VersionView:
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
            "clean_of_version_id": v.clean_copy.source_version_id if v.clean_copy else None,
            "clean": clean_view(v.clean_copy) if v.clean_copy else None,
        }

    def _step_dict(self, st: DraftStep, names: dict[int, str], active: DraftStep | None) -> StepView:
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

    def _draft_summary(self, s: Session, draft: Draft) -> DraftSummaryView:
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
        site_row = s.get(Site, draft.site)
        return {
            "last_rejection": self._last_rejection(s, draft),
            "id": draft.id,
            "site": draft.site,
            "site_name": site_row.name if site_row else draft.site,
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
            "info_class": info_class_view(draft),
            "lock_version": draft.lock_version,
        }

    def _last_rejection(self, s: Session, draft: Draft) -> RejectionView | None:
        """The latest 退回意见 while it is the news about the draft: returned to the editor, or
        sent back to an earlier step and not yet past it (no approval since)."""
        if not (draft.returned or draft.status == "in_review"):
            return None
        c = s.execute(
            select(Comment)
            .where(Comment.draft_id == draft.id, Comment.kind == "rejection")
            .order_by(Comment.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if c is None:
            return None
        if not draft.returned:  # in review: only a rejection to an earlier step, not yet passed again
            from pubguard.review.models import AuditEntry

            last = dict(
                s.execute(
                    select(AuditEntry.action, func.max(AuditEntry.seq))
                    .where(
                        AuditEntry.draft_id == draft.id,
                        AuditEntry.action.in_(("draft.submit", "step.approve", "step.reject")),
                    )
                    .group_by(AuditEntry.action)
                ).all()
            )
            rejected = last.get("step.reject") or 0
            if max(last.get("draft.submit") or 0, last.get("step.approve") or 0) > rejected:
                return None
        step = next((st for st in draft.steps if st.key == c.step_key), None)
        return {
            "body": c.body,
            "author": self._usernames(s, [c.author_id]).get(c.author_id),
            "step_name": step.name if step else (c.step_key or ""),
            "at": _iso(c.created_at),
        }

    def get_draft(self, actor: Actor, draft_id: int) -> DraftDetailView:
        """Everything about a draft for its page: summary, versions, findings of the current
        version, comments, releases, the gate and the actions `actor` may take now."""
        with self.db.read() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._can_view(user, draft)
            summary = self._draft_summary(s, draft)
            versions = [self._version_dict(v) for v in draft.versions]
            findings = (
                self._findings_for(s, draft, draft.current_version_id, include_fixed=True)
                if draft.current_version_id
                else []
            )
            comments = _draft_rows(s, Comment, draft.id)
            releases = _draft_rows(s, Release, draft.id)
            names = self._usernames(
                s,
                [c.author_id for c in comments]
                + [r.released_by_id for r in releases]
                + [r.withdrawn_by_id for r in releases],
            )
            comment_views = [self._comment_dict(c, names) for c in comments]
            site_row = s.get(Site, draft.site)
            publish = site_row.publish if site_row else None
            release_views = [self._release_dict(r, names, publish) for r in releases]
            reasons = self._gate(s, draft)
            gate: GateView = {"ok": not reasons, "reasons": reasons}
            actions = self._actions(s, user, draft)
            active = self._active_step(draft)
            hold = self.approval_hold(s, draft, active) if active is not None else None
            open_blockers = self._open_blockers(s, draft)
            links = links_view(s, draft)
            # The summary's keys first, then these: the order the JSON has always had.
            return {
                **summary,
                "versions": versions,
                "findings": findings,
                "comments": comment_views,
                "releases": release_views,
                "gate": gate,
                "actions": actions,
                "approval_hold": hold,
                "open_blockers": open_blockers,
                "links": links,
            }

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
            current = self._current(s, draft)
            if current is not None and current.format in CLEANABLE_FORMATS:
                acts.append("clean")
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
            if self.approval_hold(s, draft, active) is None:
                acts.append("approve")
            acts.append("reject")
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
        if (
            load_routes(draft.workflow) is not None
            and draft.status not in ("released", "archived")
            and roles & set(info_class_roles(draft))
        ):
            acts.append("set_info_class")
        online = draft.status == "released" and draft.released_version_id == draft.current_version_id
        if "publisher" in roles and not online and not self._gate(s, draft):
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
        q: str | None = None,
        column: str | None = None,
        sort: str = "updated",
        limit: int = 100,
        offset: int = 0,
    ) -> list[DraftSummaryView]:
        """Drafts the actor may see, newest first. `queue=True` (我的待办): drafts where the
        actor can act now — the current step is theirs to approve, or the draft is with them
        as its editor (not yet submitted, or returned), or it is approved (待发布) and the actor is
        a publisher who may publish it. `overdue=True`: past the disclosure deadline.
        `q`: words in the title (文号 included when the title carries it) or the column, or the
        draft's number; `column`: one 栏目; `sort`: one of DRAFT_SORTS."""
        with self.db.read() as s:
            user = self._user(s, actor)
            stmt = select(Draft).order_by(*DRAFT_SORTS.get(sort, DRAFT_SORTS["updated"]))
            if q and q.strip():
                term = q.strip()
                # 文号: in the title, or in the 版头 the scan found on the current version
                # (the red_header finding's evidence carries the 发文字号 as printed).
                by_doc_number = select(FindingRow.draft_id).where(
                    FindingRow.category == "red_header",
                    FindingRow.version_id == Draft.current_version_id,
                    FindingRow.evidence.contains(term, autoescape=True),
                )
                match = or_(
                    Draft.title.contains(term, autoescape=True),
                    Draft.column_name.contains(term, autoescape=True),
                    Draft.id.in_(by_doc_number),
                )
                if term.lstrip("#").isdigit():
                    match = or_(match, Draft.id == int(term.lstrip("#")))
                stmt = stmt.where(match)
            if column:
                stmt = stmt.where(Draft.column_name == column)
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
                stmt = stmt.where(Draft.status.in_(("in_review", "draft", "approved")))
            out: list[DraftSummaryView] = []
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
        if draft.status == "approved":  # 待发布: the publishers who may publish it
            return "publisher" in self._roles(user, draft.site) and self.publish_problem(user, draft) is None
        if active is not None:
            return (
                active.assignee_id in (None, user.id)
                and self.eligibility_problem(user, draft, active) is None
            )
        if draft.status == "draft":  # not yet submitted, or returned: the editor must act
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

    def audit_log(
        self,
        actor: Actor | None = None,
        *,
        draft_id: int | None = None,
        limit: int = 500,
        offset: int = 0,
        action: str | None = None,
        by: str | None = None,
    ) -> list[AuditLogEntryView]:
        """Audit entries, oldest first of the newest `limit` (after `offset`); `action`: one
        action or a prefix ending in "." ("foi."); `by`: the actor's username. Each entry also
        has `actor_name` (the display name) and `what` (what was decided, in Chinese)."""
        from pubguard.review.models import AuditEntry

        with self.db.read() as s:
            user = self._user(s, actor, required=False)
            stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
            step_names: dict[str, str] = {}
            if draft_id is not None:
                draft = self._draft(s, draft_id)
                step_names = {st.key: st.name for st in draft.steps}
                if user is not None:
                    self._can_view(user, draft)
                stmt = stmt.where(AuditEntry.draft_id == draft_id)
            elif user is not None and not user.is_admin:
                raise PermissionDenied("只有系统管理员可以查看全部审计记录。")
            if action:
                stmt = stmt.where(
                    AuditEntry.action.startswith(action, autoescape=True)
                    if action.endswith(".")
                    else AuditEntry.action == action
                )
            if by:
                stmt = stmt.where(AuditEntry.actor == by)
            entries = [audit.entry_to_dict(e) for e in reversed(s.execute(stmt).scalars().all())]
            names = {
                u.username: u.display_name or u.username
                for u in s.execute(
                    select(User).where(User.username.in_({e["actor"] for e in entries}))
                ).scalars()
            }
            out: list[AuditLogEntryView] = []
            for e in entries:  # the entry's keys, then these three, as the JSON always had them
                step = e["step"]
                out.append(
                    {
                        **e,
                        "actor_name": names.get(e["actor"])
                        or ("系统" if e["actor"] == "system" else e["actor"]),
                        "what": audit_what(e),
                        "step_name": (
                            step_names.get(step) or (e["details"] or {}).get("step_name") or step
                            if step
                            else None
                        ),
                    }
                )
            return out

    def verify_audit(self, checkpoints: Path | None = None) -> audit.AuditVerification:
        """Recompute the chain and compare it with the signed checkpoints (default: the
        installation's checkpoint file, when there is one)."""
        path = checkpoints or self.checkpoint_file
        with self.db.read() as s:
            result = audit.verify(s)
            if path.is_file():
                records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
                result.problems.extend(audit.check_against(s, records))
                result.ok = not result.problems
            return result

    @property
    def checkpoint_file(self) -> Path:
        return self.settings.data_dir / "audit-checkpoints.jsonl"

    def audit_checkpoint(self, path: Path | None = None, *, webhook: str | None = None) -> dict[str, Any]:
        """`pubguard audit checkpoint`: append the signed head to a file outside the database
        (and POST it to `webhook`). Not itself an audit entry: that would move the head."""
        from pubguard.review.errors import InvalidState, PublishFailed

        with self.db.read() as s:
            try:
                record = audit.make_checkpoint(s, self.now())
            except ValueError as exc:
                raise InvalidState(str(exc)) from exc
        path = path or self.checkpoint_file
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        if webhook:
            import urllib.request

            req = urllib.request.Request(
                webhook,
                data=json.dumps(record).encode(),
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            try:
                urllib.request.urlopen(req, timeout=30).close()
            except OSError as exc:
                raise PublishFailed(f"检查点已写入文件，但发送到 {webhook} 失败：{exc}") from exc
        return record

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
            findings = _draft_rows(s, FindingRow, draft.id)
            comments = _draft_rows(s, Comment, draft.id)
            releases = _draft_rows(s, Release, draft.id)
            entries = _draft_rows(s, AuditEntry, draft.id, AuditEntry.seq)
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


def audit_what(entry: Mapping[str, Any]) -> str:
    """What an audit entry decided, in Chinese, from its details (labels from pubguard.labels)."""
    d = entry.get("details") or {}
    action = entry.get("action")
    parts: list[str] = []
    if action == "finding.decide":
        parts.append(f"问题 #{d.get('finding_id')}")
        if d.get("category"):
            parts.append(f"{label('category', d['category'])}·{label('rule', d.get('rule'))}")
        if d.get("severity"):
            parts.append(f"级别{label('severity', d['severity'])}")
        parts.append(f"判定为「{label('decision', d.get('decision'))}」")
        if d.get("level"):
            parts.append(f"（{d['level']} 级审核）")
    elif action in ("role.grant", "role.revoke"):
        parts.append(f"用户 {d.get('user')}：{d.get('site')} 站点「{label('role', d.get('role'))}」")
    elif action == "user.create":
        roles = "、".join(f"{site}：{label('role', role)}" for site, role in d.get("roles") or [])
        parts.append(
            f"用户 {d.get('user')}"
            + (f"（{roles}）" if roles else "")
            + ("，系统管理员" if d.get("is_admin") else "")
        )
    elif action and action.startswith("user."):
        if d.get("user"):
            parts.append(f"用户 {d['user']}")
    elif action in ("step.approve", "step.reject", "step.claim", "step.reassign"):
        if d.get("step_name"):
            parts.append(f"「{d['step_name']}」")
        if action == "step.reject" and d.get("to"):
            parts.append("退回给编辑" if d["to"] == "editor" else f"退回到 {d['to']}")
        if d.get("disclosure"):
            parts.append(f"确认公开属性：{d['disclosure']}")
        if d.get("assignee"):
            parts.append(f"交给 {d['assignee']}")
    elif action == "disclosure.set" and d.get("attribute"):
        parts.append(f"公开属性：{d['attribute']}")
    elif action in ("attachment.add", "attachment.remove") and d.get("filename"):
        parts.append(f"附件「{d['filename']}」")
    elif action == "site.create":
        parts.append(f"站点 {d.get('name') or d.get('site')}")
    elif action == "site.columns":
        parts.append(f"{d.get('site')} 站点栏目：{'、'.join(d.get('columns') or []) or '（清空）'}")
    elif action == "draft.assign" and d.get("assignee"):
        parts.append(f"交给 {d['assignee']}")
    return " ".join(parts)
