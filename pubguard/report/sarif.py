"""SARIF 2.1.0 writer for code-scanning dashboards (GitHub, GitLab, Azure DevOps, Jenkins warnings-ng).

What the spec asks and this writer gives (validated in the tests against the SARIF 2.1.0 JSON
schema vendored in tests/report/schemas):
- `tool.driver.rules`: every rule that produced a result, with short/full description, `help`
  (text + markdown: what the rule means, what to do, on which basis) and `defaultConfiguration`;
- each result's `locations[].physicalLocation`: the artifact (relative URI under `%SRCROOT%`)
  and a `region` with `charOffset`/`charLength` when the finding has text offsets; page and box
  of layout findings go into the region's property bag (`page`, `bbox` in PDF points), as SARIF
  has no native notion of a page;
- `fingerprints` (PubGuard's fingerprint is a full, stable identity: keyed hash of rule +
  normalised evidence + document identity) and `partialFingerprints` (same value, for tools that
  only read those);
- `suppressions`: findings silenced by an inline `<!-- pubguard:allow -->` (`inSource`) or by a
  baseline (`external`) are still listed, marked suppressed, as §3.35 intends;
- unreadable files become `toolExecutionNotifications` and `executionSuccessful` false.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from pubguard import __version__
from pubguard.finding import CATEGORY_LABELS, Finding, Severity
from pubguard.scan import FileResult

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

_LEVEL = {
    Severity.BLOCKER: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning reads `security-severity` (0–10) to rank alerts.
_SECURITY_SEVERITY = {
    Severity.BLOCKER: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}


def _rule_catalogue() -> dict[str, str]:
    from pubguard.detectors import load_all

    rules: dict[str, str] = {}
    for cls in load_all().values():
        for rule_id, description in cls.rules.items():
            rules[f"{cls.category}/{rule_id}"] = description
    return rules


def _artifact_location(path: str) -> dict[str, Any]:
    """Relative paths become URI references under %SRCROOT% (what code-scanning services map to
    the repository root); absolute paths become file:// URIs; URLs (site scans with --base-url)
    stay as they are. Relative references keep Chinese names readable (SARIF allows IRIs)."""
    if "://" in path:
        return {"uri": path}
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).drive:
        return {"uri": Path(path).as_uri()}
    uri = path.replace("\\", "/")
    while uri.startswith("./"):
        uri = uri[2:]
    return {"uri": uri.replace("%", "%25").replace(" ", "%20"), "uriBaseId": SRCROOT}


def _rule(rule_id: str, description: str, first: Finding) -> dict[str, Any]:
    category = rule_id.split("/", 1)[0]
    label = CATEGORY_LABELS.get(category, category)  # type: ignore[call-overload]
    help_lines = [f"{label}：{description}"]
    md_lines = [f"**{label}**：{description}"]
    if first.suggestion:
        help_lines.append(f"处理建议：{first.suggestion}")
        md_lines.append(f"- 处理建议：{first.suggestion}")
    if first.basis:
        help_lines.append(f"依据：{first.basis}")
        md_lines.append(f"- 依据：{first.basis}")
    return {
        "id": rule_id,
        "name": rule_id.replace("/", "_"),
        "shortDescription": {"text": description},
        "fullDescription": {"text": f"{label}：{description}"},
        "help": {"text": "\n".join(help_lines), "markdown": "\n".join(md_lines)},
        "defaultConfiguration": {"level": _LEVEL[first.severity]},
        "properties": {
            "category": category,
            "tags": ["pubguard", category],
            "security-severity": _SECURITY_SEVERITY[first.severity],
        },
    }


def _result(f: Finding, rule_index: int, artifact: dict[str, Any]) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if f.location.start is not None and f.location.end is not None:
        region["charOffset"] = f.location.start
        region["charLength"] = max(f.location.end - f.location.start, 0)
    region_props: dict[str, Any] = {}
    if f.location.page:
        region_props["page"] = f.location.page
    if f.location.bbox:
        region_props["bbox"] = [round(v, 2) for v in f.location.bbox]
    if region_props:
        region["properties"] = region_props
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if region:
        physical["region"] = region
    text = f"{f.message}（证据：{f.evidence}）" if f.evidence else f.message
    return {
        "ruleId": f"{f.category}/{f.rule}",
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "fingerprints": {"pubguard/v1": f.fingerprint},
        "partialFingerprints": {"pubguardFingerprint/v1": f.fingerprint},
        "properties": {
            "severity": str(f.severity),
            "category": str(f.category),
            "evidence": f.evidence,
            "page": f.location.page,
            "bbox": list(f.location.bbox) if f.location.bbox else None,
            "suggestion": f.suggestion,
            "basis": f.basis,
            "confidence": f.confidence,
        },
    }


def to_sarif_log(results: list[FileResult], exit_code: int | None = None) -> dict[str, Any]:
    catalogue = _rule_catalogue()
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    sarif_results: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    artifact_index: dict[str, int] = {}
    notifications: list[dict[str, Any]] = []

    def index_of(f: Finding) -> int:
        rule_id = f"{f.category}/{f.rule}"
        if rule_id not in rule_index:
            rule_index[rule_id] = len(rules)
            description = catalogue.get(rule_id) or CATEGORY_LABELS.get(f.category, rule_id)  # type: ignore[call-overload]
            rules.append(_rule(rule_id, description, f))
        return rule_index[rule_id]

    for r in results:
        where = _artifact_location(r.path)
        uri = where["uri"]
        if uri not in artifact_index:
            artifact_index[uri] = len(artifacts)
            entry: dict[str, Any] = {"location": dict(where)}
            if r.sha256:
                entry["hashes"] = {"sha-256": r.sha256}
            artifacts.append(entry)
        artifact = {**where, "index": artifact_index[uri]}
        if r.status == "error":
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": r.error or "文件无法检查"},
                    "locations": [{"physicalLocation": {"artifactLocation": artifact}}],
                    "properties": {"errorCode": r.error_code} if r.error_code else {},
                }
            )
        for f in r.findings:
            sarif_results.append(_result(f, index_of(f), artifact))
        for s in r.suppressed_findings:
            res = _result(s.finding, index_of(s.finding), artifact)
            res["suppressions"] = [{"kind": s.kind, "status": "accepted", "justification": s.justification}]
            sarif_results.append(res)

    invocation: dict[str, Any] = {
        "executionSuccessful": not notifications,
        "toolExecutionNotifications": notifications,
    }
    if exit_code is not None:
        invocation["exitCode"] = exit_code
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "PubGuard",
                        "fullName": "PubGuard 发布审核与保密审查",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/pubguard/",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "检查的根目录"}}},
                "artifacts": artifacts,
                "results": sarif_results,
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def to_sarif(results: list[FileResult], exit_code: int | None = None) -> str:
    return json.dumps(to_sarif_log(results, exit_code), ensure_ascii=False, indent=2)
