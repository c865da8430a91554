"""Authentication plumbing of the web service: session cookies and bearer tokens (both opaque
tokens issued and resolved by the review library, which stores only their hashes), the CSRF
token bound to a cookie session, and login throttling.

CSRF: a cookie-authenticated request that changes anything (POST/PUT/PATCH/DELETE) must carry
the session's CSRF token in the `X-CSRF-Token` header (htmx and fetch calls) or a `csrf_token`
form field (plain forms). The token is an HMAC of the session token under a per-process random
key mixed with the data directory's secret, so it cannot be computed without the HTTP-only
cookie. Bearer-token requests need no CSRF token: browsers never attach them on their own.

Login throttling is counted in the database (shared by all server processes, kept across
restarts); unknown user names cost the same scrypt check as known ones."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

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
    """Failed logins per (user name, client address) and per address, in a sliding window,
    counted in the review database (`login_failures`): shared by every server process and kept
    across restarts."""

    def __init__(self, svc: Any, max_failures: int, window_seconds: float, max_per_ip: int):
        self.svc = svc
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_per_ip = max_per_ip

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds to wait before another attempt (0: allowed now)."""
        return self.svc.login_retry_after(
            username, ip, max_failures=self.max_failures, max_per_ip=self.max_per_ip, window=self.window
        )

    def failed(self, username: str, ip: str) -> None:
        self.svc.login_failed(username, ip, window=self.window)

    def succeeded(self, username: str, ip: str) -> None:
        self.svc.login_succeeded(username, ip)
