"""Publish targets: where a released version goes.

- `FolderTarget` (default): a static tree a web server can serve,
  `<root>/<site>/<draft id>/<file>` plus `meta.json`. Each file is written to a temporary name in
  a staging folder *outside* the served tree (same filesystem) and renamed into place,
  `meta.json` last, so neither a reader nor a crash ever leaves a partial file online; publishing
  the same version again changes nothing (idempotent). `online()` says what is complete online,
  which `ReviewService.reconcile()` uses to finish or roll back a release cut short by a crash.
- `WebhookTarget`: POSTs the file and its metadata as JSON to a CMS endpoint, retrying network
  errors, 429 and 5xx with the same `Idempotency-Key`, so a retried release is published once.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pubguard.review import faults
from pubguard.review.errors import InvalidInput, PublishFailed

META_NAME = "meta.json"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
# Bidirectional controls (LRE … RLO, isolates, marks): "invoice\u202ecod.exe" shows as
# "invoiceexe.doc"; stripped from every stored name.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Binary formats whose extension must match what the bytes are (a PDF named .docx is a .pdf).
FORMAT_EXTENSIONS = {
    "pdf": (".pdf",),
    "docx": (".docx", ".docm", ".dotx", ".dotm"),
    "xlsx": (".xlsx", ".xlsm"),
    "pptx": (".pptx",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "tiff": (".tif", ".tiff"),
    "gif": (".gif",),
    "bmp": (".bmp",),
    "webp": (".webp",),
    "ofd": (".ofd",),
}


def name_for_format(name: str, fmt: str | None) -> str:
    """`name` with the extension the sniffed format has (`通知.docx` holding a PDF → `通知.pdf`)."""
    exts = FORMAT_EXTENSIONS.get(fmt or "")
    if not exts or name.lower().endswith(exts):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return stem + exts[0]


def safe_filename(name: str, fallback: str) -> str:
    """A file name that cannot leave its folder (no separators, no dot names, no bidi controls)."""
    name = _BIDI.sub("", name)
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not base or base == META_NAME:
        return fallback
    return base[:200]


def attachment_names(main: str, names: list[str]) -> list[str]:
    """Safe, distinct file names for a draft's 附件 next to its main file `main` (already safe):
    `safe_filename` for each, a numbered prefix (`附件2-…`) when two would collide."""
    taken = {main, META_NAME}
    out = []
    for i, name in enumerate(names, 1):
        base = safe_filename(name, f"附件{i}")
        if base in taken:
            base = safe_filename(f"附件{i}-{base}", f"附件{i}")
        taken.add(base)
        out.append(base)
    return out


@dataclass
class PublishFile:
    """A 附件 published next to the main file; `filename` is already safe (`attachment_names`);
    `location` is filled in by the target's `publish` (a path, or the URL a CMS answered)."""

    filename: str
    sha256: str
    data: bytes
    location: str = ""

    def meta(self) -> dict[str, Any]:
        return {"file": self.filename, "sha256": self.sha256, "size": len(self.data)}

    def record(self) -> dict[str, Any]:
        """The entry in the release record (`Release.attachments`)."""
        return {**self.meta(), "location": self.location}


@dataclass
class PublishItem:
    draft_id: int
    version_id: int
    version_number: int
    site: str
    column: str
    title: str
    filename: str
    sha256: str
    data: bytes
    disclosure: str
    released_at: str
    released_by: str
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: list[PublishFile] = field(default_factory=list)

    @property
    def idempotency_key(self) -> str:
        return f"pubguard-{self.draft_id}-{self.version_id}-{self.sha256[:16]}"

    def meta(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "version_id": self.version_id,
            "version": self.version_number,
            "site": self.site,
            "column": self.column,
            "title": self.title,
            "file": self.filename,
            "sha256": self.sha256,
            "size": len(self.data),
            "disclosure": self.disclosure,
            "released_at": self.released_at,
            "released_by": self.released_by,
            "attachments": [a.meta() for a in self.attachments],
            **self.metadata,
        }


class PublishTarget(Protocol):
    kind: str

    def describe(self) -> str: ...

    def publish(self, item: PublishItem) -> str:
        """Put the item online; returns where it went (path or URL). Must be idempotent."""
        ...

    def withdraw(self, site: str, draft_id: int, location: str) -> None:
        """Take the draft offline; withdrawing something already gone is not an error."""
        ...


TMP_PREFIX = ".tmp-"  # temporary files: `.tmp-<pid>-…`, only ever in the staging folder
TRASH_PREFIX = ".withdrawn-"
STALE_TMP_SECONDS = 3600  # a temporary file this old is swept even if its pid is alive (reused)
DEFAULT_FILE_MODE = 0o644  # readable by the web server's user


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stray_temp(path: Path, prefix: str, *, now: float | None = None) -> bool:
    """A `<prefix><pid>-…` file left by a dead process (or older than an hour): safe to delete.
    A live process's file in progress is never touched."""
    rest = path.name[len(prefix) :]
    pid_text = rest.split("-", 1)[0]
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_TMP_SECONDS:
        return True
    if not pid_text.isdigit():  # an older naming scheme without the pid
        return age > 60
    pid = int(pid_text)
    return pid != os.getpid() and not _pid_alive(pid)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(target: Path, data: bytes, staging: Path, mode: int) -> None:
    """Write to a temporary file in `staging` (outside the served tree, same filesystem), then
    rename into place: a reader, or a crash, never leaves a partial file where it is served."""
    staging.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=staging, prefix=f"{TMP_PREFIX}{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as out:
            half = len(data) // 2
            out.write(data[:half])
            if target.name != META_NAME:
                out.flush()
                faults.point("release:during_file")
            out.write(data[half:])
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                raise PublishFailed(
                    f"发布暂存目录 {staging} 与发布目录不在同一文件系统，无法原子发布。请在发布配置中设置 staging。"
                ) from exc
            raise
        _fsync_dir(target.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sha256_file(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


class FolderTarget:
    """`<root>/<site>/<draft>/<file>` + `meta.json`. Temporary files live in `staging`
    (default: a hidden sibling of `root`, so the same filesystem), never in the served tree."""

    kind = "folder"

    def __init__(
        self, root: Path | str, *, staging: Path | str | None = None, file_mode: int = DEFAULT_FILE_MODE
    ):
        self.root = Path(root)
        self.staging = Path(staging) if staging else self.root.parent / f".{self.root.name}.staging"
        self.file_mode = file_mode

    def describe(self) -> str:
        return str(self.root)

    def folder(self, site: str, draft_id: int) -> Path:
        return self.root / safe_filename(site, "site") / str(int(draft_id))

    def _mkdir(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        dir_mode = self.file_mode | ((self.file_mode & 0o444) >> 2)  # r → x on folders
        for p in (path, path.parent):
            if p != self.root.parent:
                with contextlib.suppress(OSError):
                    os.chmod(p, dir_mode | 0o700)

    def publish(self, item: PublishItem) -> str:
        folder = self.folder(item.site, item.draft_id)
        self._mkdir(folder)
        name = safe_filename(item.filename, f"v{item.version_number}")
        target = folder / name
        if _sha256_file(target) != item.sha256:
            _write_atomic(target, item.data, self.staging, self.file_mode)
        faults.point("release:after_file")
        for a in item.attachments:  # next to the file, before meta.json names them
            path = folder / a.filename
            if safe_filename(a.filename, "") != a.filename or a.filename in (name, META_NAME):
                raise PublishFailed(f"附件文件名不安全或与正文重名：{a.filename}。稿件未发布。")
            if _sha256_file(path) != a.sha256:
                _write_atomic(path, a.data, self.staging, self.file_mode)
            a.location = str(path)
            faults.point("release:after_attachment")
        meta = dict(item.meta(), file=name)
        meta_bytes = json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8")
        meta_path = folder / META_NAME
        if not (meta_path.is_file() and meta_path.read_bytes() == meta_bytes):
            _write_atomic(meta_path, meta_bytes, self.staging, self.file_mode)
        self.sweep_draft(item.site, item.draft_id)  # an earlier version under another name
        return str(target)

    def online(self, site: str, draft_id: int) -> dict[str, Any] | None:
        """What the site serves for this draft: its `meta.json` (plus `location`, and each
        attachment's `location`) when the file and every attachment it names are present with
        the right hash; None when nothing complete is online."""
        folder = self.folder(site, draft_id)
        try:
            meta = json.loads((folder / META_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        name = str(meta.get("file") or "")
        if not name or safe_filename(name, "") != name:
            return None
        if _sha256_file(folder / name) != meta.get("sha256"):
            return None
        files = []
        for a in meta.get("attachments") or []:
            n = str(a.get("file") or "") if isinstance(a, dict) else ""
            if not n or safe_filename(n, "") != n or n == name:
                return None
            if _sha256_file(folder / n) != a.get("sha256"):
                return None
            files.append({**a, "location": str(folder / n)})
        return {**meta, "location": str(folder / name), "attachments": files}

    def present(self, site: str, draft_id: int) -> bool:
        """Anything at all in the served tree for this draft (complete or not)."""
        folder = self.folder(site, draft_id)
        return folder.is_dir() and any(folder.iterdir())

    def sweep_draft(self, site: str, draft_id: int) -> list[str]:
        """Remove what `meta.json` does not name (earlier versions, partial files)."""
        folder = self.folder(site, draft_id)
        if not folder.is_dir():
            return []
        try:
            meta = json.loads((folder / META_NAME).read_text("utf-8"))
            keep = {str(meta.get("file") or "")}
            keep |= {str(a.get("file") or "") for a in meta.get("attachments") or [] if isinstance(a, dict)}
        except (OSError, ValueError, AttributeError):
            keep = set()
        removed = []
        for other in folder.iterdir():
            if other.name in keep or other.name == META_NAME:
                continue
            if other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)
            removed.append(str(other))
        return removed

    def sweep(self) -> list[str]:
        """Start-up clean-up: temporary files and withdrawn folders left by dead processes in
        the staging folder, and any `.tmp-*` left inside the served tree by older versions."""
        removed = []
        if self.staging.is_dir():
            for p in self.staging.iterdir():
                prefix = TMP_PREFIX if p.name.startswith(TMP_PREFIX) else TRASH_PREFIX
                if p.name.startswith(prefix) and stray_temp(p, prefix):
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                    removed.append(str(p))
        if self.root.is_dir():
            for dirpath, dirnames, filenames in os.walk(self.root):
                for n in filenames:
                    if n.startswith(TMP_PREFIX):
                        Path(dirpath, n).unlink(missing_ok=True)
                        removed.append(str(Path(dirpath, n)))
                for n in list(dirnames):
                    if n.startswith(TRASH_PREFIX):
                        shutil.rmtree(Path(dirpath, n), ignore_errors=True)
                        removed.append(str(Path(dirpath, n)))
                        dirnames.remove(n)
        return removed

    def withdraw(self, site: str, draft_id: int, location: str) -> None:
        folder = self.folder(site, draft_id)
        if not folder.exists():
            return
        # Move the folder out of the served tree in one step (into staging: same filesystem).
        self.staging.mkdir(parents=True, exist_ok=True)
        trash = (
            self.staging
            / f"{TRASH_PREFIX}{os.getpid()}-{safe_filename(site, 'site')}-{folder.name}-{time.time_ns()}"
        )
        os.replace(folder, trash)
        _fsync_dir(folder.parent)
        shutil.rmtree(trash, ignore_errors=True)


class _Retryable(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WebhookTarget:
    kind = "webhook"

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 30.0,
        *,
        token_env: str | None = None,
        retries: int = 3,
        backoff: float = 0.5,
    ):
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("发布接口地址必须以 http:// 或 https:// 开头。")
        self.url = url
        self.token = token
        self.token_env = token_env  # read at publish time, so the secret need not sit in the database
        self.timeout = timeout
        self.retries = max(0, int(retries))  # extra attempts on network errors, 429 and 5xx
        self.backoff = backoff

    def _token(self) -> str | None:
        if self.token_env:
            token = os.environ.get(self.token_env)
            if not token:
                raise PublishFailed(f"发布接口令牌未配置：环境变量 {self.token_env} 为空。稿件未发布。")
            return token
        return self.token

    def describe(self) -> str:
        return self.url

    def _post(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        """POST with retries: every attempt carries the same `Idempotency-Key`, so the CMS
        publishes once however often the request arrives."""
        attempt = 0
        while True:
            try:
                return self._post_once(payload, key)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.retries:
                    raise PublishFailed(exc.message) from exc
                time.sleep(self.backoff * (2 ** (attempt - 1)))

    def _post_once(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, method="POST")
        req.add_header("Content-Type", "application/json; charset=utf-8")
        req.add_header("Idempotency-Key", key)
        token = self._token()
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            message = f"发布接口返回错误：HTTP {exc.code}。稿件未发布。"
            if exc.code == 429 or exc.code >= 500:
                raise _Retryable(message) from exc
            raise PublishFailed(message) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise _Retryable(f"无法连接发布接口（{getattr(exc, 'reason', exc)}）。稿件未发布。") from exc
        try:
            return json.loads(raw) if raw.strip() else {}
        except ValueError:
            return {}

    def publish(self, item: PublishItem) -> str:
        payload = {
            "action": "publish",
            "idempotency_key": item.idempotency_key,
            "meta": item.meta(),
            "file": {
                "name": item.filename,
                "sha256": item.sha256,
                "size": len(item.data),
                "content_base64": base64.b64encode(item.data).decode("ascii"),
            },
            "attachments": [
                {
                    "name": a.filename,
                    "sha256": a.sha256,
                    "size": len(a.data),
                    "content_base64": base64.b64encode(a.data).decode("ascii"),
                }
                for a in item.attachments
            ],
        }
        answer = self._post(payload, item.idempotency_key)
        # a CMS may answer `"attachments": [{"name": ..., "url": ...}]`: their web addresses
        urls = {
            str(x.get("name")): str(x.get("url") or "")
            for x in answer.get("attachments") or []
            if isinstance(x, dict)
        }
        for a in item.attachments:
            a.location = urls.get(a.filename, "")
        return str(answer.get("url") or answer.get("location") or self.url)

    def withdraw(self, site: str, draft_id: int, location: str) -> None:
        key = f"pubguard-withdraw-{draft_id}-{hashlib.sha256(location.encode()).hexdigest()[:16]}"
        self._post({"action": "withdraw", "site": site, "draft_id": draft_id, "location": location}, key)


def web_address(config: dict[str, Any] | None, draft_id: int, location: str) -> str | None:
    """The web address of a release: a target that answers with a URL (webhook CMS) gives it;
    a folder release is `base_url` of the site's publish config (the address the site serves
    `<root>/<site>/` at, e.g. `https://www.example.gov.cn/xxgk/`) + `<draft id>/<file>`.
    None when the site has no `base_url` (the page then says so instead of a server path)."""
    if location.startswith(("http://", "https://")):
        return location
    base = str((config or {}).get("base_url") or "").strip()
    if not base.startswith(("http://", "https://")):
        return None
    name = Path(location).name
    return f"{base.rstrip('/')}/{int(draft_id)}/{urllib.parse.quote(name)}"


def target_from_config(config: dict[str, Any] | None, default_root: Path) -> PublishTarget:
    """`{"type": "folder", "path": ..., "staging": ..., "file_mode": "0644", "base_url": ...}` or `{"type": "webhook", "url": ..., "token": ...}`;
    `"token_env": "NAME"` reads the webhook token from the environment instead of the database."""
    if not config:
        return FolderTarget(default_root)
    kind = config.get("type", "folder")
    if kind == "folder":
        mode = config.get("file_mode", DEFAULT_FILE_MODE)
        return FolderTarget(
            Path(config["path"]) if config.get("path") else default_root,
            staging=config.get("staging"),
            file_mode=int(mode, 8) if isinstance(mode, str) else int(mode),
        )
    if kind == "webhook":
        if not config.get("url"):
            raise InvalidInput("发布接口配置缺少 url。")
        return WebhookTarget(
            str(config["url"]),
            config.get("token"),
            float(config.get("timeout", 30)),
            token_env=config.get("token_env"),
            retries=int(config.get("retries", 3)),
            backoff=float(config.get("backoff", 0.5)),
        )
    raise InvalidInput(f"未知的发布目标类型：{kind}。")
