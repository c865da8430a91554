"""Fixtures for the review tests. Every test that takes `db_url` runs on SQLite (a temporary
file) and, when PUBGUARD_TEST_DATABASE_URL is set, on PostgreSQL.

Speed: migrations run once per session. SQLite tests get a copy of a migrated template file;
PostgreSQL tests share one migrated schema per worker that is emptied before each test (with
triggers bypassed, as only a superuser can) and rebuilt if a test dropped the audit triggers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pubguard.review import ReviewService
from pubguard.review.db import Database
from pubguard.review.models import AuditHead, Base, RoleGrant, Site, User
from pubguard.review.settings import normalise_db_url
from review.helpers import SITE, USERS, Clock, make_service

PG_URL = os.environ.get("PUBGUARD_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
GENESIS = "0" * 64


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "review.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    import sqlite3

    with sqlite3.connect(path) as conn:  # fold the WAL into the file so one copy is complete
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


class _PgSchema:
    def __init__(self) -> None:
        self.base = normalise_db_url(PG_URL or "")
        self.admin = sa.create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.name = ""
        self.url = ""
        self.engine: sa.Engine | None = None

    def create(self) -> None:
        self.name = f"pgtest_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        sep = "&" if "?" in self.base else "?"
        # synchronous_commit=off: no fsync per commit in tests (semantics otherwise unchanged)
        self.url = f"{self.base}{sep}options=-csearch_path%3D{self.name}%20-csynchronous_commit%3Doff"
        db = Database(self.url)
        db.migrate()
        db.dispose()
        self.engine = sa.create_engine(self.url)

    def drop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))

    def reset(self) -> None:
        """Empty every table; rebuild the schema when a test changed it."""
        try:
            if self._empty_tables():
                return
        except sa.exc.DBAPIError:  # e.g. not a superuser: fall back to a fresh schema
            pass
        self.drop()
        self.create()

    def _empty_tables(self) -> bool:
        with self.engine.begin() as conn:
            triggers = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relname = 'audit_log' AND n.nspname = current_schema() AND NOT t.tgisinternal"
                )
            ).scalar()
            if triggers == 2:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
                conn.execute(sa.insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
                return True
        return False


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[_PgSchema]:
    schema = _PgSchema()
    schema.create()
    try:
        yield schema
    finally:
        schema.drop()
        schema.admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "review.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schema: _PgSchema = request.getfixturevalue("_pg_schema")
    schema.reset()
    yield schema.url


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))  # Monday 10:00 in Beijing


def seed(service: ReviewService) -> None:
    """Sites and users in one transaction (the service's create_* are tested on their own)."""
    with service.db.write() as s:
        s.add_all([Site(key=SITE, name="示例市人民政府网站"), Site(key="other", name="另一个站点")])
        for name, roles in USERS.items():
            s.add(
                User(username=name, display_name=name, grants=[RoleGrant(site=SITE, role=r) for r in roles])
            )
        s.add(User(username="root", display_name="系统管理员", is_admin=True))


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[ReviewService]:
    service = make_service(db_url, tmp_path / "data", clock)
    seed(service)
    try:
        yield service
    finally:
        service.close()
