"""Authentication plumbing of the web service: session cookies and bearer tokens (both opaque
tokens issued and resolved by the review library, which stores only their hashes), the CSRF
token bound to a cookie session, and login throttling.

CSRF: a cookie-authenticated request that changes anything (POST/PUT/PATCH/DELETE) must carry
the session's CSRF token in the `X-CSRF-Token` header (htmx and fetch calls) or a `csrf_token`
form field (plain forms). The token is an HMAC of the session token under a per-process random
key mixed with the data directory's secret, so it cannot be computed without the HTTP-only
cookie. Bearer-token requests need no CSRF token: browsers never attach them on their own.

Login throttling is kept in memory of the serving process (documented limitation: several
server processes each count separately, and a restart forgets the counters)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

SESSION_COOKIE = "pubguard_session"
LOGIN_CSRF_COOKIE = "pubguard_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def load_secret(data_dir: Path) -> bytes:
    """A per-installation secret (created once under the data directory, mode 0600), so CSRF
    tokens survive restarts and are the same for every worker process."""
    path = Path(data_dir) / "secret.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key.hex())
    tmp.chmod(0o600)
    tmp.replace(path)
    return bytes.fromhex(path.read_text().strip())


def csrf_token(secret: bytes, session_token: str) -> str:
    return hmac.new(secret, b"csrf\x00" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: bytes, session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, session_token), given or "")


class LoginThrottle:
    """Sliding-window counter of failed logins per (user name, client address) and per address."""

    def __init__(self, max_failures: int, window_seconds: float, max_per_ip: int):
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_per_ip = max_per_ip
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._ip_fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, q: deque[float], now: float) -> deque[float]:
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds to wait before another attempt (0: allowed now)."""
        now = time.monotonic()
        key = (username.strip().lower(), ip)
        with self._lock:
            waits = []
            q = self._trim(self._fails.get(key, deque()), now)
            if len(q) >= self.max_failures:
                waits.append(q[0] + self.window - now)
            qi = self._trim(self._ip_fails.get(ip, deque()), now)
            if len(qi) >= self.max_per_ip:
                waits.append(qi[0] + self.window - now)
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, username: str, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails.setdefault((username.strip().lower(), ip), deque()).append(now)
            self._ip_fails.setdefault(ip, deque()).append(now)
            if len(self._fails) > 10_000:  # bound memory under a spray of names
                for k in [k for k, q in self._fails.items() if not self._trim(q, now)]:
                    del self._fails[k]

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._fails.pop((username.strip().lower(), ip), None)
