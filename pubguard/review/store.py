"""Content-addressed file store: every uploaded file is kept once, named by its sha256, under
`<data>/files/ab/cd/<sha256>`. Files are written to a temporary name and renamed, so a crash
never leaves a half-written blob under a real name; writing the same content twice is a no-op."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from pubguard.errors import TooLarge, size_limit_label
from pubguard.review import faults
from pubguard.review.errors import NotFound
from pubguard.review.publish import TMP_PREFIX, stray_temp

UPLOAD_PREFIX = ".upload-"
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class FileStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _SHA_RE.match(sha256):
            raise NotFound("文件标识无效。")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.is_file():
            self._write_atomic(target, [data])
        return sha

    def put_stream(self, stream: BinaryIO, max_bytes: int) -> tuple[str, int]:
        """Store a stream without holding it in memory; refuses more than `max_bytes`."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f"{UPLOAD_PREFIX}{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"文件过大，超过上限 {size_limit_label(max_bytes)}。")
                    digest.update(chunk)
                    out.write(chunk)
                    faults.point("upload:during_store")
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            return sha, size
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def get(self, sha256: str) -> bytes:
        p = self.path(sha256)
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("文件不存在（存储中找不到该内容）。") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFound("存储的文件已损坏（哈希不符）。")
        return data

    def _write_atomic(self, target: Path, chunks: list[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TMP_PREFIX}{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as out:
                for c in chunks:
                    out.write(c)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def sweep(self) -> list[str]:
        """Start-up clean-up: `.upload-*` / `.tmp-*` files left by processes that died while
        storing (a live process's file in progress is never touched)."""
        removed: list[str] = []
        if not self.root.is_dir():
            return removed
        for p in self.root.glob(f"{UPLOAD_PREFIX}*"):
            if stray_temp(p, UPLOAD_PREFIX):
                p.unlink(missing_ok=True)
                removed.append(str(p))
        for p in self.root.glob(f"*/*/{TMP_PREFIX}*"):
            if stray_temp(p, TMP_PREFIX):
                p.unlink(missing_ok=True)
                removed.append(str(p))
        return removed
