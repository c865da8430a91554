"""`pubguard crawl URL`: mirror a live site for scanning — same host only, robots.txt respected,
rate-limited, bounded by depth and page count. Pages and linked attachments are saved under a
folder laid out like the site, so `pubguard scan FOLDER --base-url URL` reports page URLs."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from pubguard.extract.sniff import sniff_format

USER_AGENT = "PubGuard/0.1 (+site content inspection)"
ATTACHMENT_EXT = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".csv",
    ".wps",
    ".et",
    ".ofd",
    ".rtf",
    ".ppt",
    ".pptx",
    ".dps",
    ".odt",
    ".ods",
    ".zip",
    ".rar",
    ".7z",
    ".tar",
    ".gz",
    ".tgz",
    ".jpg",
    ".jpeg",
    ".png",
    ".tif",
    ".tiff",
    ".txt",
}


@dataclass
class CrawlResult:
    saved: list[Path] = field(default_factory=list)
    skipped_robots: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0


def _local_path(root: Path, url: str) -> Path:
    path = unquote(urlparse(url).path) or "/"
    if path.endswith("/"):
        path += "index.html"
    parts = [p for p in PurePosixPath(path).parts if p not in ("/", "..", ".")]
    return root.joinpath(*parts) if parts else root / "index.html"


def _links(html: bytes, base: str) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    out = []
    for node in tree.css("a[href], link[href], iframe[src], img[src]"):
        ref = node.attributes.get("href") or node.attributes.get("src")
        if ref and not ref.startswith(("javascript:", "mailto:", "tel:", "#")):
            out.append(urldefrag(urljoin(base, ref))[0])
    return out


def crawl(
    start_url: str,
    out_dir: Path,
    max_pages: int = 500,
    max_depth: int = 5,
    delay: float = 0.5,
    timeout: float = 15.0,
    max_bytes: int = 50 * 1024 * 1024,
) -> CrawlResult:
    host = urlparse(start_url).netloc
    robots = urllib.robotparser.RobotFileParser()
    robots.set_url(urljoin(start_url, "/robots.txt"))
    try:
        robots.read()
    except (OSError, urllib.error.URLError):
        robots.allow_all = True  # type: ignore[attr-defined]  # RobotFileParser's own 'allow everything' flag
    result = CrawlResult()
    queue: deque[tuple[str, int]] = deque([(start_url, 0)])
    seen = {start_url}
    if urlparse(start_url).path.endswith(".xml"):  # a sitemap: scan exactly the pages it lists
        queue = deque((u, max_depth) for u in sitemap_urls(start_url, timeout) if urlparse(u).netloc == host)
        seen = {u for u, _ in queue}
    last = 0.0
    while queue and result.pages < max_pages:
        url, depth = queue.popleft()
        if not robots.can_fetch(USER_AGENT, url):
            result.skipped_robots.append(url)
            continue
        wait = delay - (time.monotonic() - last)
        if wait > 0:
            time.sleep(wait)
        last = time.monotonic()
        try:
            req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read(max_bytes + 1)
                ctype = resp.headers.get("Content-Type", "")
        except (OSError, urllib.error.URLError, ValueError) as exc:
            result.errors.append((url, str(getattr(exc, "reason", exc))))
            continue
        if len(body) > max_bytes:
            result.errors.append((url, "文件过大，未下载"))
            continue
        result.pages += 1
        dest = _local_path(out_dir, url)
        is_html = "html" in ctype or (
            not PurePosixPath(urlparse(url).path).suffix and body.lstrip()[:1] == b"<"
        )
        if is_html and dest.suffix.lower() not in (".html", ".htm"):
            dest = dest.with_name(dest.name + ".html") if dest.suffix else dest / "index.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(body)
        result.saved.append(dest)
        if not is_html or depth >= max_depth:
            continue
        try:
            if sniff_format(body, dest.name) != "html":
                continue
        except Exception:
            continue
        for link in _links(body, url):
            parsed = urlparse(link)
            if parsed.scheme not in ("http", "https") or parsed.netloc != host or link in seen:
                continue
            suffix = PurePosixPath(parsed.path).suffix.lower()
            if (
                suffix
                and suffix not in ATTACHMENT_EXT
                and suffix not in (".html", ".htm", ".shtml", ".jsp", ".php", ".aspx")
            ):
                continue
            seen.add(link)
            queue.append((link, depth + 1))
    return result


def sitemap_urls(url: str, timeout: float = 15.0) -> list[str]:
    """<loc> entries of a sitemap (nested sitemap indexes followed one level)."""
    import xml.etree.ElementTree as ET

    def fetch(u: str) -> bytes:
        req = urllib.request.Request(u, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read(20 * 1024 * 1024)

    def locs(data: bytes) -> tuple[list[str], bool]:
        root = ET.fromstring(data)
        is_index = root.tag.endswith("sitemapindex")
        return [el.text.strip() for el in root.iter() if el.tag.endswith("loc") and el.text], is_index

    found, is_index = locs(fetch(url))
    if not is_index:
        return found
    out: list[str] = []
    for sub in found:
        try:
            out.extend(locs(fetch(sub))[0])
        except (OSError, ET.ParseError):
            continue
    return out
