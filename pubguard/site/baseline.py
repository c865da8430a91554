"""Baselines (`--baseline` / `--write-baseline`): accepted findings are suppressed so CI fails only
on new problems. A baseline stores fingerprints and rule ids only — never evidence, so no personal
data is ever written to it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pubguard.scan import FileResult, SuppressedFinding

BASELINE_SCHEMA = "pubguard.baseline/1"


@dataclass
class Baseline:
    entries: dict[str, dict] = field(default_factory=dict)  # fingerprint -> {rule, path}

    @classmethod
    def load(cls, path: Path) -> Baseline:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != BASELINE_SCHEMA:
            raise ValueError(f"{path} 不是 PubGuard 基线文件")
        return cls({e["fingerprint"]: e for e in data.get("findings", [])})

    @classmethod
    def from_results(cls, results: list[FileResult]) -> Baseline:
        entries = {}
        for r in results:
            for f in r.findings:
                entries[f.fingerprint] = {
                    "fingerprint": f.fingerprint,
                    "rule": f"{f.category}/{f.rule}",
                    "path": r.path,
                }
        return cls(entries)

    def save(self, path: Path) -> None:
        data = {
            "schema": BASELINE_SCHEMA,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "findings": sorted(self.entries.values(), key=lambda e: (e["path"], e["rule"], e["fingerprint"])),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def apply(self, results: list[FileResult]) -> dict:
        """Drop baselined findings from the results; return the suppression counts."""
        used: set[str] = set()
        suppressed = 0
        for r in results:
            kept = []
            for f in r.findings:
                # fingerprints under keys kept from an earlier rotation still match
                hit = next(
                    (fp for fp in (f.fingerprint, *f.previous_fingerprints) if fp in self.entries), None
                )
                if hit is not None:
                    used.add(hit)
                    suppressed += 1
                    r.suppressed_findings.append(SuppressedFinding(f, "external", "基线中已接受的问题"))
                else:
                    kept.append(f)
            r.findings = kept
        unused = sorted(set(self.entries) - used)
        return {
            "baseline_suppressed": suppressed,
            "baseline_unused": [
                {"fingerprint": fp, "rule": self.entries[fp]["rule"], "path": self.entries[fp]["path"]}
                for fp in unused
            ],
        }
