"""登记归档: the register of everything released (谁审查谁负责).

One row per publication (`releases`): the draft, its information class and disclosure attribute,
who approved each step (read from the audit log: the last approval of each step before the
release), when the information was formed, submitted, released (and withdrawn), and whether the
publication limit was met (`deadlines.py`: 20 working days, 3 for important information, 3 for a
change to published information). Filters for the page; XLSX (formula prefixes escaped); each
row links to the draft's full archive export (`export_archive`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from pubguard.review.base import CHINA_TZ, Actor, ServiceBase, _iso
from pubguard.review.deadlines import compute_deadline
from pubguard.review.errors import InvalidInput
from pubguard.review.models import AuditEntry, Draft, Release, User, Version
from pubguard.review.readmodels import RegisterApprovalView, RegisterRowView
from pubguard.review.routes import load_routes
from pubguard.review.sheets import xlsx_bytes

DEADLINE_FILTERS = ("met", "missed")


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(CHINA_TZ).date()


class RegisterMixin(ServiceBase):
    def release_register(
        self,
        actor: Actor,
        *,
        site: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        info_class: str | None = None,
        disclosure: str | None = None,
        deadline: str | None = None,
        limit: int = 1000,
    ) -> list[RegisterRowView]:
        """The release register, newest first; dates are Beijing dates. `deadline`: met|missed."""
        if deadline and deadline not in DEADLINE_FILTERS:
            raise InvalidInput("时限筛选无效。可选：met（按时）、missed（超期）。")
        with self.db.read() as s:
            user = self._user(s, actor)
            stmt = select(Release, Draft).join(Draft, Draft.id == Release.draft_id)
            if not user.is_admin:
                sites = {g.site for g in user.grants}
                if "*" not in sites:
                    stmt = stmt.where(Draft.site.in_(sites or {""}))
            if site:
                stmt = stmt.where(Draft.site == site)
            if info_class:
                stmt = stmt.where(Draft.info_class == info_class)
            if disclosure:
                stmt = stmt.where(Draft.disclosure == disclosure)
            rows = s.execute(stmt.order_by(Release.released_at.desc(), Release.id.desc())).all()
            out: list[RegisterRowView] = []
            first_release: dict[int, int] = {}
            for rel, _ in sorted(rows, key=lambda r: r[0].id):
                first_release.setdefault(rel.draft_id, rel.id)
            for rel, draft in rows:
                day = _local_date(rel.released_at)
                if (start and day < start) or (end and day > end):
                    continue
                row = self._register_row(s, rel, draft, first=first_release[draft.id] == rel.id)
                if deadline and (row["deadline_met"] != (deadline == "met")):
                    continue
                out.append(row)
                if len(out) >= limit:
                    break
            return out

    def _register_row(self, s: Any, rel: Release, draft: Draft, *, first: bool) -> RegisterRowView:
        version = s.get(Version, rel.version_id)
        entries = (
            s.execute(
                select(AuditEntry)
                .where(
                    AuditEntry.draft_id == draft.id, AuditEntry.action.in_(("step.approve", "draft.submit"))
                )
                .order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )
        released_iso = rel.released_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        approvals: dict[str, tuple[str, str, str, str]] = {}  # step -> step, name, by, at
        submitted = None
        for e in entries:
            if e.at > released_iso:
                break
            if e.action == "draft.submit":
                submitted = submitted or e.at
            elif e.step:
                details = json.loads(e.details or "{}")
                approvals[e.step] = (e.step, details.get("step_name") or e.step, e.actor, e.at)
        order = {st.key: st.position for st in draft.steps}
        approved = sorted(approvals.values(), key=lambda a: order.get(a[0], 99))
        shown = {
            u.username: u.display_name or u.username
            for u in s.execute(select(User).where(User.username.in_({a[2] for a in approved}))).scalars()
        }
        # "by" stays the username (API contract); by_name is what people read
        steps: list[RegisterApprovalView] = [
            {"step": step, "name": name, "by": by, "at": at, "by_name": shown.get(by, by)}
            for step, name, by, at in approved
        ]
        released_on = _local_date(rel.released_at)
        if first:
            due = compute_deadline(draft.formed_on, released_on, important=draft.important)
        else:  # a later version: a change to published information (3 working days)
            due = compute_deadline(
                draft.formed_on, released_on, changed_on=_local_date(version.created_at) if version else None
            )
        routes = load_routes(draft.workflow)
        cls = routes.of(draft) if routes else None
        names = self._usernames(s, [rel.released_by_id, rel.withdrawn_by_id])
        return {
            "release_id": rel.id,
            "draft_id": draft.id,
            "site": draft.site,
            "column": draft.column_name,
            "title": draft.title,
            "version": version.number if version else None,
            "info_class": draft.info_class,
            "info_class_label": cls.label if cls else (draft.info_class or ""),
            "disclosure": draft.disclosure,
            "important": draft.important,
            "formed_on": draft.formed_on.isoformat(),
            "submitted_at": submitted,
            "released_at": _iso(rel.released_at),
            "released_by": names.get(rel.released_by_id),
            "location": rel.location,
            "withdrawn_at": _iso(rel.withdrawn_at),
            "withdrawn_by": names.get(rel.withdrawn_by_id) if rel.withdrawn_by_id else None,
            "withdraw_reason": rel.withdraw_reason,
            "steps": steps,
            "deadline": {"label": due.label, "due": due.due.isoformat(), "approximate": due.approximate},
            "deadline_met": not due.overdue,
            "archive": f"/api/v1/drafts/{draft.id}/archive.zip",
        }

    def release_register_xlsx(self, actor: Actor, **filters: Any) -> bytes:
        rows = self.release_register(actor, limit=1_000_000, **filters)
        head = [
            "发布编号", "稿件", "站点", "栏目", "标题", "版本", "信息类别", "公开属性", "信息形成日期",
            "送审时间", "发布时间", "发布人", "审核记录（谁审查谁负责）", "公开时限", "应公开日期",
            "是否按时", "撤稿时间", "撤稿原因", "发布位置",
        ]  # fmt: skip

        def local(value: str | None) -> str:
            if not value:
                return ""
            return dt.datetime.fromisoformat(value).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")

        table: list[list[Any]] = [head]
        for r in rows:
            steps = "；".join(f"{a['name']}：{a['by_name']}（{local(a['at'])}）" for a in r["steps"])
            table.append(
                [r["release_id"], r["draft_id"], r["site"], r["column"], r["title"], r["version"],
                 r["info_class_label"], r["disclosure"] or "", r["formed_on"], local(r["submitted_at"]),
                 local(r["released_at"]), r["released_by"] or "", steps, r["deadline"]["label"],
                 r["deadline"]["due"], "按时" if r["deadline_met"] else "超期", local(r["withdrawn_at"]),
                 r["withdraw_reason"] or "", r["location"]]
            )  # fmt: skip
        return xlsx_bytes({"发布登记": table})
