"""值班读网: duty after release, and its log (值班读网日志).

- Roster: who is on duty for a site on a day (`set_roster`); items are given to the first person
  on duty on their due day.
- Re-check: every important release (the draft is important, e.g. its class says so) gets a
  `recheck` item due the next working day (official calendar, `deadlines.py`), created in the
  release's own transaction. `recheck_item` re-scans the *published* copy (read back from the
  folder target; the stored copy for a webhook target) with today's rules and stores what is new
  since review.
- Daily re-scan (`run_duty`, `pubguard duty run` for cron/systemd timers, and the worker once a
  day per site): every page online is read back from the publish target and re-scanned; findings
  not seen by yesterday's run (nor at review, for the first run) become `finding` items; a page
  missing from the target or changed behind PubGuard's back becomes an `anomaly` item.
- Each item ends with who checked, what was found and what was done: 改正 / 撤稿 / 无问题
  (`close_duty_item`; 撤稿 takes the page down in the same step). The log exports as XLSX
  (formula prefixes escaped, `sheets.py`). Evidence is the detectors' masked evidence only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.review.base import CHINA_TZ, Actor, Scanner, ServiceBase, _iso, log
from pubguard.review.deadlines import add_working_days
from pubguard.review.errors import InvalidInput, InvalidState, NotFound
from pubguard.review.models import Draft, FindingRow, Release, Site, User, Version
from pubguard.review.models_routes import DutyItem, DutyRoster, DutyRun
from pubguard.review.publish import FolderTarget, target_from_config
from pubguard.review.readmodels import (
    DutyFindingSummary,
    DutyItemView,
    DutyRescanView,
    DutyRunView,
    RosterEntryView,
)
from pubguard.review.sheets import xlsx_bytes

KINDS = {"recheck": "重要信息发布后复查", "finding": "读网新发现问题", "anomaly": "页面异常"}
OUTCOMES = {"corrected": "改正", "withdrawn": "撤稿", "no_issue": "无问题"}
_OUTCOME_ALIASES = {v: k for k, v in OUTCOMES.items()}
DUTY_ROLES = ("publisher", "admin")  # who keeps the 值班读网日志
SEVERITY_MIN = ("blocker", "high", "medium", "low")  # severities that become duty items (not info)


def recheck_task(s: Session, draft: Draft, rel: Release, today: dt.date) -> DutyItem | None:
    """Called in the release's transaction: an important release gets a re-check item."""
    if not draft.important:
        return None
    due, _ = add_working_days(today, 1)
    item = DutyItem(
        site=draft.site,
        kind="recheck",
        draft_id=draft.id,
        release_id=rel.id,
        title=draft.title,
        location=rel.location,
        due_on=due,
        assignee_id=_on_duty(s, draft.site, due),
    )
    s.add(item)
    return item


def _on_duty(s: Session, site: str, day: dt.date) -> int | None:
    return s.execute(
        select(DutyRoster.user_id)
        .where(DutyRoster.site == site, DutyRoster.on_date == day)
        .order_by(DutyRoster.id)
        .limit(1)
    ).scalar_one_or_none()


def _finding_summary(f: dict[str, Any]) -> DutyFindingSummary:
    return {
        "fingerprint": f.get("fingerprint"),
        "category": f.get("category"),
        "rule": f.get("rule"),
        "severity": f.get("severity"),
        "message": f.get("message"),
        "evidence": f.get("evidence"),  # masked by the detector
        "page": (f.get("location") or {}).get("page"),
    }


def _rescan_summary(result: Any, reviewed: set[str], anomaly: str, *, withdrawn: bool) -> DutyRescanView:
    """A re-scan of a published copy: its findings (masked evidence), those new since review."""
    findings = [_finding_summary(f.to_dict()) for f in result.findings]
    return {
        "status": result.status,
        "error": result.error,
        "anomaly": anomaly,
        "findings": findings,
        "new": [f for f in findings if f["fingerprint"] not in reviewed],
        "withdrawn": withdrawn,
    }


def _published_bytes(
    svc: ServiceBase, site_row: Site | None, rel: Release, version: Version
) -> tuple[bytes, str]:
    """The published copy as the site serves it, and an anomaly text ('' when it looks right)."""
    tgt = target_from_config(site_row.publish if site_row else None, svc.settings.publish_dir)
    if isinstance(tgt, FolderTarget):
        path = Path(rel.location)
        if not path.is_file():
            return svc.store.get(
                version.sha256
            ), f"网站上找不到已发布的文件（{path.name}），页面可能已被删除或移动。"
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != version.sha256:
            return data, "网站上的文件与发布时的版本不一致（可能被改动或替换）。"
        return data, ""
    return svc.store.get(version.sha256), ""


class DutyMixin(ServiceBase):
    # -------------------------------------------------------------- roster
    def set_roster(
        self, actor: Actor, site: str, on_date: dt.date, usernames: Iterable[str]
    ) -> list[RosterEntryView]:
        """The duty roster of a site for one day (replaces that day's list; site admin)."""
        with self.db.write() as s:
            user = self._user(s, actor)
            if s.get(Site, site) is None:
                raise NotFound(f"站点不存在：{site}。")
            self._require_role(user, site, "admin", what="排定值班")
            people = [self._user(s, name) for name in dict.fromkeys(usernames)]
            for p in people:
                if not self._roles(p, site) & set(DUTY_ROLES):
                    raise InvalidInput(f"{p.label} 没有站点「{site}」的发布或管理员角色，不能值班读网。")
            for row in s.execute(
                select(DutyRoster).where(DutyRoster.site == site, DutyRoster.on_date == on_date)
            ).scalars():
                s.delete(row)
            s.flush()
            for p in people:
                s.add(DutyRoster(site=site, on_date=on_date, user_id=p.id, created_at=self.now()))
            self._audit(
                s,
                user,
                "duty.roster",
                details={"site": site, "date": on_date.isoformat(), "users": [p.username for p in people]},
            )
        return self.roster(actor, site, on_date, on_date)

    def roster(self, actor: Actor, site: str, start: dt.date, end: dt.date) -> list[RosterEntryView]:
        with self.db.read() as s:
            user = self._user(s, actor)
            self._require_role(user, site, *DUTY_ROLES, what="查看值班表")
            rows = s.execute(
                select(DutyRoster.on_date, User.username, User.display_name)
                .join(User, User.id == DutyRoster.user_id)
                .where(DutyRoster.site == site, DutyRoster.on_date >= start, DutyRoster.on_date <= end)
                .order_by(DutyRoster.on_date, DutyRoster.id)
            ).all()
            return [
                {"date": r.on_date.isoformat(), "username": r.username, "name": r.display_name or r.username}
                for r in rows
            ]

    # -------------------------------------------------------------- items
    def _item_dict(self, s: Session, item: DutyItem) -> DutyItemView:
        names = self._usernames(s, [item.assignee_id, item.checked_by_id])
        return {
            "id": item.id,
            "site": item.site,
            "kind": item.kind,
            "kind_label": KINDS.get(item.kind, item.kind),
            "draft_id": item.draft_id,
            "release_id": item.release_id,
            "run_id": item.run_id,
            "title": item.title,
            "location": item.location,
            "due_on": item.due_on.isoformat(),
            "overdue": item.status == "open" and item.due_on < self.today(),
            "assignee": names.get(item.assignee_id) if item.assignee_id else None,
            "finding": item.finding,
            "rescan": item.rescan,
            "rescanned_at": _iso(item.rescanned_at),
            "status": item.status,
            "status_label": "已处理" if item.status == "closed" else "待处理",
            "checked_by": names.get(item.checked_by_id) if item.checked_by_id else None,
            "checked_at": _iso(item.checked_at),
            "found": item.found,
            "outcome": item.outcome,
            "outcome_label": OUTCOMES.get(item.outcome or "", ""),
            "created_at": _iso(item.created_at),
        }

    def _duty_item(self, s: Session, user: User, item_id: int, *, lock: bool = False) -> DutyItem:
        stmt = select(DutyItem).where(DutyItem.id == item_id)
        if lock:
            stmt = stmt.with_for_update()
        item = s.execute(stmt).scalar_one_or_none()
        if item is None:
            raise NotFound(f"值班事项不存在：{item_id}。")
        self._require_role(user, item.site, *DUTY_ROLES, what="处理值班读网事项")
        return item

    def list_duty_items(
        self,
        actor: Actor,
        site: str,
        *,
        status: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        limit: int = 500,
    ) -> list[DutyItemView]:
        """The 值班读网日志 of a site, newest due date first."""
        with self.db.read() as s:
            user = self._user(s, actor)
            self._require_role(user, site, *DUTY_ROLES, what="查看值班读网日志")
            stmt = select(DutyItem).where(DutyItem.site == site)
            if status:
                stmt = stmt.where(DutyItem.status == status)
            if start:
                stmt = stmt.where(DutyItem.due_on >= start)
            if end:
                stmt = stmt.where(DutyItem.due_on <= end)
            rows = (
                s.execute(stmt.order_by(DutyItem.due_on.desc(), DutyItem.id.desc()).limit(limit))
                .scalars()
                .all()
            )
            return [self._item_dict(s, r) for r in rows]

    def get_duty_item(self, actor: Actor, item_id: int) -> DutyItemView:
        with self.db.read() as s:
            return self._item_dict(s, self._duty_item(s, self._user(s, actor), item_id))

    def recheck_item(self, actor: Actor, item_id: int, *, scanner: Scanner | None = None) -> DutyItemView:
        """Re-scan the published copy of the item's release with today's rules; what is new
        since review (or the page's anomaly) is stored with the item. Audited `duty.rescan`."""
        with self.db.read() as s:
            user = self._user(s, actor)
            item = self._duty_item(s, user, item_id)
            rel = s.get(Release, item.release_id) if item.release_id else None
            if rel is None:
                raise InvalidState("该事项没有对应的发布记录，无法复查。")
            version = s.get_one(Version, rel.version_id)
            data, anomaly = _published_bytes(self, s.get(Site, item.site), rel, version)
            reviewed = set(
                s.execute(select(FindingRow.fingerprint).where(FindingRow.version_id == version.id)).scalars()
            )
            filename, draft_id = version.filename, rel.draft_id
        result = self._scan(data, filename, draft_id, scanner)
        rescan = _rescan_summary(result, reviewed, anomaly, withdrawn=rel.withdrawn_at is not None)
        with self.db.write() as s:
            user = self._user(s, actor)
            item = self._duty_item(s, user, item_id, lock=True)
            item.rescan = dict(rescan)
            item.rescanned_at = self.now()
            self._audit(
                s,
                user,
                "duty.rescan",
                draft=s.get(Draft, draft_id),
                details={
                    "item_id": item.id,
                    "findings": len(rescan["findings"]),
                    "new": len(rescan["new"]),
                    "anomaly": anomaly,
                },
            )
            s.flush()
            return self._item_dict(s, item)

    def close_duty_item(
        self, actor: Actor, item_id: int, *, found: str, outcome: str, withdraw_reason: str = ""
    ) -> DutyItemView:
        """End an item: who checked (the actor), what was found, what was done — 改正, 撤稿
        (takes the page down now, in the same step) or 无问题. Audited `duty.close`."""
        found = (found or "").strip()
        outcome = _OUTCOME_ALIASES.get((outcome or "").strip(), (outcome or "").strip())
        if outcome not in OUTCOMES:
            raise InvalidInput("处理结果无效。可选：改正、撤稿、无问题。")
        if not found:
            raise InvalidInput("请填写检查发现的情况（无问题也须写明已检查的内容）。")
        with self.db.read() as s:
            user = self._user(s, actor)
            item = self._duty_item(s, user, item_id)
            if item.status == "closed":
                raise InvalidState("该值班事项已处理完毕。")
            draft_id = item.draft_id
        if outcome == "withdrawn":
            if draft_id is None:
                raise InvalidState("该事项不对应稿件，无法撤稿。")
            self.withdraw(actor, draft_id, withdraw_reason.strip() or f"值班读网发现问题：{found}")
        with self.db.write() as s:
            user = self._user(s, actor)
            item = self._duty_item(s, user, item_id, lock=True)
            if item.status == "closed":
                raise InvalidState("该值班事项已处理完毕。")
            item.status = "closed"
            item.checked_by_id = user.id
            item.checked_at = self.now()
            item.found = found
            item.outcome = outcome
            self._audit(
                s,
                user,
                "duty.close",
                draft=s.get(Draft, item.draft_id) if item.draft_id else None,
                comment=found,
                details={"item_id": item.id, "kind": item.kind, "outcome": outcome},
            )
            s.flush()
            return self._item_dict(s, item)

    # -------------------------------------------------------------- daily re-scan
    def run_duty_now(self, actor: Actor, site: str, *, scanner: Scanner | None = None) -> DutyRunView | None:
        """The daily re-scan of one site started by a person (publisher or admin of the site)."""
        with self.db.read() as s:
            user = self._user(s, actor)
            self._require_role(user, site, *DUTY_ROLES, what="运行值班读网复查")
        runs = self.run_duty(site, scanner=scanner)
        return runs[0] if runs else None

    def run_duty(
        self, site: str | None = None, *, scanner: Scanner | None = None, only_if_due: bool = False
    ) -> list[DutyRunView]:
        """The daily re-scan of every page online (one site or all), diffed against the last
        run. `only_if_due`: skip sites that already ran today (the worker's daily trigger)."""
        with self.db.read() as s:
            sites = [site] if site else list(s.execute(select(Site.key).order_by(Site.key)).scalars())
            if site and s.get(Site, site) is None:
                raise NotFound(f"站点不存在：{site}。")
        out: list[DutyRunView] = []
        for key in sites:
            try:
                summary = self._run_site(key, scanner, only_if_due)
            except Exception:  # one site's failure must not stop the others
                log.exception("duty run of site %s failed", key)
                continue
            if summary is not None:
                out.append(summary)
        return out

    def _run_site(self, site: str, scanner: Scanner | None, only_if_due: bool) -> DutyRunView | None:
        today = self.today()
        with self.db.write() as s:  # claim the run (site row locked: two workers never both run)
            site_row = s.execute(select(Site).where(Site.key == site).with_for_update()).scalar_one()
            if (
                only_if_due
                and s.execute(select(DutyRun.id).where(DutyRun.site == site, DutyRun.run_on == today)).first()
            ):
                return None
            last = s.execute(
                select(DutyRun)
                .where(DutyRun.site == site, DutyRun.finished_at.is_not(None))
                .order_by(DutyRun.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            previous = set(last.keys or []) if last is not None else None
            run = DutyRun(site=site, run_on=today, started_at=self.now())
            s.add(run)
            s.flush()
            run_id = run.id
            live = []
            for rel in s.execute(
                select(Release)
                .join(Draft, Draft.id == Release.draft_id)
                .where(Draft.site == site, Release.withdrawn_at.is_(None))
                .order_by(Release.id)
            ).scalars():
                version = s.get_one(Version, rel.version_id)
                draft = s.get_one(Draft, rel.draft_id)
                data, anomaly = _published_bytes(self, site_row, rel, version)
                reviewed = set(
                    s.execute(
                        select(FindingRow.fingerprint).where(FindingRow.version_id == version.id)
                    ).scalars()
                )
                live.append(
                    (rel.id, rel.location, draft.id, draft.title, version.filename, data, anomaly, reviewed)
                )
        keys: list[str] = []
        new: list[tuple[Any, ...]] = []
        anomalies: list[tuple[Any, ...]] = []
        errors: list[str] = []
        rescans: dict[int, DutyRescanView] = {}
        findings = 0
        for rel_id, location, draft_id, title, filename, data, anomaly, reviewed in live:
            if anomaly:
                anomalies.append((rel_id, location, draft_id, title, anomaly))
            result = self._scan(data, filename, draft_id, scanner)
            rescans[rel_id] = _rescan_summary(result, reviewed, anomaly, withdrawn=False)
            if result.status != "ok":
                errors.append(f"稿件 {draft_id}：{result.error}")
                continue
            for f in result.findings:
                if str(f.severity) not in SEVERITY_MIN:
                    continue
                findings += 1
                key = f"{draft_id}:{f.fingerprint}"
                keys.append(key)
                seen = previous if previous is not None else {f"{draft_id}:{fp}" for fp in reviewed}
                if key not in seen:
                    new.append((rel_id, location, draft_id, title, _finding_summary(f.to_dict())))
        with self.db.write() as s:
            run = s.get_one(DutyRun, run_id)
            assignee = _on_duty(s, site, today)
            for rel_id, location, draft_id, title, summary in new:
                s.add(
                    DutyItem(
                        site=site, kind="finding", draft_id=draft_id, release_id=rel_id, run_id=run_id,
                        title=title, location=location, due_on=today, assignee_id=assignee, finding=summary,
                    )
                )  # fmt: skip
            open_anomalies = set(
                s.execute(
                    select(DutyItem.release_id).where(
                        DutyItem.site == site, DutyItem.kind == "anomaly", DutyItem.status == "open"
                    )
                ).scalars()
            )
            anomalies = [a for a in anomalies if a[0] not in open_anomalies]  # reported once until closed
            for rel_id, location, draft_id, title, anomaly in anomalies:
                s.add(
                    DutyItem(
                        site=site, kind="anomaly", draft_id=draft_id, release_id=rel_id, run_id=run_id,
                        title=title, location=location, due_on=today, assignee_id=assignee,
                        finding={"message": anomaly},
                    )
                )  # fmt: skip
            for item in s.execute(  # open re-checks show today's re-scan of their page
                select(DutyItem).where(
                    DutyItem.site == site,
                    DutyItem.kind == "recheck",
                    DutyItem.status == "open",
                    DutyItem.release_id.in_(list(rescans) or [0]),
                )
            ).scalars():
                assert item.release_id is not None  # selected by release_id IN (...)
                item.rescan = dict(rescans[item.release_id])
                item.rescanned_at = self.now()
            run.finished_at = self.now()
            run.pages = len(live)
            run.findings = findings
            run.new_items = len(new) + len(anomalies)
            run.keys = sorted(set(keys))
            run.errors = errors
            self._audit(
                s,
                None,
                "duty.run",
                details={
                    "site": site,
                    "run_id": run_id,
                    "pages": len(live),
                    "findings": findings,
                    "new_items": run.new_items,
                    "errors": len(errors),
                },
            )
            return {
                "site": site,
                "run_id": run_id,
                "date": today.isoformat(),
                "pages": len(live),
                "findings": findings,
                "new_items": run.new_items,
                "errors": errors,
            }

    # -------------------------------------------------------------- export
    def export_duty_log(
        self, actor: Actor, site: str, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> bytes:
        """The 值班读网日志 as XLSX (cells that look like formulas are escaped)."""
        items = self.list_duty_items(actor, site, start=start, end=end, limit=100_000)
        head = [
            "编号",
            "类型",
            "应查日期",
            "稿件",
            "标题",
            "页面",
            "发现（复查/读网）",
            "值班人",
            "检查人",
            "检查时间",
            "检查发现",
            "处理结果",
        ]
        rows: list[list[Any]] = [head]
        for it in reversed(items):
            shown = ""
            if it["finding"]:
                f = it["finding"]
                shown = "；".join(x for x in (f.get("message") or "", f.get("evidence") or "") if x)
            elif it["rescan"]:
                r = it["rescan"]
                shown = (
                    r.get("anomaly")
                    or f"复查发现 {len(r.get('findings') or [])} 项，其中新增 {len(r.get('new') or [])} 项"
                )
            checked = it["checked_at"]
            if checked:
                checked = dt.datetime.fromisoformat(checked).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
            rows.append(
                [it["id"], it["kind_label"], it["due_on"], it["draft_id"], it["title"], it["location"], shown,
                 it["assignee"] or "", it["checked_by"] or "", checked or "", it["found"] or "", it["outcome_label"]]
            )  # fmt: skip
        return xlsx_bytes({"值班读网日志": rows})
