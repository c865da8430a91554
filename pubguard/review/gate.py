"""Disclosure attributes and the release gate: the rules that decide whether a draft may go
online, as pure functions over loaded rows so the UI can show every reason at once."""

from __future__ import annotations

from collections.abc import Iterable

from pubguard.review.errors import InvalidInput
from pubguard.review.models import Draft, DraftStep, FindingRow, Version

PUBLIC = "主动公开"
ON_REQUEST = "依申请公开"
WITHHELD = "不予公开"
ATTRIBUTES = (PUBLIC, ON_REQUEST, WITHHELD)
_ALIASES = {
    "public": PUBLIC,
    "proactive": PUBLIC,
    "on_request": ON_REQUEST,
    "request": ON_REQUEST,
    "withheld": WITHHELD,
    "not_public": WITHHELD,
    "不公开": WITHHELD,
}

OPEN_BLOCKING = ("blocker", "high")  # severities that must be decided before release
PERSONAL_DATA = "personal_data"

STATUS_LABELS = {
    "draft": "草稿",
    "in_review": "审核中",
    "approved": "待发布",
    "released": "已发布",
    "withdrawn": "已撤稿",
    "archived": "已归档",
}
DECISION_LABELS = {
    "open": "待处理",
    "confirmed": "确认须修改",
    "false_positive": "误报",
    "accepted": "接受发布",
    "fixed": "已修复",
}


def normalise_attribute(value: str) -> str:
    value = (value or "").strip()
    value = _ALIASES.get(value.lower(), value)
    if value not in ATTRIBUTES:
        raise InvalidInput(f"公开属性无效：{value or '（空）'}。可选：主动公开、依申请公开、不予公开。")
    return value


def public_conflicts(findings: Iterable[FindingRow]) -> list[FindingRow]:
    """Findings a 主动公开 draft may not carry: open blockers and any open personal data."""
    return [
        f for f in findings if f.status == "open" and (f.severity == "blocker" or f.category == PERSONAL_DATA)
    ]


def release_blockers(
    draft: Draft, steps: list[DraftStep], version: Version | None, findings: list[FindingRow]
) -> list[str]:
    """Every reason the draft may not be released now (empty list: it may)."""
    reasons: list[str] = []
    if draft.status not in ("approved", "released"):
        reasons.append(
            f"稿件状态为「{STATUS_LABELS.get(draft.status, draft.status)}」，只有全部审核通过的稿件才能发布。"
        )
    if version is None:
        reasons.append("稿件还没有上传文件。")
        return reasons
    if version.scan_status != "ok":
        what = "尚未完成" if version.scan_status == "pending" else "失败"
        reasons.append(f"当前版本（第{version.number}版）的检查{what}，无法确认不含禁止发布的内容。")
    for s in steps:
        if s.status != "approved" or s.version_id != version.id:
            reasons.append(f"步骤「{s.name}」尚未在当前版本（第{version.number}版）上审核通过。")
    current = [f for f in findings if f.version_id == version.id and f.status != "fixed"]
    open_high = [f for f in current if f.status == "open" and f.severity in OPEN_BLOCKING]
    if open_high:
        reasons.append(f"有 {len(open_high)} 个阻断或高风险问题尚未处理。")
    confirmed = [f for f in current if f.status == "confirmed"]
    if confirmed:
        reasons.append(f"有 {len(confirmed)} 个已确认须修改的问题仍在当前版本中。")
    if draft.disclosure is None:
        reasons.append("尚未设置公开属性。")
    elif draft.disclosure == ON_REQUEST:
        reasons.append("公开属性为「依申请公开」：只归档备查、依申请提供，不在网站发布。")
    elif draft.disclosure == WITHHELD:
        reasons.append("公开属性为「不予公开」：不能发布。")
    else:
        pii = [f for f in public_conflicts(current) if f.category == PERSONAL_DATA]
        if pii:
            reasons.append(f"主动公开的稿件不得含有未处理的个人信息（{len(pii)} 项）。")
        if any(s.confirms_disclosure for s in steps) and draft.disclosure_confirmed_version_id != version.id:
            reasons.append("公开属性尚未在终审环节对当前版本确认。")
    return reasons
