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
0600 (never inside the database).

Rotation (`rotate()`, `pubguard key rotate`) *chains* keys: a fingerprint is
`HMAC(k_n, … HMAC(k_1, HMAC(k_0, message)))` over the key file's `chain` (oldest first), so a
fingerprint already stored can be re-keyed without the raw value: `rekey(fp, k_new)` is exactly
what a scan under the longer chain computes. The review database is re-keyed in the same step
(`pubguard.review.rekey`), so decisions still carry by fingerprint, and no value under the old
chain stays stored. Someone holding only an old key file can no longer test candidates against
the re-keyed values (they need the new key). The intermediate values are the fingerprints under
the earlier chains (`previous_fingerprints`, in memory), so baselines written before a rotation
still match. Keys of a key file written before chaining (`previous`) are kept as `legacy`
single keys for the same comparison.

Crash safety: the new key is first written as `pending`; the database re-key commits with an
audit entry `key.rotate` naming the new key id; only then the key becomes part of the chain. A
rotation interrupted in between is settled at the next start (`settle_pending`): promoted when
the database says it was committed, dropped otherwise. A process notices a new key file
(mtime/inode checked on each use) and follows the rotation; still, stop `serve`/`worker` for
a rotation, so no scan stores a fingerprint under the old chain after the re-key. The key never
appears in a report, a log or an exception."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ENV_KEY = "PUBGUARD_FINGERPRINT_KEY"
ENV_FILE = "PUBGUARD_KEY_FILE"

_lock = threading.Lock()
_cache: dict[str, Keyring] = {}
_stamps: dict[str, tuple[int, int] | None] = {}  # key file (mtime, inode) when it was read
_installation: Path | None = None


@dataclass(frozen=True)
class Keyring:
    current: bytes
    previous: tuple[bytes, ...] = ()  # every older key, newest first (chain, then legacy)
    source: str = ""
    chain: tuple[bytes, ...] = ()  # oldest first, ends with `current`
    legacy: tuple[bytes, ...] = ()  # single (unchained) keys from before chaining
    pending: bytes | None = None  # a rotation not settled yet (never used for fingerprints)

    @property
    def key_id(self) -> str:
        """A public name for the key (changes on rotation; reveals nothing about it)."""
        return key_id(self.current)

    @property
    def all_keys(self) -> tuple[bytes, ...]:
        return (self.current, *self.previous)


def key_id(key: bytes) -> str:
    return hmac.new(key, b"pubguard-key-id", hashlib.sha256).hexdigest()[:12]


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


def _ring(data: dict, source: str) -> Keyring:
    if "chain" in data:
        chain = tuple(bytes.fromhex(k) for k in data["chain"])
        legacy = tuple(bytes.fromhex(k) for k in data.get("legacy", []))
    else:  # written before chaining: one current key, older single keys
        chain = (bytes.fromhex(data["current"]),)
        legacy = tuple(bytes.fromhex(k) for k in data.get("previous", []))
    pending = bytes.fromhex(data["pending"]) if data.get("pending") else None
    return Keyring(chain[-1], (*chain[-2::-1], *legacy), source, chain, legacy, pending)


def _data(ring: Keyring, pending: bytes | None) -> dict:
    return {
        "format": 2,
        "chain": [k.hex() for k in ring.chain],
        "legacy": [k.hex() for k in ring.legacy],
        "pending": pending.hex() if pending else None,
    }


def _read(path: Path) -> Keyring:
    return _ring(json.loads(path.read_text("utf-8")), str(path))


def load_or_create(path: Path) -> Keyring:
    """The key file's keys; a new key (0600) when the file does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"format": 2, "chain": [secrets.token_bytes(32).hex()], "legacy": [], "pending": None}
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
        k = _decode(env)
        return Keyring(k, (), "env", (k,))
    path = key_path()
    name = str(path)
    stamp = _stamp(path)
    ring = _cache.get(name)
    if ring is None or _stamps.get(name) != stamp:  # a rotation by another process: follow it
        with _lock:
            ring = _cache.get(name)
            if ring is None or _stamps.get(name) != stamp:
                ring = _cache[name] = load_or_create(path)
                _stamps[name] = _stamp(path)
    return ring


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino)


def rotate(path: Path | None = None, rekey: Callable[[bytes], None] | None = None) -> Keyring:
    """A new current key, appended to the chain (older keys kept: all of them, the chain needs
    them). `rekey(new_key)` re-keys what is stored elsewhere (the review database) and must
    commit a record naming `key_id(new_key)`; the key joins the chain only after it returned."""
    if os.environ.get(ENV_KEY):
        raise ValueError(f"指纹密钥来自环境变量 {ENV_KEY}，不能在此轮换；请更换该变量的值。")
    path = path or key_path()
    old = load_or_create(path)
    if old.pending is not None:
        raise ValueError("上一次密钥轮换尚未完成；请先启动一次审核服务（或运行 pubguard key settle）。")
    new = secrets.token_bytes(32)
    with _lock:
        _write_new(path, _data(old, new))
        _cache.pop(str(path), None)
    if rekey is not None:
        try:
            rekey(new)
        except BaseException:
            with _lock:  # nothing was committed: the old chain stays
                _write_new(path, _data(old, None))
                _cache.pop(str(path), None)
            raise
    return _promote(path, old, new)


def _promote(path: Path, old: Keyring, new: bytes) -> Keyring:
    ring = Keyring(new, (), "", (*old.chain, new), old.legacy)
    with _lock:
        _write_new(path, _data(ring, None))
        _cache.pop(str(path), None)
    return _read(path)


def settle_pending(path: Path, committed: Callable[[str], bool]) -> str | None:
    """Finish or drop a rotation interrupted between writing the pending key and promoting it:
    `committed(key_id)` says whether the database re-key committed. Returns what was done."""
    if not path.is_file():
        return None
    ring = _read(path)
    if ring.pending is None:
        return None
    if committed(key_id(ring.pending)):
        _promote(path, ring, ring.pending)
        return "promoted"
    with _lock:
        _write_new(path, _data(ring, None))
        _cache.pop(str(path), None)
    return "dropped"


def reset_cache() -> None:
    with _lock:
        _cache.clear()
        _stamps.clear()


def keyed_hash(message: str, *, key: bytes | None = None, length: int = 32) -> str:
    """HMAC-SHA256 of `message` under one key (default: the current one; hex, `length` chars)."""
    k = key if key is not None else keyring().current
    return hmac.new(k, message.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def chained_hashes(message: str, chain: tuple[bytes, ...] | None = None) -> list[str]:
    """The message's fingerprint under every prefix of the chain (oldest first): the last one
    is the fingerprint under the whole chain, the others those under earlier rotations."""
    out: list[str] = []
    value = message
    for k in chain if chain is not None else keyring().chain:
        value = keyed_hash(value, key=k)
        out.append(value)
    return out


def rekey(fingerprint: str, new_key: bytes) -> str:
    """A stored fingerprint moved onto the chain extended by `new_key` (no raw value needed)."""
    return keyed_hash(fingerprint, key=new_key)
