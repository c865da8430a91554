"""Settings of the web service. Defaults suit `pubguard serve` on a workstation: SQLite and
files under `./data`, one scan worker thread, cookies without the Secure flag (plain HTTP on
127.0.0.1; set `cookie_secure` behind HTTPS)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubguard.config import ScanConfig
from pubguard.review.settings import ReviewSettings


@dataclass
class ApiSettings:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("PUBGUARD_DATA_DIR", "data")))
    database_url: str | None = None  # default: PUBGUARD_DATABASE_URL or SQLite in data_dir
    max_upload_bytes: int = 100 * 1024 * 1024
    scan_config: ScanConfig = field(default_factory=ScanConfig)
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
    scanner: Callable[..., Any] | None = None  # tests: a stand-in for pubguard.scan.scan_bytes
    clock: Callable[[], dt.datetime] | None = None  # tests: a settable clock

    def review_settings(self) -> ReviewSettings:
        return ReviewSettings(
            data_dir=Path(self.data_dir),
            database_url=self.database_url,
            scan_config=self.scan_config,
            max_upload_bytes=self.max_upload_bytes,
        )

    @property
    def cache_dir(self) -> Path:
        return Path(self.data_dir) / "cache"
