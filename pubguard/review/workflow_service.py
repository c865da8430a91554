"""The review workflow of a draft: 送审, 撤回, claiming, approving and returning a step,
转交, 归档. Part of `ReviewService` (service.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.review import states
from pubguard.review.base import Actor, ServiceBase
from pubguard.review.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from pubguard.review.gate import PUBLIC, STATUS_LABELS, public_conflicts
from pubguard.review.models import Comment, Draft, DraftStep, FindingRow, User, Version
from pubguard.review.readmodels import DraftSummaryView
from pubguard.review.states import DraftEvent


class WorkflowMixin(ServiceBase):
    def submit(
        self,
        actor: Actor,
        draft_id: int,
        version_id: int | None = None,
        comment: str = "",
        *,
        acknowledge_blockers: bool | None = None,
    ) -> DraftSummaryView:
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

    def recall(self, actor: Actor, draft_id: int, comment: str = "") -> DraftSummaryView:
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

    def claim(self, actor: Actor, draft_id: int, step_key: str | None = None) -> DraftSummaryView:
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
    ) -> DraftSummaryView:
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
    ) -> DraftSummaryView:
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
        user: User,
        kind: str,
        body: str,
        now: dt.datetime,
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

    def reassign(
        self, actor: Actor, draft_id: int, step_key: str, assignee: Actor | None
    ) -> DraftSummaryView:
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

    def archive(self, actor: Actor, draft_id: int, comment: str = "") -> DraftSummaryView:
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
