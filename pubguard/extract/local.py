"""Files next to a page in a folder or site scan: the local stylesheets it links.

A red header coloured by a class of `<link rel="stylesheet" href="css/main.css">` is only red
when that sheet is read. A folder or site scan knows where the page lives and which folder was
scanned, so relative links can be resolved there — and only there:

- no network: links with a scheme (http:, https:, file:, data:) or protocol-relative (//host)
  are never followed;
- inside the scanned root only: the resolved path (symlinks followed) must lie under the root;
  `../../etc/x.css` or a symlink pointing out of the site is not read;
- only `.css` files, regular files, at most `Limits.max_stylesheet_bytes` each and
  `Limits.max_stylesheets` per page (the rest are skipped, and said so);
- a root-relative link (`/cn/css/base.css`) is looked up under the scanned root (the site root).

A single uploaded page (API, archive members, embedded files) has no `LocalFiles`: its linked
sheets stay unknown, as before. The site cache stores the sha256 of every sheet a page read
(`FileResult.stylesheets`) and rescans the page when one of them changed.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from pubguard.config import Limits
from pubguard.errors import PubGuardError
from pubguard.extract.text import decode_text

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass
class LocalFiles:
    """Where a page being scanned lives (`page`) and the folder that bounds what is read
    (`root`). `read` records every sheet it read (`read_paths`) and every link it refused."""

    page: str
    root: str
    limits: Limits = field(default_factory=Limits)
    read_paths: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # path read -> sha256 (site cache check)

    def resolve(self, href: str) -> str | None:
        """The file a stylesheet link names, when it is a local `.css` file inside the root."""
        href = (href or "").strip()
        if not href or href.startswith("//") or _SCHEME_RE.match(href):
            return None
        path = unquote(urlsplit(href).path)
        if not path or "\x00" in path or not path.lower().endswith(".css"):
            return None
        root = os.path.realpath(self.root)
        if path.startswith("/"):
            candidate = os.path.join(root, path.lstrip("/"))
        else:
            candidate = os.path.join(os.path.dirname(os.path.abspath(self.page)), path)
        real = os.path.realpath(candidate)
        if os.path.commonpath([root, real]) != root or not os.path.isfile(real):
            return None
        return real

    def stylesheet(self, href: str) -> str | None:
        """The text of a linked local stylesheet, or None (not local, outside the root, missing,
        too large, over the per-page count, or not decodable)."""
        path = self.resolve(href)
        if path is None:
            return None
        if len(self.read_paths) >= self.limits.max_stylesheets:
            self.refused.append(f"{href}（超过每页 {self.limits.max_stylesheets} 个样式表）")
            return None
        try:
            if os.path.getsize(path) > self.limits.max_stylesheet_bytes:
                self.refused.append(f"{href}（超过 {self.limits.max_stylesheet_bytes // 1024} KB）")
                return None
            with open(path, "rb") as fh:
                data = fh.read(self.limits.max_stylesheet_bytes + 1)
        except OSError:
            return None
        try:
            text, _ = decode_text(data, declared=_css_charset(data))
        except PubGuardError:
            return None
        self.read_paths.append(path)
        self.digests[path] = hashlib.sha256(data).hexdigest()
        return text


def file_digest(path: str) -> str | None:
    """sha256 of a stylesheet file as `LocalFiles` read it (None: gone or unreadable)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


_CSS_CHARSET_RE = re.compile(rb'^@charset\s+"([A-Za-z0-9_\-]+)"')


def _css_charset(data: bytes) -> str | None:
    m = _CSS_CHARSET_RE.match(data.lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode("ascii") if m else None
