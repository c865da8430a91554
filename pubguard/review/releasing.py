"""Release (发布), withdrawal (撤稿) and crash recovery (`reconcile`).

A release runs in three steps so that a power cut at any instant leaves a state `reconcile()`
can settle:

1. *intent* — gate checked, a `ReleaseIntent` row (`pending`) committed; nothing is online yet;
2. *publish* — with the draft locked, the target is written (idempotent: temporary files in a
   staging folder outside the served tree, renamed into place, `meta.json` last);
3. *record* — in the same transaction the `Release` row, the draft's status, the audit entry
   and the intent's `done` commit together.

`reconcile()` (run when the service or a worker starts, and by `pubguard review reconcile`)
finishes every pending intent whose version is complete on the target (its file and every 附件
`meta.json` names) and rolls back the
others (partial files removed, draft stays 待发布), then sweeps temporary files left by dead
processes. 撤稿 takes down whatever the target serves for the draft, even when the database
holds no release row for it."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.review import faults, states
from pubguard.review.attachments import attachment_problems
from pubguard.review.base import Actor, ServiceBase, log
from pubguard.review.duty import recheck_task
from pubguard.review.errors import (
    Conflict,
    GateClosed,
    InvalidInput,
    InvalidState,
    PermissionDenied,
    PublishFailed,
)
from pubguard.review.interpretation import pair_link, release_partner
from pubguard.review.models import Attachment, Draft, Release, ReleaseIntent, Site, User, Version
from pubguard.review.publish import (
    FolderTarget,
    PublishFile,
    PublishItem,
    PublishTarget,
    _pid_alive,
    attachment_names,
    safe_filename,
    target_from_config,
)
from pubguard.review.readmodels import DraftSummaryView, ReconcileView, ReleaseView, Settled
from pubguard.review.states import DraftEvent

HOST = socket.gethostname()[:60]
INTENT_STALE_AFTER = dt.timedelta(minutes=10)  # a pending intent this old is settled even if its owner lives


def _owner() -> str:
    return f"{HOST}:{os.getpid()}"


def _owner_gone(owner: str) -> bool:
    host, _, pid = owner.partition(":")
    if host != HOST or not pid.isdigit():
        return False  # another machine: only the age decides
    return int(pid) != os.getpid() and not _pid_alive(int(pid))


def _publish_config(s: Session, draft: Draft) -> dict[str, Any] | None:
    row = s.get(Site, draft.site)
    return row.publish if row else None


class ReleaseMixin(ServiceBase):
    def _target(self, s: Session, site: str, target: PublishTarget | None) -> PublishTarget:
        if target is not None:
            return target
        row = s.get(Site, site)
        return target_from_config(row.publish if row else None, self.settings.publish_dir)

    def _item(self, s: Session, draft: Draft, version: Version, intent: ReleaseIntent) -> PublishItem:
        actor = s.get(User, intent.actor_id)
        rows = s.execute(
            select(Attachment).where(Attachment.draft_id == draft.id).order_by(Attachment.id)
        ).scalars()
        attached = list(rows)
        reasons = attachment_problems(attached)  # one added after the gate was checked (step 1)
        if reasons:
            raise GateClosed("稿件不满足发布条件：" + "；".join(reasons), details={"reasons": reasons})
        main = safe_filename(version.filename, f"v{version.number}")
        names = attachment_names(main, [a.filename for a in attached])
        return PublishItem(
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
            released_at=intent.released_at,
            released_by=actor.username if actor else "",
            attachments=[
                PublishFile(name, a.sha256, self.store.get(a.sha256))
                for name, a in zip(names, attached, strict=True)
            ],
        )

    def release(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None = None,
        *,
        target: PublishTarget | None = None,
    ) -> ReleaseView:
        """Publish the current version through the site's target when the gate allows.
        Releasing a version that is already online is a no-op returning the same release."""
        with self.db.write() as s:  # step 1: the intent
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "publisher", what="发布稿件")
            if version_id is not None:
                self._check_version(draft, version_id)
            tgt = self._target(s, draft.site, target)
            for pending in self._pending_intents(s, draft.id):
                if self._may_settle(pending):
                    self._settle(s, draft, pending, tgt)
                else:
                    raise Conflict("该稿件正在发布中（另一发布操作尚未完成），请稍后刷新。")
            if draft.status == "released" and draft.released_version_id == draft.current_version_id:
                existing = s.execute(
                    select(Release)
                    .where(Release.draft_id == draft.id, Release.version_id == draft.released_version_id)
                    .where(Release.withdrawn_at.is_(None))
                ).scalar_one_or_none()
                if existing is not None:
                    return self._release_dict(
                        existing, self._usernames(s, [existing.released_by_id]), _publish_config(s, draft)
                    )
            reasons = self._gate(s, draft)
            if reasons:
                raise GateClosed("稿件不满足发布条件：" + "；".join(reasons), details={"reasons": reasons})
            self._check_release_duties(s, user, draft)
            intent_id = self._new_intent(s, draft, tgt, user)
            # 政策解读: a linked 解读 not yet online goes with its policy (its gate is in the policy's)
            partner = release_partner(s, draft)
            partner_intent_id = None
            if partner is not None:
                partner = self._draft(s, partner.id, lock=True)
                self._check_release_duties(s, user, partner)
                partner_intent_id = self._new_intent(s, partner, tgt, user)
        faults.point("release:after_intent")
        undo: list[Callable[[], None]] = []
        try:
            with self.db.write() as s:  # steps 2 and 3: publish, then record in one commit
                draft = self._draft(s, draft_id, lock=True)
                intent = s.get(ReleaseIntent, intent_id)
                if intent is None or intent.state != "pending":
                    raise Conflict("发布已被中断（已由恢复程序处理），请刷新后重试。")
                user = s.get_one(User, intent.actor_id)
                version = s.get_one(Version, intent.version_id)
                item = self._item(s, draft, version, intent)
                pair = None
                if partner_intent_id is not None:  # both online or neither; one audit event
                    pair = self._publish_partner(s, draft, item, partner_intent_id, tgt, undo)
                first = not self._active_releases(s, draft.id)
                location = tgt.publish(item)  # idempotent; a failure leaves the DB untouched
                if first:
                    undo.append(lambda: tgt.withdraw(item.site, item.draft_id, location))
                faults.point("release:after_metadata")
                together = None
                if pair is not None:
                    p_draft, p_intent, p_location, p_files = pair
                    p_rel = self._record_release(
                        s,
                        p_draft,
                        p_intent,
                        user,
                        tgt,
                        p_location,
                        reconciled=False,
                        audit=False,
                        files=p_files,
                    )
                    together = {
                        "interpretation": {
                            "draft_id": p_draft.id,
                            "version_id": p_intent.version_id,
                            "release_id": p_rel.id,
                            "location": p_location,
                        }
                    }
                rel = self._record_release(
                    s,
                    draft,
                    intent,
                    user,
                    tgt,
                    location,
                    reconciled=False,
                    extra=together,
                    files=[a.record() for a in item.attachments],
                )
                return self._release_dict(rel, {user.id: user.label}, _publish_config(s, draft))
        except Exception as exc:
            for step in undo:
                try:
                    step()
                except Exception:  # best effort; the original error matters more
                    log.exception("could not undo publication of draft %s", draft_id)
            if not isinstance(exc, Conflict):
                self._abandon_intent(intent_id, f"{type(exc).__name__}", tgt)
                if partner_intent_id is not None:
                    self._abandon_intent(partner_intent_id, f"{type(exc).__name__}", tgt)
            raise

    def _new_intent(self, s: Session, draft: Draft, tgt: PublishTarget, user: User) -> int:
        """Step 1 of a release: the pending intent for the draft's current version."""
        version = self._current(s, draft)
        if version is None:  # the gate refuses such a draft before any intent is made
            raise InvalidState("稿件还没有上传文件。")
        intent = ReleaseIntent(
            draft_id=draft.id,
            version_id=version.id,
            site=draft.site,
            target_kind=tgt.kind,
            target=tgt.describe(),
            idempotency_key=f"pubguard-{draft.id}-{version.id}-{version.sha256[:16]}",
            state="pending",
            owner=_owner(),
            actor_id=user.id,
            released_at=self.now().isoformat(),
            created_at=self.now(),
        )
        s.add(intent)
        s.flush()
        return intent.id

    def _publish_partner(
        self,
        s: Session,
        draft: Draft,
        item: PublishItem,
        intent_id: int,
        tgt: PublishTarget,
        undo: list[Callable[[], None]],
    ) -> tuple[Draft, ReleaseIntent, str, list[dict[str, Any]]]:
        """Publish the 解读 released with its policy; each published copy names the other."""
        intent = s.get(ReleaseIntent, intent_id)
        if intent is None or intent.state != "pending":
            raise Conflict("发布已被中断（已由恢复程序处理），请刷新后重试。")
        partner = self._draft(s, intent.draft_id, lock=True)
        p_item = self._item(s, partner, s.get_one(Version, intent.version_id), intent)
        p_item.metadata["policy"] = pair_link(draft, item.filename)
        item.metadata["interpretation"] = pair_link(partner, p_item.filename)
        first = not self._active_releases(s, partner.id)
        location = tgt.publish(p_item)
        if first:
            undo.append(lambda: tgt.withdraw(p_item.site, p_item.draft_id, location))
        return partner, intent, location, [a.record() for a in p_item.attachments]

    def _check_release_duties(self, s: Session, user: User, draft: Draft) -> None:
        problem = self.publish_problem(user, draft)
        if problem:
            raise PermissionDenied(problem)

    def _abandon_intent(self, intent_id: int, why: str, tgt: PublishTarget) -> None:
        try:
            with self.db.write() as s:
                intent = s.get(ReleaseIntent, intent_id)
                if intent is None or intent.state != "pending":
                    return
                draft = self._draft(s, intent.draft_id, lock=True)
                self._rollback_intent(s, draft, intent, tgt, why)
        except Exception:  # the database itself failed: reconcile() settles it later
            log.exception("could not roll back release intent %s", intent_id)

    @staticmethod
    def _pending_intents(s: Session, draft_id: int) -> list[ReleaseIntent]:
        return list(
            s.execute(
                select(ReleaseIntent)
                .where(ReleaseIntent.draft_id == draft_id, ReleaseIntent.state == "pending")
                .order_by(ReleaseIntent.id)
            ).scalars()
        )

    @staticmethod
    def _active_releases(s: Session, draft_id: int) -> list[Release]:
        return list(
            s.execute(
                select(Release).where(Release.draft_id == draft_id, Release.withdrawn_at.is_(None))
            ).scalars()
        )

    def _may_settle(self, intent: ReleaseIntent) -> bool:
        created = intent.created_at
        return (
            _owner_gone(intent.owner)
            or intent.owner == _owner()
            or (created is not None and self.now() - created > INTENT_STALE_AFTER)
        )

    def _record_release(
        self,
        s: Session,
        draft: Draft,
        intent: ReleaseIntent,
        user: User,
        tgt: PublishTarget,
        location: str,
        *,
        reconciled: bool,
        audit: bool = True,
        extra: dict[str, Any] | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Release:
        """`files`: the 附件 published with it (`PublishFile.record()`), kept on the row."""
        now = self._touch(draft)
        version = s.get_one(Version, intent.version_id)
        for old in self._active_releases(s, draft.id):  # the new version replaces the one online
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
            released_at=dt.datetime.fromisoformat(intent.released_at),
            attachments=list(files or []),
        )
        s.add(rel)
        draft.released_version_id = version.id
        draft.released_at = rel.released_at
        if draft.current_version_id == version.id and states.allowed(DraftEvent.RELEASE, draft.status):
            states.apply(draft, DraftEvent.RELEASE)
        s.flush()
        recheck_task(s, draft, rel, self.today())  # 值班读网: important releases are re-checked
        intent.state = "done"
        intent.release_id = rel.id
        intent.finished_at = now
        if not audit:  # released together with a policy: its one audit event names this one
            return rel
        self._audit(
            s,
            user if not reconciled else None,
            "release",
            draft=draft,
            version_id=version.id,
            details={
                "target": tgt.kind,
                "location": location,
                "sha256": version.sha256,
                "release_id": rel.id,
                "intent_id": intent.id,
                "released_by": user.username,
                "reconciled": reconciled,
                "attachments": [f.get("file") for f in files or []],
                **(extra or {}),
            },
        )
        return rel

    def _rollback_intent(
        self, s: Session, draft: Draft, intent: ReleaseIntent, tgt: PublishTarget, why: str
    ) -> None:
        """Nothing of this intent stays online: partial files go; an earlier release stays."""
        removed: list[str] = []
        if isinstance(tgt, FolderTarget):
            online = tgt.online(draft.site, draft.id)
            if self._active_releases(s, draft.id) and online is not None:
                removed = tgt.sweep_draft(draft.site, draft.id)
            elif (online is None or online.get("version_id") == intent.version_id) and tgt.present(
                draft.site, draft.id
            ):
                tgt.withdraw(draft.site, draft.id, "")
                removed = [str(tgt.folder(draft.site, draft.id))]
        intent.state = "rolled_back"
        intent.finished_at = self.now()
        intent.note = why[:500]
        self._touch(draft)
        self._audit(
            s,
            None,
            "release.rollback",
            draft=draft,
            version_id=intent.version_id,
            details={"intent_id": intent.id, "reason": why, "removed": len(removed)},
        )

    def _settle(self, s: Session, draft: Draft, intent: ReleaseIntent, tgt: PublishTarget) -> Settled:
        """Finish (`finished`) or roll back (`rolled_back`) an interrupted release; `retry` when
        a webhook could not be reached (left pending for the next run)."""
        version = s.get_one(Version, intent.version_id)
        user = s.get_one(User, intent.actor_id)
        if isinstance(tgt, FolderTarget):
            online = tgt.online(draft.site, draft.id)
            if (
                online is not None
                and online.get("version_id") == intent.version_id
                and online.get("sha256") == version.sha256
            ):
                tgt.sweep_draft(draft.site, draft.id)
                files = [
                    {k: a.get(k) for k in ("file", "sha256", "size", "location")}
                    for a in online.get("attachments") or []
                ]
                self._record_release(
                    s, draft, intent, user, tgt, online["location"], reconciled=True, files=files
                )
                return "finished"
            self._rollback_intent(s, draft, intent, tgt, "发布中断：目标上没有完整的该版本")
            return "rolled_back"
        try:
            item = self._item(s, draft, version, intent)
        except GateClosed as exc:
            self._rollback_intent(s, draft, intent, tgt, exc.message)
            return "rolled_back"
        try:  # a webhook: the same idempotency key makes re-sending safe
            location = tgt.publish(item)
        except PublishFailed as exc:
            intent.note = exc.message[:500]
            return "retry"
        files = [a.record() for a in item.attachments]
        self._record_release(s, draft, intent, user, tgt, location, reconciled=True, files=files)
        return "finished"

    def reconcile(self) -> ReconcileView:
        """Settle every interrupted release and sweep stray temporary files. Safe to run while
        other processes work: intents of live processes are left alone, drafts are locked."""
        out: ReconcileView = {"finished": [], "rolled_back": [], "retry": [], "swept": []}
        with self.db.read() as s:
            pending = (
                s.execute(
                    select(ReleaseIntent.id)
                    .where(ReleaseIntent.state == "pending")
                    .order_by(ReleaseIntent.id)
                )
                .scalars()
                .all()
            )
            sites = s.execute(select(Site)).scalars().all()
            targets = [target_from_config(site.publish, self.settings.publish_dir) for site in sites]
        for intent_id in pending:
            try:
                with self.db.write() as s:
                    intent = s.get_one(ReleaseIntent, intent_id)
                    draft = self._draft(s, intent.draft_id, lock=True)
                    s.refresh(intent)
                    if intent.state != "pending" or not self._may_settle(intent):
                        continue
                    outcome = self._settle(s, draft, intent, self._target(s, draft.site, None))
                    out[outcome].append(draft.id)
            except Exception:
                log.exception("could not settle release intent %s", intent_id)
        seen: set[str] = set()
        for tgt in [*targets, target_from_config(None, self.settings.publish_dir)]:
            if isinstance(tgt, FolderTarget) and tgt.describe() not in seen:
                seen.add(tgt.describe())
                out["swept"].extend(tgt.sweep())
        out["swept"].extend(self.store.sweep())
        counts = {
            "finished": len(out["finished"]),
            "rolled_back": len(out["rolled_back"]),
            "retry": len(out["retry"]),
            "swept": len(out["swept"]),
        }
        if any(counts.values()):
            log.info("reconcile: %s", counts)
        return out

    def withdraw(
        self, actor: Actor, draft_id: int, reason: str, *, target: PublishTarget | None = None
    ) -> DraftSummaryView:
        """撤稿: take the draft offline (publisher or admin; reason required) — whatever the
        target serves for it, even if the database has no release row (a crashed release)."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("撤稿须填写原因。")
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            self._require_role(user, draft.site, "publisher", "admin", what="撤稿")
            tgt = self._target(s, draft.site, target)
            rel = self._active_releases(s, draft.id)
            pending = self._pending_intents(s, draft.id)
            on_target = isinstance(tgt, FolderTarget) and tgt.present(draft.site, draft.id)
            if draft.released_version_id is None and not rel and not pending and not on_target:
                raise InvalidState("稿件未在网站发布，无需撤稿。")
            now = self._touch(draft)
            for r in rel:
                tgt.withdraw(draft.site, draft.id, r.location)
                r.withdrawn_at = now
                r.withdrawn_by_id = user.id
                r.withdraw_reason = reason
            if not rel or on_target:
                tgt.withdraw(draft.site, draft.id, "")
            for intent in pending:
                intent.state = "rolled_back"
                intent.finished_at = now
                intent.note = "撤稿"
            released_version = draft.released_version_id
            draft.released_version_id = None
            if states.allowed(DraftEvent.WITHDRAW, draft.status):
                states.apply(draft, DraftEvent.WITHDRAW)
            self._audit(
                s,
                user,
                "withdraw",
                draft=draft,
                version_id=released_version,
                comment=reason,
                details={"untracked": not rel, "intents": [i.id for i in pending]},
            )
            return self._draft_summary(s, draft)
