"""`CleanReport`: what the clean copy changed, where and by which rule, and the re-scan verdict.

It is saved with the version and shown to reviewers, so it carries only masked evidence (the
findings' own evidence, already masked by the detectors) and never a raw personal value."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pubguard import labels
from pubguard.finding import CATEGORY_LABELS, SEVERITY_LABELS, Category, Finding, Severity

ACTION_LABELS: dict[str, str] = labels.CLEAN_ACTION  # one home: pubguard.labels


@dataclass
class CleanAction:
    action: str  # key of ACTION_LABELS
    category: str  # finding category (or "hidden_content" for file-level clean-up)
    rule: str
    where: str  # Chinese: "第1页", "正文第3段", "表格1第3列", "文档属性" ...
    detail: str = ""  # Chinese, masked evidence only
    count: int = 1
    fingerprint: str | None = None  # the original finding, when one triggered the action

    def describe(self) -> str:
        label = ACTION_LABELS.get(self.action, self.action)
        cat = _category_label(self.category)
        times = f"（{self.count}处）" if self.count > 1 else ""
        detail = f"：{self.detail}" if self.detail else ""
        return f"[{cat}·{labels.rule_label(self.rule)}] {self.where}{label}{times}{detail}"


@dataclass
class CleanReport:
    source: str
    format: str
    output: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    actions: list[CleanAction] = field(default_factory=list)
    findings_before: list[dict[str, Any]] = field(default_factory=list)
    findings_after: list[dict[str, Any]] = field(default_factory=list)
    rescan_status: str = "ok"
    rescan_error: str | None = None
    passes: int = 0
    leak_check: dict[str, int] = field(default_factory=lambda: {"values_checked": 0, "leaks": 0})
    needs_declassification: bool = False
    notes: list[str] = field(default_factory=list)  # Chinese, for reviewers

    @property
    def remaining_blockers(self) -> int:
        return sum(1 for f in self.findings_after if f.get("severity") == Severity.BLOCKER)

    @property
    def releasable(self) -> bool:
        """Offered for release only when the re-scan worked, no blocker is left, no masked value
        survives anywhere in the file, and no 密级 mark had to be taken off (removing a mark does
        not declassify a document: that needs the classifying organ's written decision)."""
        return (
            self.rescan_status == "ok"
            and self.remaining_blockers == 0
            and self.leak_check.get("leaks", 0) == 0
            and not self.needs_declassification
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "pubguard.clean/1",
            "source": self.source,
            "format": self.format,
            "output": self.output,
            "options": self.options,
            "passes": self.passes,
            "actions": [asdict(a) for a in self.actions],
            "findings_before": self.findings_before,
            "rescan": {
                "status": self.rescan_status,
                "error": self.rescan_error,
                "findings": self.findings_after,
                "remaining_blockers": self.remaining_blockers,
            },
            "leak_check": dict(self.leak_check),
            "needs_declassification": self.needs_declassification,
            "releasable": self.releasable,
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def summary(self) -> str:
        """Chinese plain-text summary for the CLI and logs."""
        lines = [f"清理：{self.source} -> {self.output or '（未保存）'}"]
        lines.append(f"已处理 {len(self.actions)} 项：")
        lines += [f"  - {a.describe()}" for a in self.actions] or ["  （无需处理）"]
        if self.rescan_status != "ok":
            lines.append(f"复查失败：{self.rescan_error or '未知错误'}")
        else:
            lines.append(
                f"复查：剩余 {len(self.findings_after)} 个问题，其中阻断 {self.remaining_blockers} 个。"
            )
            for f in self.findings_after:
                sev = SEVERITY_LABELS.get(Severity(f["severity"]), f["severity"])
                lines.append(
                    f"  - [{sev}] {_category_label(f['category'])}·{labels.rule_label(f['rule'])}：{f.get('evidence', '')}"
                )
        leaks = self.leak_check.get("leaks", 0)
        if leaks:
            lines.append(f"泄漏检查：仍有 {leaks} 个已脱敏号码以原文形式留在文件中。")
        lines += [f"注意：{n}" for n in self.notes]
        lines.append(
            "结论："
            + ("可以提交发布审核。" if self.releasable else "不可直接发布，请人工处理后再清理或复查。")
        )
        return "\n".join(lines)


def _category_label(category: str) -> str:
    try:
        return CATEGORY_LABELS[Category(category)]
    except ValueError:
        return category


def finding_dicts(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]
