"""Publish targets: where a released version goes.

- `FolderTarget` (default): a static tree a web server can serve,
  `<root>/<site>/<draft id>/<file>` plus `meta.json`. Each file is written to a temporary name
  and renamed, `meta.json` last, so a reader never sees a half-written file; publishing the same
  version again rewrites identical bytes (idempotent).
- `WebhookTarget`: POSTs the file and its metadata as JSON to a CMS endpoint, with an
  `Idempotency-Key` header so a retried release is not published twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pubguard.review.errors import InvalidInput, PublishFailed

META_NAME = "meta.json"
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def safe_filename(name: str, fallback: str) -> str:
    """A file name that cannot leave its folder (no separators, no dot names)."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not base or base == META_NAME:
        return fallback
    return base[:200]


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


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class FolderTarget:
    kind = "folder"

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def folder(self, site: str, draft_id: int) -> Path:
        return self.root / safe_filename(site, "site") / str(int(draft_id))

    def publish(self, item: PublishItem) -> str:
        folder = self.folder(item.site, item.draft_id)
        folder.mkdir(parents=True, exist_ok=True)
        name = safe_filename(item.filename, f"v{item.version_number}")
        target = folder / name
        if not (target.is_file() and target.read_bytes() == item.data):
            _write_atomic(target, item.data)
        meta = dict(item.meta(), file=name)
        _write_atomic(folder / META_NAME, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        for other in folder.iterdir():  # an earlier version under another name
            if other.name not in (name, META_NAME) and not other.name.startswith(".tmp-"):
                other.unlink(missing_ok=True) if other.is_file() else shutil.rmtree(other, ignore_errors=True)
        return str(target)

    def withdraw(self, site: str, draft_id: int, location: str) -> None:
        folder = self.folder(site, draft_id)
        if not folder.exists():
            return
        # Rename first so the folder disappears from the served tree in one step.
        trash = folder.with_name(f".withdrawn-{folder.name}-{os.getpid()}")
        os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)


class WebhookTarget:
    kind = "webhook"

    def __init__(
        self, url: str, token: str | None = None, timeout: float = 30.0, *, token_env: str | None = None
    ):
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("发布接口地址必须以 http:// 或 https:// 开头。")
        self.url = url
        self.token = token
        self.token_env = token_env  # read at publish time, so the secret need not sit in the database
        self.timeout = timeout

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
            raise PublishFailed(f"发布接口返回错误：HTTP {exc.code}。稿件未发布。") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PublishFailed(f"无法连接发布接口（{getattr(exc, 'reason', exc)}）。稿件未发布。") from exc
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
        }
        answer = self._post(payload, item.idempotency_key)
        return str(answer.get("url") or answer.get("location") or self.url)

    def withdraw(self, site: str, draft_id: int, location: str) -> None:
        key = f"pubguard-withdraw-{draft_id}-{hashlib.sha256(location.encode()).hexdigest()[:16]}"
        self._post({"action": "withdraw", "site": site, "draft_id": draft_id, "location": location}, key)


def target_from_config(config: dict[str, Any] | None, default_root: Path) -> PublishTarget:
    """`{"type": "folder", "path": ...}` or `{"type": "webhook", "url": ..., "token": ...}`;
    `"token_env": "NAME"` reads the webhook token from the environment instead of the database."""
    if not config:
        return FolderTarget(default_root)
    kind = config.get("type", "folder")
    if kind == "folder":
        return FolderTarget(Path(config["path"]) if config.get("path") else default_root)
    if kind == "webhook":
        if not config.get("url"):
            raise InvalidInput("发布接口配置缺少 url。")
        return WebhookTarget(
            str(config["url"]),
            config.get("token"),
            float(config.get("timeout", 30)),
            token_env=config.get("token_env"),
        )
    raise InvalidInput(f"未知的发布目标类型：{kind}。")
