"""Report writers: the JSON contract (`pubguard.report/1`), SARIF 2.1.0, CSV and a text view.

The JSON shape is parsed by other tools: extend it, never rename or drop fields.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pubguard import __version__, labels
from pubguard.finding import SEVERITY_LABELS, Severity
from pubguard.report.cells import SafeCsvWriter
from pubguard.scan import FileResult

SCHEMA_ID = "pubguard.report/1"


def summarise(results: list[FileResult]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    for r in results:
        for f in r.findings:
            counts[str(f.severity)] += 1
            by_category[str(f.category)] += 1
    ordered = {s.value: counts[s.value] for s in Severity if counts[s.value]}
    return {
        "files": len(results),
        "errors": sum(1 for r in results if r.status == "error"),
        "findings": ordered,
        "by_category": dict(sorted(by_category.items())),
        "total_findings": sum(counts.values()),
    }


def build_report(results: list[FileResult], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "files": [r.to_dict() for r in results],
        "summary": summarise(results),
        "tool": {"name": "pubguard", "version": __version__},
    }
    if extra:
        report.update(extra)
    return report


def to_json(results: list[FileResult], extra: dict[str, Any] | None = None) -> str:
    return json.dumps(build_report(results, extra), ensure_ascii=False, indent=2)


def load_schema() -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("pubguard.report").joinpath("schema.json").read_text(encoding="utf-8"))


# -- SARIF: pubguard/report/sarif.py ----------------------------------------------------------
def to_sarif(results: list[FileResult], exit_code: int | None = None) -> str:
    from pubguard.report.sarif import to_sarif as _to_sarif

    return _to_sarif(results, exit_code)


# -- CSV ---------------------------------------------------------------------------------------
CSV_COLUMNS = [
    "path", "status", "category", "rule", "severity", "message", "evidence", "page", "bbox",
    "start", "end", "suggestion", "basis", "fingerprint", "error",
]  # fmt: skip


def to_csv(results: list[FileResult]) -> str:
    buf = io.StringIO()
    writer = SafeCsvWriter(buf)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        if r.status == "error":
            writer.writerow([r.path, r.status, "", "", "", "", "", "", "", "", "", "", "", "", r.error])
            continue
        for f in r.findings:
            bbox = " ".join(f"{v:.1f}" for v in f.location.bbox) if f.location.bbox else ""
            writer.writerow(
                [
                    r.path,
                    r.status,
                    f.category,
                    f.rule,
                    f.severity,
                    f.message,
                    f.evidence,
                    f.location.page or "",
                    bbox,
                    f.location.start if f.location.start is not None else "",
                    f.location.end if f.location.end is not None else "",
                    f.suggestion,
                    f.basis,
                    f.fingerprint,
                    "",
                ]  # fmt: skip
            )
    # BOM so Excel on Windows opens the Chinese text correctly.
    return "\ufeff" + buf.getvalue()


# -- text --------------------------------------------------------------------------------------
def to_text(results: Iterable[FileResult]) -> str:
    results = list(results)
    lines: list[str] = []
    for r in results:
        if r.status == "error":
            lines.append(f"✗ {r.path}：无法检查 — {r.error}")
            continue
        head = f"● {r.path}（{r.format}，{r.pages} 页）"
        if r.disclosure:
            head += f"  建议公开属性：{r.disclosure.suggested}"
        lines.append(head)
        if not r.findings:
            lines.append("    未发现问题。")
        for f in r.findings:
            where = f"第{f.location.page}页" if f.location.page else labels.BLOCK_KIND["metadata"]
            if f.block_kind and f.block_kind != "body":
                where += f"（{labels.label('block_kind', f.block_kind)}）"
            label = SEVERITY_LABELS[f.severity]
            kind = f"{labels.label('category', f.category)}·{labels.rule_label(f.rule)}"
            lines.append(f"  [{label}] {kind} @ {where}：{f.message}")
            if f.evidence:
                lines.append(f"      证据：{f.evidence}")
            if f.suggestion:
                lines.append(f"      建议：{f.suggestion}")
            if f.basis:
                lines.append(f"      依据：{f.basis}")
        for w in r.warnings:
            lines.append(f"    ⚠ {w}")
        if r.disclosure and r.disclosure.reasons:
            lines.append(
                "    公开属性理由：" + "；".join(x.rstrip("。") for x in r.disclosure.reasons) + "。"
            )
    s = summarise(results)
    sev = "，".join(f"{SEVERITY_LABELS[Severity(k)]} {v}" for k, v in s["findings"].items()) or "无"
    lines.append("")
    lines.append(
        f"共检查 {s['files']} 个文件，{s['errors']} 个无法检查；发现问题 {s['total_findings']} 处（{sev}）。"
    )
    return "\n".join(lines) + "\n"
