"""Where the review layer keeps its data: a database URL and a data directory (file store,
published tree). Defaults live under `./data` of the working directory;
`PUBGUARD_DATABASE_URL` and `PUBGUARD_DATA_DIR` override them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pubguard.config import ScanConfig


def normalise_db_url(url: str) -> str:
    """Plain `postgresql://` URLs use psycopg 3 (the driver we ship), not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass
class ReviewSettings:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("PUBGUARD_DATA_DIR", "data")))
    database_url: str | None = None
    scan_config: ScanConfig = field(default_factory=ScanConfig)
    max_upload_bytes: int = 200 * 1024 * 1024

    def resolved_database_url(self) -> str:
        url = self.database_url or os.environ.get("PUBGUARD_DATABASE_URL")
        if not url:
            return f"sqlite:///{(self.data_dir / 'pubguard.db').resolve()}"
        return normalise_db_url(url)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def publish_dir(self) -> Path:
        return self.data_dir / "published"
