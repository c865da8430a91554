"""Navigation boilerplate in site scans: a finding in template text repeated on many pages
(a commented-out contact line in the footer template, a 内部资料 label in the page header) is
one problem to fix once in the CMS template, not 20,000 problems. It is reported once, on the
first page where it was seen, with the number of pages that carry it.

Two halves, because files are scanned in a process pool:
- in the worker (`block_hashes`), each HTML finding gets the hash of the normalised text of the
  block(s) it sits in (kind + paragraph text, whitespace-free NFKC);
- after the run (`collapse_boilerplate`), a finding whose (category, rule, masked evidence,
  block hash) repeats on at least `ratio` of the site's HTML pages (and on a site of at least
  `min_pages` pages) is kept on the first page only.

Nothing is dropped from what a page shows: a finding that also touches page-specific text has a
different block hash and is reported on its own page as before. Only findings are kept between
the halves (a few hashes per finding), never page text, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from pubguard.document import Document
from pubguard.finding import compute_fingerprint
from pubguard.scan import FileResult

MIN_SITE_PAGES = 5
MIN_RATIO = 0.30
EXAMPLES = 10


def _norm(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def block_hashes(doc: Document, findings: Iterable) -> dict[str, str]:
    """fingerprint -> hash of the text blocks (whole paragraphs) a finding's offsets cover.
    Findings without offsets (links, scripts, images) get none and are never collapsed."""
    located = [f for f in findings if f.location.start is not None and f.fingerprint]
    if not located or not doc.blocks:
        return {}
    blocks = sorted((b for b in doc.blocks if b.end > b.start), key=lambda b: b.start)
    starts = [b.start for b in blocks]
    para_text: dict[tuple, list[str]] = {}
    for i, b in enumerate(blocks):
        key = (b.paragraph, str(b.kind)) if b.paragraph >= 0 else (-1 - i, str(b.kind))
        para_text.setdefault(key, []).append(b.text)
    para_hash: dict[tuple, str] = {}
    out: dict[str, str] = {}
    for f in located:
        s = f.location.start
        e = f.location.end if f.location.end is not None and f.location.end > s else s + 1
        keys = []
        i = max(bisect_right(starts, s) - 1, 0)
        while i < len(blocks) and blocks[i].start < e:
            b = blocks[i]
            if b.end > s:
                k = (b.paragraph, str(b.kind)) if b.paragraph >= 0 else (-1 - i, str(b.kind))
                if k not in keys:
                    keys.append(k)
            i += 1
        if not keys:
            continue
        parts = []
        for k in keys:
            h = para_hash.get(k)
            if h is None:
                h = para_hash[k] = hashlib.sha1(
                    f"{k[1]}\x1f{_norm(''.join(para_text[k]))}".encode()
                ).hexdigest()[:16]
            parts.append(h)
        out[f.fingerprint] = (
            parts[0] if len(parts) == 1 else hashlib.sha1("+".join(parts).encode()).hexdigest()[:16]
        )
    return out


@dataclass
class BoilerplateStats:
    site_pages: int = 0
    threshold: int = 0
    templates: int = 0  # distinct repeated findings kept once
    collapsed: int = 0  # per-page copies removed
    details: list[dict] = field(default_factory=list)


def collapse_boilerplate(
    results: list[FileResult], min_pages: int = MIN_SITE_PAGES, ratio: float = MIN_RATIO
) -> BoilerplateStats:
    """Keep each template-repeated finding on the first page that carries it (in input order)
    and drop its copies on the other pages, in place. The kept finding gets a site-level
    fingerprint (stable when pages are added or removed) and `details["boilerplate"]`."""
    html = [r for r in results if r.format == "html" and r.status == "ok"]
    stats = BoilerplateStats(site_pages=len(html))
    if len(html) < min_pages:
        return stats
    stats.threshold = max(2, math.ceil(ratio * len(html)))
    pages: dict[tuple, int] = {}
    examples: dict[tuple, list[str]] = {}
    for r in html:
        if not r.block_hashes:
            continue
        seen = set()
        for f in r.findings:
            k = _key(r, f)
            if k is None or k in seen:
                continue
            seen.add(k)
            pages[k] = pages.get(k, 0) + 1
            ex = examples.setdefault(k, [])
            if len(ex) < EXAMPLES:
                ex.append(r.path)
    repeated = {k for k, n in pages.items() if n >= stats.threshold}
    if not repeated:
        return stats
    first_done: set[tuple] = set()
    for r in html:
        if not r.block_hashes:
            continue
        kept = []
        first_here: set[tuple] = set()
        occurrence: dict[tuple, int] = {}
        for f in r.findings:
            k = _key(r, f)
            if k not in repeated:
                kept.append(f)
                continue
            if k in first_done and k not in first_here:
                stats.collapsed += 1
                continue
            first_done.add(k)
            first_here.add(k)
            n = occurrence.get(k, 0)
            occurrence[k] = n + 1
            ev = hashlib.sha256(f"{f.evidence}\x1f{k[3]}".encode()).hexdigest()[:24]
            f.fingerprint = compute_fingerprint(str(f.category), f.rule, ev, "site-template", n)
            f.details = {
                **f.details,
                "boilerplate": {
                    "pages": pages[k],
                    "site_pages": stats.site_pages,
                    "examples": examples[k],
                },
            }
            note = f"（全站模板内容：{pages[k]} 个页面重复出现，仅在此报告一次，请在网站模板中统一处理。）"
            if note not in f.message:
                f.message += note
            kept.append(f)
            if n == 0:
                stats.templates += 1
                stats.details.append(
                    {
                        "rule": f"{f.category}/{f.rule}",
                        "pages": pages[k],
                        "first": r.path,
                        "fingerprint": f.fingerprint,
                    }
                )
        r.findings = kept
    return stats


def _key(r: FileResult, f) -> tuple | None:  # noqa: ANN001 - Finding
    h = r.block_hashes.get(f.fingerprint)
    if h is None:
        return None
    return (str(f.category), f.rule, f.evidence, h)
