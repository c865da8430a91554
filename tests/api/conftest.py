"""Fixtures for the web-service tests. Every test that takes `app` runs on SQLite and, when
PUBGUARD_TEST_DATABASE_URL is set, on PostgreSQL too (the review tests' `db_url` fixture).

Scans use the review tests' stand-in scanner for text uploads (each `!severity category rule
evidence` line is one finding) and the real scanner for PDFs, so page rendering and boxes are
tested on real layout. Scan jobs run when a test calls `run_jobs(app)` (no worker threads)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review.helpers import fake_scanner

from pubguard.api import ApiSettings, create_app

PG_URL = os.environ.get("PUBGUARD_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

SITE = "gov"
PASSWORD = "password-123"
MAX_UPLOAD = 256 * 1024

# user -> roles on SITE ("other:" prefix: a role on the other site)
USERS = {
    "ed": ["editor"],
    "ed2": ["editor"],
    "edp": ["editor", "proofreader"],
    "p1": ["proofreader"],
    "p2": ["proofreader"],
    "p3": ["proofreader"],
    "r1": ["reviewer1"],
    "r2": ["reviewer2"],
    "r3": ["reviewer3"],
    "multi": ["reviewer1", "reviewer2"],
    "pub": ["publisher"],
    "adm": ["admin"],
    "stranger": ["other:editor", "other:proofreader"],
}
APPROVERS = {
    "proof1": "p1",
    "review1": "r1",
    "proof2": "p2",
    "review2": "r2",
    "proof3": "p3",
    "review3": "r3",
}

CLEAN = "关于做好春季农业生产工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。\n"
WITH_ID = "!high personal_data id_card 11**************1234\n!medium proofreading repeated 的的\n" + CLEAN


def scanner(data: bytes, name: str, config=None, identity: str | None = None):  # type: ignore[no-untyped-def]
    if data.lstrip()[:5] == b"%PDF-" or data[:2] == b"PK":
        from pubguard.scan import scan_bytes

        return scan_bytes(data, name, config, identity)
    return fake_scanner(data, name, config, identity)


def make_app(data_dir: Path, database_url: str | None, **kw) -> object:  # type: ignore[no-untyped-def]
    settings = ApiSettings(
        data_dir=data_dir,
        database_url=database_url,
        worker_threads=kw.pop("worker_threads", 0),
        scanner=kw.pop("scanner", scanner),
        max_upload_bytes=kw.pop("max_upload_bytes", MAX_UPLOAD),
        **kw,
    )
    app = create_app(settings)
    svc = app.state.service
    svc.create_site(SITE, "示例市人民政府网站")
    svc.create_site("other", "另一个站点")
    for name, roles in USERS.items():
        grants = [("other", r.split(":", 1)[1]) if r.startswith("other:") else (SITE, r) for r in roles]
        svc.create_user(
            name, display_name=name, roles=grants, password=PASSWORD if name in ("ed", "p1") else None
        )
    svc.create_user("root", display_name="系统管理员", is_admin=True)
    return app


@pytest.fixture(scope="session")
def _api_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrations run once)."""
    import sqlite3

    from pubguard.review.db import Database

    path = tmp_path_factory.mktemp("api-template") / "api.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "api.db"
        shutil.copyfile(request.getfixturevalue("_api_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    import sqlalchemy as sa

    from pubguard.review.settings import normalise_db_url

    base = normalise_db_url(PG_URL or "")
    schema = f"apitest_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[object]:
    application = make_app(tmp_path / "data", db_url)
    try:
        yield application
    finally:
        application.state.service.close()


@pytest.fixture
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


def auth(app, user: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Bearer headers for `user` (token issued through the library: no password hashing)."""
    return {"Authorization": f"Bearer {app.state.service.issue_token(user, kind='api')}"}


def run_jobs(app) -> int:  # type: ignore[no-untyped-def]
    return app.state.service.run_pending_jobs("test")


def upload(client: TestClient, headers: dict, text: str = WITH_ID, *, title: str = "春季农业生产通知", site: str = SITE,
           filename: str = "notice.txt", data: bytes | None = None) -> dict:  # fmt: skip
    r = client.post(
        "/api/v1/drafts",
        data={"site": site, "title": title, "column": "通知公告"},
        files={"file": (filename, data if data is not None else text.encode())},
        headers=headers,
    )
    assert r.status_code == 202, r.text
    return r.json()


def submitted_draft(app, client: TestClient, text: str = CLEAN) -> dict:  # type: ignore[no-untyped-def]
    """A scanned draft of `ed`, 主动公开, in review at 一校."""
    ed = auth(app, "ed")
    body = upload(client, ed, text)
    run_jobs(app)
    did = body["draft"]["id"]
    assert (
        client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=ed).status_code
        == 200
    )
    r = client.post(f"/api/v1/drafts/{did}/submit", json={"version_id": body["version"]["id"]}, headers=ed)
    assert r.status_code == 200, r.text
    return r.json()


def approve_all(app, client: TestClient, draft_id: int) -> dict:  # type: ignore[no-untyped-def]
    d = client.get(f"/api/v1/drafts/{draft_id}", headers=auth(app, "ed")).json()
    while d["active_step"] is not None:
        key = d["active_step"]["key"]
        r = client.post(
            f"/api/v1/drafts/{draft_id}/approve",
            json={"version_id": d["current_version_id"], "step_key": key},
            headers=auth(app, APPROVERS[key]),
        )
        assert r.status_code == 200, r.text
        d = r.json()
    return d


def login_cookie(client: TestClient, user: str = "ed") -> str:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]
