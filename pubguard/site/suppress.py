"""Inline suppressions in HTML: `<!-- pubguard:allow RULE -->` (RULE = `rule` or `category/rule`,
several separated by spaces or commas; `all` for everything). A suppression applies to the whole
page. Every suppression is counted; unused ones are listed so they can be cleaned up."""

from __future__ import annotations

import re

from pubguard.finding import Finding
from pubguard.scan import SuppressedFinding

ALLOW_RE = re.compile(r"<!--\s*pubguard:allow\s+([^>]*?)\s*-->", re.IGNORECASE)


def inline_allows(data: bytes) -> set[str]:
    if b"pubguard:allow" not in data:
        return set()
    text = data.decode("utf-8", errors="replace")
    allows: set[str] = set()
    for m in ALLOW_RE.finditer(text):
        allows.update(tok for tok in re.split(r"[\s,，]+", m.group(1)) if tok)
    return allows


def apply_inline(
    findings: list[Finding], allows: set[str]
) -> tuple[list[Finding], list[SuppressedFinding], list[str]]:
    """Return (kept findings, suppressed findings, unused allow tokens)."""
    if not allows:
        return findings, [], []
    used: set[str] = set()
    kept = []
    dropped = []
    for f in findings:
        keys = {"all", f.rule, f"{f.category}/{f.rule}", str(f.category)}
        hit = keys & allows
        if hit:
            used.update(hit)
            why = "页面内 <!-- pubguard:allow " + " ".join(sorted(hit)) + " -->"
            dropped.append(SuppressedFinding(f, "inSource", why))
        else:
            kept.append(f)
    return kept, dropped, sorted(allows - used)
