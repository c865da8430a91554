"""The per-installation secret that keys every fingerprint (HMAC-SHA256).

Fingerprints used to be a plain SHA-256 of the evidence, the rule and the document identity, so
a mobile number or an ID number could be recovered from `report.json` by trying every
candidate. With a secret key nobody without the key can test candidates.

Where the key comes from (first match wins):

1. `PUBGUARD_FINGERPRINT_KEY` — the key itself (hex, or any string of ≥ 16 characters);
   for CI and for Dask workers on other machines, which must share the installation's key;
2. `PUBGUARD_KEY_FILE` — a key file;
3. the installation's key file (`<data dir>/keys/fingerprint.key`, set by the review service);
4. the user's key file (`$XDG_CONFIG_HOME/pubguard/fingerprint.key`, `~/.config/…`) — so a
   command-line scan with no installation still gets keyed fingerprints.

A missing key file is generated at first use with `secrets.token_bytes(32)`, created with mode
0600 (never inside the database). `rotate()` (`pubguard key rotate`) makes a new key and keeps
the old ones (`previous`), so findings can still be compared with fingerprints made before the
rotation (`previous_fingerprints`, used by baselines). Processes read the key once; restart
them after a rotation. The key never appears in a report, a log or an exception."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

ENV_KEY = "PUBGUARD_FINGERPRINT_KEY"
ENV_FILE = "PUBGUARD_KEY_FILE"
KEEP_PREVIOUS = 5

_lock = threading.Lock()
_cache: dict[str, Keyring] = {}
_installation: Path | None = None


@dataclass(frozen=True)
class Keyring:
    current: bytes
    previous: tuple[bytes, ...] = ()
    source: str = ""

    @property
    def key_id(self) -> str:
        """A public name for the key (changes on rotation; reveals nothing about it)."""
        return hmac.new(self.current, b"pubguard-key-id", hashlib.sha256).hexdigest()[:12]


def _decode(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
        if len(raw) >= 16:
            return raw
    except ValueError:
        pass
    if len(text) < 16:
        raise ValueError(f"{ENV_KEY} 太短：至少 16 个字符（或 32 位十六进制）。")
    return text.encode("utf-8")


def user_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pubguard" / "fingerprint.key"


def use_installation(path: Path) -> None:
    """The review service's key file. Exported through `PUBGUARD_KEY_FILE` (unless already
    set), so scan worker processes started from here use the same key."""
    global _installation
    _installation = Path(path)
    os.environ.setdefault(ENV_FILE, str(_installation))


def key_path() -> Path:
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    return _installation or user_key_file()


def _write_new(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _read(path: Path) -> Keyring:
    data = json.loads(path.read_text("utf-8"))
    return Keyring(
        bytes.fromhex(data["current"]),
        tuple(bytes.fromhex(k) for k in data.get("previous", [])),
        str(path),
    )


def load_or_create(path: Path) -> Keyring:
    """The key file's keys; a new key (0600) when the file does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"current": secrets.token_bytes(32).hex(), "previous": []}
        try:  # O_EXCL: two processes starting at once agree on one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
    return _read(path)


def keyring() -> Keyring:
    env = os.environ.get(ENV_KEY)
    if env:
        return Keyring(_decode(env), (), "env")
    path = key_path()
    name = str(path)
    ring = _cache.get(name)
    if ring is None:
        with _lock:
            ring = _cache.get(name)
            if ring is None:
                ring = _cache[name] = load_or_create(path)
    return ring


def rotate(path: Path | None = None) -> Keyring:
    """A new current key; the old one is kept (up to five) for comparison."""
    path = path or key_path()
    old = load_or_create(path)
    data = {
        "current": secrets.token_bytes(32).hex(),
        "previous": [k.hex() for k in (old.current, *old.previous)][:KEEP_PREVIOUS],
    }
    with _lock:
        _write_new(path, data)
        _cache.pop(str(path), None)
    return _read(path)


def reset_cache() -> None:
    with _lock:
        _cache.clear()


def keyed_hash(message: str, *, key: bytes | None = None, length: int = 32) -> str:
    """HMAC-SHA256 of `message` under the installation key (hex, `length` characters)."""
    k = key if key is not None else keyring().current
    return hmac.new(k, message.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
