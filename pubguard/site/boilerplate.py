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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pubguard.details import Boilerplate
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
    and drop its copies on the other pages, in place.

    A finding repeats when its key (category, rule, masked evidence, block hash) is on at least
    `ratio` of the site's HTML pages, or of the pages of one site section (栏目: CMS templates
    are often per section), counting only sites/sections of at least `min_pages` pages. The kept
    finding gets a fingerprint from the template (stable when pages are added or removed) and
    `details["boilerplate"]` with the page count and example pages."""
    html = [r for r in results if r.format == "html" and r.status == "ok"]
    stats = BoilerplateStats(site_pages=len(html))
    if len(html) < min_pages:
        return stats
    stats.threshold = _threshold(len(html), ratio)
    sections = site_sections([r.path for r in html])
    section_pages = Counter(sections)
    pages: Counter[tuple] = Counter()  # (key, scope) -> pages; scope "" = the whole site
    for r, section in zip(html, sections, strict=True):
        if not r.block_hashes:
            continue
        for k in {k for f in r.findings if (k := _key(r, f)) is not None}:
            pages[(k, "")] += 1
            pages[(k, section)] += 1

    def scope_of(k: tuple, section: str) -> str | None:
        if pages[(k, "")] >= stats.threshold:
            return ""
        n = section_pages[section]
        if n >= min_pages and pages[(k, section)] >= _threshold(n, ratio):
            return section
        return None

    first_page: dict[tuple, int] = {}  # group -> index of the page that keeps it
    examples: dict[tuple, list[str]] = {}
    for i, (r, section) in enumerate(zip(html, sections, strict=True)):
        if not r.block_hashes:
            continue
        for k in {k for f in r.findings if (k := _key(r, f)) is not None}:
            scope = scope_of(k, section)
            if scope is not None:
                first_page.setdefault((k, scope), i)
                ex = examples.setdefault((k, scope), [])
                if len(ex) < EXAMPLES:
                    ex.append(r.path)
    if not first_page:
        return stats
    for i, (r, section) in enumerate(zip(html, sections, strict=True)):
        if not r.block_hashes:
            continue
        kept = []
        occurrence: Counter[tuple] = Counter()
        for f in r.findings:
            k = _key(r, f)
            scope = scope_of(k, section) if k is not None else None
            if k is None or scope is None:
                kept.append(f)
                continue
            group = (k, scope)
            if first_page[group] != i:
                stats.collapsed += 1
                continue
            n = occurrence[group]
            occurrence[group] += 1
            count = pages[group]
            where = "全站" if scope == "" else f"栏目“{scope}”"
            ev = hashlib.sha256(f"{f.evidence}\x1f{k[3]}".encode()).hexdigest()[:24]
            f.fingerprint = compute_fingerprint(str(f.category), f.rule, ev, f"template:{scope}", n)
            f.details = f.details.with_boilerplate(
                Boilerplate(
                    scope=scope or "site",
                    pages=count,
                    scope_pages=section_pages[scope] if scope else stats.site_pages,
                    examples=tuple(examples[group]),
                )
            )
            f.message += (
                f"（{where}模板内容：{count} 个页面重复出现，仅在此报告一次，请在网站模板中统一处理。）"
            )
            kept.append(f)
            if n == 0:
                stats.templates += 1
                stats.details.append(
                    {
                        "rule": f"{f.category}/{f.rule}",
                        "scope": scope or "site",
                        "pages": count,
                        "first": r.path,
                    }
                )
        r.findings = kept
    return stats


def site_sections(paths: list[str]) -> list[str]:
    """Section (栏目) of each page: the first folder below the folder all pages share, so
    absolute paths, relative paths and URLs give the same answer; pages at that top level
    form the section "（根目录）"."""
    split = [p.replace("\\", "/").split("/")[:-1] for p in paths]
    common = split[0] if split else []
    for parts in split[1:]:
        n = 0
        while n < len(common) and n < len(parts) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    depth = len(common)
    return [parts[depth] if len(parts) > depth else "（根目录）" for parts in split]


def _threshold(pages: int, ratio: float) -> int:
    return max(2, math.ceil(ratio * pages))


def _key(r: FileResult, f) -> tuple | None:  # noqa: ANN001 - Finding
    h = r.block_hashes.get(f.fingerprint)
    if h is None:
        return None
    return (str(f.category), f.rule, f.evidence, h)
