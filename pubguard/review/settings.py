"""One settings model (pydantic-settings) for the review layer; the web service's `ApiSettings`
extends it. Defaults live under `./data` of the working directory; every field can be set from
the environment as `PUBGUARD_<FIELD>` (`PUBGUARD_DATABASE_URL`, `PUBGUARD_DATA_DIR`,
`PUBGUARD_MAX_UPLOAD_BYTES` ...) or passed in code.

The upload limit is one value: 100 MiB (it was 100 MiB in the web service and 200 MiB for
`pubguard review`; the web service's limit is the one users met, and it stays below the
scanner's own 200 MiB file limit, `pubguard.config.Limits.max_file_bytes`)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pubguard.config import ScanConfig

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def normalise_db_url(url: str) -> str:
    """Plain `postgresql://` URLs use psycopg 3 (the driver we ship), not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class ReviewSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PUBGUARD_", extra="ignore", arbitrary_types_allowed=True)

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite in data_dir
    scan_config: ScanConfig = Field(default_factory=ScanConfig, exclude=True)
    max_upload_bytes: int = Field(default=MAX_UPLOAD_BYTES, gt=0)
    # 消息 by e-mail (pubguard.review.notify): off unless PUBGUARD_SMTP_HOST is set
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "PubGuard <pubguard@localhost>"
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    public_url: str = ""  # e.g. https://pubguard.example.gov.cn: absolute links in e-mails

    def resolved_database_url(self) -> str:
        url = self.database_url or os.environ.get("PUBGUARD_DATABASE_URL")
        if not url:
            return f"sqlite:///{(Path(self.data_dir) / 'pubguard.db').resolve()}"
        return normalise_db_url(url)

    @property
    def files_dir(self) -> Path:
        return Path(self.data_dir) / "files"

    @property
    def publish_dir(self) -> Path:
        return Path(self.data_dir) / "published"


__all__ = ["MAX_UPLOAD_BYTES", "ReviewSettings", "normalise_db_url"]
