"""Durable scan jobs: worker threads started with the app pick up uploads, jobs left running by
a dead process are re-queued on start, and the CLI commands (worker, user create, demo-seed)."""

from __future__ import annotations

import os
import time

import typer
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.conftest import CLEAN, auth, make_app, upload
from api.test_ui import seal_and_id_pdf
from pubguard.api.cli import register
from pubguard.review.jobs import HOST, requeue_orphans
from pubguard.review.models import Job


def test_worker_threads_started_with_the_app_scan_uploads(db_url, tmp_path):
    app = make_app(tmp_path / "data", db_url, worker_threads=2, worker_poll_seconds=0.2)
    with TestClient(app) as client:  # runs the lifespan: workers start and stop with the app
        ids = [upload(client, auth(app, "ed"), CLEAN, title=f"稿件{i}")["version"]["id"] for i in range(3)]
        deadline = time.monotonic() + 20
        statuses: list[str] = []
        while time.monotonic() < deadline:
            statuses = [
                client.get(f"/api/v1/versions/{v}/status", headers=auth(app, "ed")).json()["scan_status"]
                for v in ids
            ]
            if "pending" not in statuses:
                break
            time.sleep(0.1)
        assert statuses == ["ok", "ok", "ok"]
        assert app.state.pool.processed == 3
    app.state.service.close()


def _running_job(svc, locked_by: str) -> int:
    svc.create_draft("ed", "gov", "x", data=CLEAN.encode(), filename="a.txt", scan=False)
    job = svc.claim_job(locked_by)
    return job["id"]


def test_jobs_of_a_dead_process_are_requeued(app):
    svc = app.state.service
    dead = _running_job(svc, f"{HOST}:999999:scan-worker-1")  # no such pid
    mine = _running_job(svc, f"{HOST}:{os.getpid()}:scan-worker-1")  # a former life of this pid
    elsewhere = _running_job(svc, "other-host:1:scan-worker-1")
    alive = _running_job(svc, f"{HOST}:1:scan-worker-1")  # pid 1 exists
    assert requeue_orphans(svc) == 2
    with svc.db.read() as s:
        status = {j.id: j.status for j in s.execute(select(Job)).scalars()}
    assert status[dead] == status[mine] == "queued"
    assert status[elsewhere] == status[alive] == "running"
    assert svc.run_pending_jobs("w") == 2


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    register(app)
    return app


def test_cli_user_create_worker_once_and_demo_seed(tmp_path):
    runner = CliRunner()
    cli = _cli()
    data = str(tmp_path / "data")
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "clean_notice.pdf").write_bytes(seal_and_id_pdf(with_problems=False))
    r = runner.invoke(cli, ["demo-seed", "--data", data, "--samples", str(samples)])
    assert r.exit_code == 0, r.output
    assert "新建用户 16 个，新建稿件 1 件" in r.output  # 11 + 5 register users (issue 16)
    again = runner.invoke(cli, ["demo-seed", "--data", data, "--samples", str(samples)])
    assert "新建用户 0 个，新建稿件 0 件" in again.output
    r = runner.invoke(
        cli, ["user", "create", "zhang", "--role", "demo:editor", "--password", "long-enough", "--data", data]
    )
    assert r.exit_code == 0 and "demo:editor" in r.output, r.output
    dup = runner.invoke(cli, ["user", "create", "zhang", "--password", "long-enough", "--data", data])
    assert dup.exit_code == 1 and "已存在" in dup.output
    bad = runner.invoke(
        cli, ["user", "create", "li", "--role", "editor", "--password", "long-enough", "--data", data]
    )
    assert bad.exit_code == 2
    from pubguard.review import ReviewService, ReviewSettings

    svc = ReviewService(ReviewSettings(data_dir=tmp_path / "data"))
    try:
        seeded = svc.list_drafts("reviewer1", queue=True)  # 一校 done by proof1: 初审's turn
        assert [d["active_step"]["key"] for d in seeded] == ["review1"]
        svc.create_draft("zhang", "demo", "待检查", data=CLEAN.encode(), filename="a.txt", scan=False)
    finally:
        svc.close()
    r = runner.invoke(cli, ["worker", "--once", "--data", data])
    assert r.exit_code == 0 and "已处理 1 个检查任务" in r.output, r.output
