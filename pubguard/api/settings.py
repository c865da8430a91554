"""Settings of the web service: the review layer's one settings model (`ReviewSettings`,
pydantic-settings, `PUBGUARD_<FIELD>` from the environment) plus what only the web service needs.
Defaults suit `pubguard serve` on a workstation: SQLite and files under `./data`, one scan worker
thread, cookies without the Secure flag (plain HTTP on 127.0.0.1; set `cookie_secure` behind HTTPS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from pubguard.review.settings import ReviewSettings

_MAIL_FIELDS = {
    "smtp_host", "smtp_port", "smtp_from", "smtp_user", "smtp_password", "smtp_starttls", "smtp_ssl", "public_url"
}  # fmt: skip


class ApiSettings(ReviewSettings):
    worker_threads: int = 1  # scan workers started with the app (0: only `pubguard worker`)
    worker_poll_seconds: float = 2.0
    session_ttl: dt.timedelta = dt.timedelta(hours=12)
    api_token_ttl: dt.timedelta = dt.timedelta(days=90)
    cookie_secure: bool = False
    # Login throttling (in memory, per process): after `login_max_failures` failed attempts for
    # one user name from one address within `login_window_seconds`, further attempts get 429.
    login_max_failures: int = 5
    login_window_seconds: float = 15 * 60
    login_max_failures_per_ip: int = 50
    # POST /api/v1/check: inputs up to this size (text-like formats; a quarter of it for PDFs,
    # office files and images) are scanned in the request, larger ones become a job.
    check_sync_max_bytes: int = 2 * 1024 * 1024
    check_job_ttl_seconds: float = 24 * 3600
    render_dpi: int = 110
    max_render_pages: int = 60
    # Page-layout cache (masked text and page images): entries older than this are removed and
    # rebuilt from the managed original on the next view; archived drafts' entries go at once.
    page_cache_days: float = 30.0
    scanner: Callable[..., Any] | None = Field(default=None, exclude=True)  # tests: a stand-in for scan_bytes
    clock: Callable[[], dt.datetime] | None = Field(default=None, exclude=True)  # tests: a settable clock

    def review_settings(self) -> ReviewSettings:
        """The review layer's part (the same model: one set of values, one upload limit)."""
        return ReviewSettings(
            data_dir=Path(self.data_dir),
            database_url=self.database_url,
            scan_config=self.scan_config,
            max_upload_bytes=self.max_upload_bytes,
            **self.model_dump(include=_MAIL_FIELDS),
        )

    @property
    def cache_dir(self) -> Path:
        return Path(self.data_dir) / "cache"
