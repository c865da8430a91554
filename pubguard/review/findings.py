"""Decisions on findings: confirm / 误报 / accept, with the authority rules (who may dismiss,
the second person's confirmation of a 误报, the reviewer level an acceptance needs).
Part of `ReviewService` (service.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pubguard.finding import Severity
from pubguard.review.base import DECIDER_ROLES, DECISIONS, Actor, ServiceBase
from pubguard.review.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from pubguard.review.gate import STATUS_LABELS
from pubguard.review.models import Draft, FindingRow, User
from pubguard.review.readmodels import FindingView
from pubguard.review.workflow import ROLES


class FindingsMixin(ServiceBase):
    def decide_finding(
        self,
        actor: Actor,
        finding_id: int,
        decision: str,
        *,
        reason: str = "",
        level: int | None = None,
    ) -> FindingView:
        """Decide a finding of the current version: `confirmed` (must be fixed),
        `false_positive` (reason required) or `accepted` (published knowingly: reason and the
        accepting review level required; blockers never). `open` withdraws a decision."""
        reason = (reason or "").strip()
        if decision not in (*DECISIONS, "open"):
            raise InvalidInput(
                "决定无效。可选：confirmed（确认须修改）、false_positive（误报）、accepted（接受发布）。"
            )
        if decision == "false_positive" and not reason:
            raise InvalidInput("标记误报须填写理由。")
        with self.db.write() as s:
            user = self._user(s, actor)
            row = s.get(FindingRow, finding_id)
            if row is None:
                raise NotFound(f"问题不存在：{finding_id}。")
            draft = self._draft(s, row.draft_id, lock=True)
            if not self._roles(user, draft.site):  # another site's finding answers like a missing one
                raise NotFound(f"问题不存在：{finding_id}。")
            self._require_role(user, draft.site, *DECIDER_ROLES, what="对检查结果作出决定")
            if user.id in self._authors(draft):
                raise PermissionDenied("不能对自己稿件的检查结果作出决定（须由审校人员判断）。")
            if row.version_id != draft.current_version_id or row.status == "fixed":
                raise InvalidState("只能对当前版本中仍存在的问题作出决定。")
            if draft.status in ("released", "archived"):
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能再修改决定。")
            if decision == "accepted":
                self._check_acceptance(user, draft, row, reason, level)
            if decision == "false_positive":
                confirmed = self._dismissal(s, user, draft, row, reason)
                if confirmed is not None:
                    return confirmed
            now = self._touch(draft)
            row.decision = None if decision == "open" else decision
            row.status = decision
            row.decision_reason = reason
            row.decision_level = (
                level
                if decision == "accepted"
                else self._review_level(user, draft.site)
                if decision == "false_positive"
                else None
            )
            row.decided_by_id = None if decision == "open" else user.id
            row.decided_at = None if decision == "open" else now
            row.carried_from_id = None
            active = self._active_step(draft)
            row.decision_step = active.position if active is not None else -1
            row.confirmed_by_id = None
            row.confirmed_at = None
            self._audit(
                s,
                user,
                "finding.decide",
                draft=draft,
                version_id=row.version_id,
                comment=reason,
                details={  # no fingerprint: the permanent log must not pin a key (re-keying)
                    "finding_id": row.id,
                    "category": row.category,
                    "rule": row.rule,
                    "severity": row.severity,
                    "decision": decision,
                    "level": row.decision_level,
                },
            )
            s.flush()
            return self._finding_dict(row, self._usernames(s, [row.decided_by_id]))

    def _review_level(self, user: User, site: str) -> int:
        """The highest review level (reviewer1–3 → 1–3) the user holds on the site; 0 none."""
        roles = self._roles(user, site)
        return max((i for i in (1, 2, 3) if f"reviewer{i}" in roles), default=0)

    def _dismissal(
        self, s: Session, user: User, draft: Draft, row: FindingRow, reason: str
    ) -> FindingView | None:
        """Authority for 误报 (AuthorityPolicy). When another person already marked this finding
        误报, this call is the second person's confirmation (returned); else None."""
        policy = self._workflow(draft).authority
        have = self._review_level(user, draft.site)
        if (
            row.status == "false_positive"
            and row.decided_by_id not in (None, user.id)
            and row.severity in policy.confirm
            and row.confirmed_by_id is None
        ):
            if have < policy.confirm_min_level:
                raise PermissionDenied(f"{user.label} 不是审核人，不能确认他人的误报认定。")
            active = self._active_step(draft)
            if active is None or active.position <= (
                row.decision_step if row.decision_step is not None else -1
            ):
                raise InvalidState("误报认定须由另一审核人在后续审核环节确认（当前环节不能确认）。")
            now = self._touch(draft)
            row.confirmed_by_id = user.id
            row.confirmed_at = now
            self._audit(
                s,
                user,
                "finding.confirm",
                draft=draft,
                version_id=row.version_id,
                step=active.key,
                comment=reason,
                details={"finding_id": row.id, "severity": row.severity},
            )
            s.flush()
            return self._finding_dict(row, self._usernames(s, [row.decided_by_id, row.confirmed_by_id]))
        need = policy.dismiss_level(row.severity)
        if need and have < need:
            who = {1: "初审", 2: "复审", 3: "终审"}.get(need, f"{need} 级")
            raise PermissionDenied(
                f"{'阻断级' if row.severity == Severity.BLOCKER else '高风险'}问题标记误报须由{who}及以上审核人认定"
                f"（与接受发布所需权限相同），{user.label} 无此权限。"
            )
        return None

    def _check_acceptance(
        self, user: User, draft: Draft, row: FindingRow, reason: str, level: int | None
    ) -> None:
        if row.severity == Severity.BLOCKER:
            raise InvalidInput("阻断级问题（如密级标志、红头、公章）不得接受发布，必须修改。")
        if not reason:
            raise InvalidInput("接受发布须填写理由。")
        if level not in (1, 2, 3):
            raise InvalidInput("接受发布须注明审核级别（1 初审、2 复审、3 终审）。")
        need = self._workflow(draft).min_accept_level(row.severity)
        if level < need:
            raise InvalidInput(f"该级别问题须由 {need} 级及以上审核人接受发布。")
        if f"reviewer{level}" not in self._roles(user, draft.site):
            raise PermissionDenied(
                f"{user.label} 没有{ROLES[f'reviewer{level}']}角色，不能以该级别接受发布。"
            )
