"""政策解读: “谁起草、谁解读” — a policy draft linked to its 解读 draft (and back).

- A class with `needs_interpretation` (see `routes.py`) is not released without a linked 解读.
- A linked pair goes online together: the policy's release also publishes its 解读, which must
  have passed its own review (its own gate); the 解读 alone is refused while its policy is not
  online. Both published copies name each other (`meta.json`: `interpretation` / `policy`).
- A policy-like document (the scanner's `info_class.policy`: 实施办法/管理办法/若干措施/规范性文件
  with a 发文字号) with no linked 解读 gets a low review-layer finding when its scan is stored
  (category `publication`, no detector: detectors know nothing of links); linking fixes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pubguard.review.base import Actor, ServiceBase, draft_identity
from pubguard.review.errors import InvalidInput, InvalidState
from pubguard.review.gate import STATUS_LABELS
from pubguard.review.models import Draft, FindingRow, Version
from pubguard.review.models_routes import InterpretationLink
from pubguard.review.readmodels import DraftSummaryView, LinkedDraft, LinksView
from pubguard.review.routes import load_routes

# Findings the review layer adds itself (not a detector's): their category and its label.
REVIEW_CATEGORY = "publication"
REVIEW_CATEGORY_LABELS = {REVIEW_CATEGORY: "发布要求"}
MISSING_RULE = "missing_interpretation"
BASIS = "“谁起草、谁解读”：重要政策、规范性文件须与政策解读同步发布"


def link_of(s: Session, draft_id: int) -> tuple[InterpretationLink | None, InterpretationLink | None]:
    """(link where the draft is the policy, link where it is the 解读)."""
    rows = (
        s.execute(
            select(InterpretationLink).where(
                or_(
                    InterpretationLink.policy_draft_id == draft_id,
                    InterpretationLink.interpretation_draft_id == draft_id,
                )
            )
        )
        .scalars()
        .all()
    )
    as_policy = next((r for r in rows if r.policy_draft_id == draft_id), None)
    as_interp = next((r for r in rows if r.interpretation_draft_id == draft_id), None)
    return as_policy, as_interp


def needs_interpretation(draft: Draft) -> bool:
    routes = load_routes(draft.workflow)
    cls = routes.of(draft) if routes else None
    return bool(cls and cls.needs_interpretation)


def online(draft: Draft) -> bool:
    return draft.released_version_id is not None and draft.released_version_id == draft.current_version_id


def link_problems(s: Session, draft: Draft, own_gate: Callable[[Session, Draft], list[str]]) -> list[str]:
    """Gate reasons from the policy ↔ 解读 rule (`own_gate`: a draft's gate without this rule)."""
    as_policy, as_interp = link_of(s, draft.id)
    reasons: list[str] = []
    if as_policy is None and needs_interpretation(draft):
        reasons.append("重要政策、规范性文件须随附政策解读（谁起草、谁解读）：尚未关联解读稿。")
    if as_policy is not None:
        interp = s.get(Draft, as_policy.interpretation_draft_id)
        if interp is not None and not online(interp):
            problems = own_gate(s, interp)
            if problems:
                shown = "；".join(problems[:3]) + ("等" if len(problems) > 3 else "")
                reasons.append(f"政策解读（稿件 {interp.id}「{interp.title}」）尚未通过其自身审核：{shown}")
    if as_interp is not None:
        policy = s.get(Draft, as_interp.policy_draft_id)
        if policy is not None and policy.released_version_id is None:
            reasons.append(
                f"政策解读须与政策文件（稿件 {policy.id}「{policy.title}」）同时发布：请在政策文件上执行发布。"
            )
    return reasons


def release_partner(s: Session, draft: Draft) -> Draft | None:
    """The linked 解读 that goes online with this policy now (None: none, or already online)."""
    as_policy = link_of(s, draft.id)[0]
    if as_policy is None:
        return None
    interp = s.get(Draft, as_policy.interpretation_draft_id)
    return None if interp is None or online(interp) else interp


def pair_link(other: Draft, filename: str) -> dict[str, Any]:
    """How a published copy names its partner (`meta.json`): ids, title and, for the folder
    target's `<site>/<draft id>/<file>` layout, the relative path."""
    return {"draft_id": other.id, "title": other.title, "file": filename, "path": f"../{other.id}/{filename}"}


def links_view(s: Session, draft: Draft) -> LinksView:
    as_policy, as_interp = link_of(s, draft.id)

    def brief(draft_id: int) -> LinkedDraft | None:
        other = s.get(Draft, draft_id)
        if other is None:
            return None
        return {
            "draft_id": other.id,
            "title": other.title,
            "status": other.status,
            "status_label": STATUS_LABELS.get(other.status, other.status),
        }

    return {
        "needs_interpretation": needs_interpretation(draft),
        "interpretation": brief(as_policy.interpretation_draft_id) if as_policy else None,
        "policy": brief(as_interp.policy_draft_id) if as_interp else None,
    }


def policy_signal(version: Version | None) -> dict[str, str] | None:
    """The scanner's policy-like signal of a version (None: not policy-like or not scanned)."""
    result = (version.scan_result or {}) if version is not None else {}
    return (result.get("info_class") or {}).get("policy") or None


def missing_fingerprint(draft_id: int) -> str:
    return hashlib.sha256(
        f"{draft_identity(draft_id)}|{REVIEW_CATEGORY}|{MISSING_RULE}".encode()
    ).hexdigest()[:32]


class InterpretationMixin(ServiceBase):
    def _check_policy_interpretation(self, s: Session, draft: Draft, version: Version) -> None:
        """After a scan is stored: a policy-like version without a linked 解读 gets a low finding."""
        signal = policy_signal(version)
        if signal is None or version.scan_status != "ok" or link_of(s, draft.id)[0] is not None:
            return
        fp = missing_fingerprint(draft.id)
        exists = s.execute(
            select(FindingRow.id).where(FindingRow.version_id == version.id, FindingRow.fingerprint == fp)
        ).first()
        if exists:
            return
        s.add(
            FindingRow(
                draft_id=draft.id,
                version_id=version.id,
                fingerprint=fp,
                category=REVIEW_CATEGORY,
                rule=MISSING_RULE,
                severity="low",
                message=f"文件为{signal.get('word', '政策文件')}（{signal.get('doc_number', '')}），尚未关联政策解读稿。",
                evidence=signal.get("doc_number", ""),
                location={"page": 1},
                page=1,
                suggestion="起草政策解读并在稿件页关联（谁起草、谁解读），与政策文件同步发布；或将信息类别设为“重要政策”。",
                basis=BASIS,
                confidence=0.8,
                status="open",
            )
        )

    def link_interpretation(self, actor: Actor, policy_id: int, interpretation_id: int) -> DraftSummaryView:
        """Link a policy draft to its 解读 draft (editor of the site; same site; one each way)."""
        if policy_id == interpretation_id:
            raise InvalidInput("政策文件和解读不能是同一篇稿件。")
        with self.db.write() as s:
            user = self._user(s, actor)
            first, second = sorted((policy_id, interpretation_id))  # lock in id order: no deadlock
            drafts = {d.id: d for d in (self._draft(s, first, lock=True), self._draft(s, second, lock=True))}
            policy, interp = drafts[policy_id], drafts[interpretation_id]
            self._require_role(user, policy.site, "editor", "admin", what="关联政策解读")
            if interp.site != policy.site:
                raise InvalidInput("政策解读须与政策文件属于同一站点。")
            for d in (policy, interp):
                if d.status == "archived":
                    raise InvalidState(f"稿件 {d.id} 已归档，不能关联。")
            p_as_policy, p_as_interp = link_of(s, policy.id)
            i_as_policy, i_as_interp = link_of(s, interp.id)
            if p_as_policy is not None:
                if p_as_policy.interpretation_draft_id == interp.id:
                    return self._draft_summary(s, policy)
                raise InvalidState(
                    f"稿件 {policy.id} 已关联解读稿 {p_as_policy.interpretation_draft_id}，请先解除。"
                )
            if p_as_interp is not None:
                raise InvalidState(
                    f"稿件 {policy.id} 本身是稿件 {p_as_interp.policy_draft_id} 的解读，不能再关联解读。"
                )
            if i_as_interp is not None:
                raise InvalidState(f"稿件 {interp.id} 已是稿件 {i_as_interp.policy_draft_id} 的解读。")
            if i_as_policy is not None:
                raise InvalidState(f"稿件 {interp.id} 是政策文件（已关联解读），不能作为解读。")
            s.add(
                InterpretationLink(
                    policy_draft_id=policy.id, interpretation_draft_id=interp.id, created_by_id=user.id
                )
            )
            now = self._touch(policy)
            self._touch(interp)
            fixed = 0
            if policy.current_version_id is not None:
                for row in s.execute(
                    select(FindingRow).where(
                        FindingRow.version_id == policy.current_version_id,
                        FindingRow.fingerprint == missing_fingerprint(policy.id),
                        FindingRow.status == "open",
                    )
                ).scalars():
                    row.status = "fixed"
                    row.fixed_in_version_id = policy.current_version_id
                    row.decided_at = now
                    fixed += 1
            for d, other, role in ((policy, interp, "interpretation"), (interp, policy, "policy")):
                self._audit(
                    s,
                    user,
                    "interpretation.link",
                    draft=d,
                    details={
                        role: other.id,
                        "title": other.title,
                        "fixed_findings": fixed if d is policy else 0,
                    },
                )
            s.flush()
            return self._draft_summary(s, policy)

    def unlink_interpretation(self, actor: Actor, policy_id: int, reason: str = "") -> DraftSummaryView:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("解除政策解读关联须填写理由。")
        with self.db.write() as s:
            user = self._user(s, actor)
            policy = self._draft(s, policy_id, lock=True)
            self._require_role(user, policy.site, "editor", "admin", what="解除政策解读关联")
            link = link_of(s, policy.id)[0]
            if link is None:
                raise InvalidState("该稿件没有关联政策解读。")
            interp_id = link.interpretation_draft_id
            s.delete(link)
            self._touch(policy)
            self._audit(
                s,
                user,
                "interpretation.unlink",
                draft=policy,
                comment=reason,
                details={"interpretation": interp_id},
            )
            s.flush()
            version = self._current(s, policy)
            if version is not None:
                self._check_policy_interpretation(s, policy, version)
            return self._draft_summary(s, policy)
