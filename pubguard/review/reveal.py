"""Showing one personal value in full, to a person with the authority, for a stated reason.

Every view of a draft shows personal values masked (`pubguard.api.documents`). A reviewer who
must judge the value itself (is this 身份证号 real? is this the unit's public phone?) asks for
it here: the site's `[authority]` policy says who may (`unmask_min_level`: review level ≥ 2
(复审) by default; `unmask_admin`: site/system administrators), a reason is required, and an
audit entry `finding.unmask` records who, which finding and why — never the value. The value
is read from the managed original at that moment (the personal_data detector run again, the
finding matched by its keyed fingerprint) and returned once; nothing keeps it (the API answers
with `Cache-Control: no-store`)."""

from __future__ import annotations

from typing import Any

from pubguard.finding import Category, assign_fingerprints
from pubguard.review.base import Actor, ServiceBase, draft_identity
from pubguard.review.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from pubguard.review.models import Draft, FindingRow, User, Version
from pubguard.review.readmodels import RevealView

UNMASK_ACTION = "finding.unmask"
MIN_REASON_CHARS = 4
LEVEL_LABELS = {1: "初审", 2: "复审", 3: "终审"}


class RevealMixin(ServiceBase):
    def may_unmask(self, actor: Actor, draft_id: int) -> bool:
        """Whether the user may ask for full personal values on this draft (for buttons)."""
        with self.db.read() as s:
            user = self._user(s, actor)
            assert user is not None  # (required=True)
            draft = self._draft(s, draft_id)
            return bool(self._roles(user, draft.site)) and (self._unmask_problem(user, draft) is None)

    def _unmask_problem(self, user: User, draft: Draft) -> str | None:
        policy = self._workflow(draft).authority
        site = draft.site
        roles = self._roles(user, site)
        if policy.unmask_admin and "admin" in roles:
            return None
        need = policy.unmask_min_level
        have = max((i for i in (1, 2, 3) if f"reviewer{i}" in roles), default=0)
        if need and have >= need:
            return None
        who = f"{LEVEL_LABELS.get(need, f'{need} 级')}及以上审核人员" if need else "审核人员"
        admin = "或管理员" if policy.unmask_admin else ""
        return f"{user.label} 无权查看完整的个人信息：站点「{site}」规定须由{who}{admin}查看。"

    def reveal_value(self, actor: Actor, finding_id: int, reason: str) -> RevealView:
        """The full value of one personal-data finding (audited; never stored)."""
        reason = (reason or "").strip()
        with self.db.read() as s:
            user = self._user(s, actor)
            assert user is not None  # (required=True)
            row = s.get(FindingRow, finding_id)
            draft = self._draft(s, row.draft_id) if row is not None else None
            if row is None or draft is None or not self._roles(user, draft.site):
                raise NotFound(f"问题不存在：{finding_id}。")  # another site's: like a missing one
            problem = self._unmask_problem(user, draft)
            if problem:
                raise PermissionDenied(problem)
            if row.category != str(Category.PERSONAL_DATA):
                raise InvalidInput("只有个人信息类问题才有被遮盖的完整值。")
            if len(reason) < MIN_REASON_CHARS:
                raise InvalidInput(f"查看完整的个人信息须填写理由（至少 {MIN_REASON_CHARS} 个字）。")
            version = s.get(Version, row.version_id)
            if version is None:
                raise NotFound(f"问题不存在：{finding_id}。")
            filename, sha, fingerprint, draft_id = version.filename, version.sha256, row.fingerprint, draft.id
            version_id, category, rule = version.id, row.category, row.rule
            location = dict(row.location or {})
        value = self._value_from_original(filename, self.store.get(sha), draft_id, fingerprint, location)
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id)
            self._audit(
                s,
                user,
                UNMASK_ACTION,
                draft=draft,
                version_id=version_id,
                comment=reason,
                details={"finding_id": finding_id, "category": category, "rule": rule},
            )
        return {"finding_id": finding_id, "value": value}

    def _value_from_original(
        self, filename: str, data: bytes, draft_id: int, fingerprint: str, location: dict[str, Any]
    ) -> str:
        from pubguard.detectors import ScanContext, detectors_for
        from pubguard.extract import extract

        config = self.settings.scan_config
        try:
            doc = extract(data, filename, config)
            found = [
                f
                for det in detectors_for({str(Category.PERSONAL_DATA)})
                for f in det.detect(doc, ScanContext(config=config))
            ]
        except Exception:
            raise InvalidState("无法从原件中读取该值（文件无法解析）。") from None
        assign_fingerprints(found, draft_identity(draft_id))
        start, end = location.get("start"), location.get("end")
        for f in found:
            loc = f.location
            if loc.start is None or loc.end is None or getattr(loc, "member", None):
                continue
            if fingerprint in (f.fingerprint, *f.previous_fingerprints) or (loc.start, loc.end) == (
                start,
                end,
            ):
                return doc.text[loc.start : loc.end].strip()
        raise InvalidState("无法在原件中定位该值（可能来自图片识别或压缩包内文件），请下载原件查看。")
