"""Disclosure attributes and the release gate: the rules that decide whether a draft may go
online, as pure functions over loaded rows so the UI can show every reason at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pubguard import labels
from pubguard.finding import CATEGORY_LABELS, Category
from pubguard.review.errors import InvalidInput
from pubguard.review.models import Draft, DraftStep, FindingRow, Version
from pubguard.review.states import REFUSALS, DraftEvent, allowed
from pubguard.review.states import STATUS_LABELS as _STATUS_LABELS
from pubguard.review.workflow import AuthorityPolicy

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

STATUS_LABELS: dict[str, str] = dict(_STATUS_LABELS)  # pubguard.review.states
DECISION_LABELS: dict[str, str] = labels.DECISION  # one home: pubguard.labels


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


def clean_copy_problems(report: dict[str, Any]) -> list[str]:
    """Why a clean copy's own report (`pubguard.clean/1`) says it may not be published, in
    Chinese (empty: the report finds it releasable). Evidence is the report's, already masked."""
    problems: list[str] = []
    rescan = report.get("rescan") or {}
    if rescan.get("status", "ok") != "ok":
        problems.append(f"清理稿复查失败（{rescan.get('error') or '未知错误'}），无法确认已清理干净")
    blockers = [f for f in rescan.get("findings") or [] if f.get("severity") == "blocker"]
    if blockers:
        shown = "；".join(
            f"{_category_label(f.get('category', ''))}“{f.get('evidence') or f.get('rule', '')}”"
            for f in blockers[:3]
        )
        more = f"等 {len(blockers)} 项" if len(blockers) > 3 else ""
        problems.append(f"清理稿复查仍有 {len(blockers)} 个阻断级问题（{shown}{more}），自动清理未能去除")
    leaks = int((report.get("leak_check") or {}).get("leaks", 0) or 0)
    if leaks:
        problems.append(f"清理稿文件中仍能找到 {leaks} 处已脱敏号码的原文")
    if report.get("needs_declassification"):
        problems.append("原稿标有密级标志，删除标志不等于解密，须取得定密机关的书面解密意见")
    if not problems and report.get("releasable") is False:
        problems.append("清理报告结论为不可发布")
    return problems


def _category_label(category: str) -> str:
    try:
        return CATEGORY_LABELS[Category(category)]
    except ValueError:
        return category


def dismissal_problems(findings: Iterable[FindingRow], authority: AuthorityPolicy) -> list[str]:
    """误报 of serious findings that do not yet count: made without the authority the policy
    asks for, or not yet confirmed by a second person at a later step."""
    weak, unconfirmed = [], []
    for f in findings:
        if f.status != "false_positive":
            continue
        need = authority.dismiss_level(f.severity)
        if need and (f.decision_level or 0) < need:
            weak.append(f)
        elif f.severity in authority.confirm and f.confirmed_by_id is None:
            unconfirmed.append(f)
    out = []
    if weak:
        out.append(f"有 {len(weak)} 个阻断或高风险问题的误报认定不是由有权限的审核人作出的，须重新认定。")
    if unconfirmed:
        out.append(f"有 {len(unconfirmed)} 个阻断或高风险问题的误报认定尚待另一审核人在后续环节确认。")
    return out


def release_blockers(
    draft: Draft,
    steps: list[DraftStep],
    version: Version | None,
    findings: list[FindingRow],
    clean_report: dict[str, Any] | None = None,
    *,
    authority: AuthorityPolicy | None = None,
) -> list[str]:
    """Every reason the draft may not be released now (empty list: it may). `clean_report`:
    the report stored with the current version when PubGuard made it as a clean copy; a clean
    copy whose report is not releasable, or whose re-scan found any blocker (whatever its
    decision), is never released."""
    reasons: list[str] = []
    if not allowed(DraftEvent.RELEASE, draft.status):
        reasons.append(
            f"稿件状态为「{STATUS_LABELS.get(draft.status, draft.status)}」，{REFUSALS[DraftEvent.RELEASE]}"
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
    reasons.extend(dismissal_problems(current, authority or AuthorityPolicy()))
    confirmed = [f for f in current if f.status == "confirmed"]
    if confirmed:
        reasons.append(f"有 {len(confirmed)} 个已确认须修改的问题仍在当前版本中。")
    if clean_report is not None:
        label = f"当前版本（第{version.number}版）是自动生成的清理稿"
        for problem in clean_copy_problems(clean_report):
            reasons.append(f"{label}：{problem}，不得发布；请人工修改后上传新版本。")
        decided = [f for f in current if f.severity == "blocker" and f.status != "open"]
        if decided:
            reasons.append(
                f"{label}，其复查仍发现 {len(decided)} 个阻断级问题（已被标记为误报或确认）："
                "含阻断级问题的清理稿一律不得发布。"
            )
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
