"""Fixtures for the review tests. Every test that takes `db_url` runs on SQLite (a temporary
file) and, when PUBGUARD_TEST_DATABASE_URL is set, on PostgreSQL in a fresh schema."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubguard.review import ReviewService
from review.helpers import SITE, USERS, Clock, make_service

PG_URL = os.environ.get("PUBGUARD_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_admin_url() -> str:
    from pubguard.review.settings import normalise_db_url

    return normalise_db_url(PG_URL or "")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'review.db'}"
        return
    import sqlalchemy as sa

    schema = f"pgtest_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    base = _pg_admin_url()
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))  # Monday 10:00 in Beijing


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[ReviewService]:
    service = make_service(db_url, tmp_path / "data", clock)
    service.create_site(SITE, "示例市人民政府网站")
    service.create_site("other", "另一个站点")
    for name, roles in USERS.items():
        service.create_user(name, display_name=name, roles=[(SITE, r) for r in roles])
    service.create_user("root", display_name="系统管理员", is_admin=True)
    try:
        yield service
    finally:
        service.close()
