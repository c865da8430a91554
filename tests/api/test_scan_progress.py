"""Scan progress of a long PDF seen from outside while it runs: the draft scan job of a worker
thread (its row, `GET /api/v1/versions/{id}/status`, `GET /api/v1/jobs/{id}` and the draft page's
status fragment) and a queued check job (`GET /api/v1/check/jobs/{id}`). Scans go through the
crash-isolation child (no stand-in scanner); pages are slowed by the test-only delay hook so the
polls see intermediate pages deterministically: the scan waits after each page until the test
has seen it (the page gate), so a loaded machine cannot make the polls miss every page."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_progress import long_pdf

from api.conftest import auth, make_app, upload
from api.test_ui import ui_login
from pubguard.api import checks
from pubguard.progress import PAGE_GATE_ENV
from pubguard.review import base

PAGES = 5


@pytest.fixture
def slow_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The gate folder: the scan holds after page N until the test creates gate/N."""
    gate = tmp_path / "gate"
    gate.mkdir()
    monkeypatch.setenv(PAGE_GATE_ENV, str(gate))  # inherited by the isolated child
    monkeypatch.setattr(base, "JOB_PROGRESS_SECONDS", 0.0)  # store every page
    monkeypatch.setattr(checks, "PROGRESS_SECONDS", 0.0)
    return gate


def _let_go(gate: Path, done: int | None) -> None:
    """The test has seen page `done`: the scan may read the next one."""
    if done and 0 < done < PAGES:
        (gate / str(done)).touch()


def _pages(job: dict | None) -> tuple[int | None, int | None]:
    return (job or {}).get("pages_done"), (job or {}).get("pages_total")


@pytest.mark.slow  # a real isolated child and a slowed 5-page scan: ~5-8 s
def test_worker_scan_job_shows_pages_while_running(db_url: str, tmp_path: Path, slow_pages: Path) -> None:
    app = make_app(tmp_path / "data", db_url, scanner=None, worker_threads=1, worker_poll_seconds=0.1)
    with TestClient(app) as client:
        ed = auth(app, "ed")
        body = upload(client, ed, filename="长文件.pdf", data=long_pdf(PAGES))
        vid, did = body["version"]["id"], body["draft"]["id"]
        ui_login(client)
        seen: list[tuple[int | None, int | None]] = []
        fragments: list[str] = []
        deadline = time.monotonic() + 60
        status = "pending"
        while status == "pending" and time.monotonic() < deadline:
            s = client.get(f"/api/v1/versions/{vid}/status", headers=ed).json()
            status = s["scan_status"]
            if status == "pending" and s["job"] and s["job"]["status"] == "running":
                seen.append(_pages(s["job"]))
                if s["job"]["pages_total"]:
                    assert s["job"]["pages_stage"] == "read" and s["job"]["pages_stage_label"] == "读取内容"
                if 0 < (s["job"]["pages_done"] or 0) < PAGES and len(fragments) < 1:
                    fragments.append(client.get(f"/drafts/{did}/scan-status").text)
                _let_go(slow_pages, s["job"]["pages_done"])
            time.sleep(0.05)
        assert status == "ok"
        done = [d for d, t in seen if t == PAGES]
        assert set(range(1, PAGES)) <= set(done), seen  # every page the scan waited on was visible
        assert done == sorted(done)  # never backwards
        assert {t for _, t in seen} <= {None, PAGES}
        # The job keeps the total after the scan, and the API job answer carries it.
        job = client.get(f"/api/v1/versions/{vid}/status", headers=ed).json()["job"]
        assert job["status"] == "done" and _pages(job) == (PAGES, PAGES) and job["pages_stage"] is None
        assert _pages(client.get(f"/api/v1/jobs/{job['id']}", headers=ed).json()) == (PAGES, PAGES)
        # The draft page's status fragment while running: 「正在检查：第 N / M 页」 and a bar.
        assert fragments, seen
        m = re.search(r"正在检查：第 (\d+) / (\d+) 页（读取内容）", fragments[0])
        assert m and 0 < int(m.group(1)) < PAGES and int(m.group(2)) == PAGES
        # one bar over reading and analysing: 0..M while reading
        assert f'<progress class="scan-progress" max="{2 * PAGES}" value="{m.group(1)}"' in fragments[0]
        assert 'hx-trigger="load delay:1s"' in fragments[0]  # still polling
        final = client.get(f"/drafts/{did}/scan-status")
        assert "已检查" in final.text and "scan-progress" not in final.text
    app.state.service.close()


@pytest.mark.slow
def test_queued_check_job_shows_pages_while_running(db_url: str, tmp_path: Path, slow_pages: Path) -> None:
    app = make_app(tmp_path / "data", db_url, scanner=None)
    try:
        assert app.state.check_jobs.isolate  # the real service scans check jobs in the child
        client = TestClient(app)
        h = auth(app, "ed")
        r = client.post(
            "/api/v1/check?wait=false", files={"file": ("长文件.pdf", long_pdf(PAGES))}, headers=h
        )
        assert r.status_code == 202, r.text
        url = r.json()["status_url"]
        seen: list[tuple[int | None, int | None]] = []
        state: dict = {"status": "queued"}
        deadline = time.monotonic() + 60
        while state["status"] in ("queued", "running") and time.monotonic() < deadline:
            state = client.get(url, headers=h).json()
            if state["status"] == "running":
                seen.append(_pages(state))
                assert state.get("pages_stage") in (None, "read")
                _let_go(slow_pages, state.get("pages_done"))
            time.sleep(0.05)
        assert state["status"] == "done", state
        assert _pages(state) == (PAGES, PAGES) and state["result"]["allowed"] is True
        done = [d for d, t in seen if t == PAGES]
        assert set(range(1, PAGES)) <= set(done), seen
        assert done == sorted(done)
    finally:
        app.state.check_jobs.shutdown()
        app.state.service.close()


def test_status_fragment_in_the_analysis_stage_and_stale_writers(app, client) -> None:  # type: ignore[no-untyped-def]
    """The row written as a worker writes it: the fragment shows the stage and one bar over both
    stages; a worker whose job was taken over meanwhile writes nothing."""
    svc = app.state.service
    body = upload(client, auth(app, "ed"), filename="长文件.pdf", data=long_pdf(2))
    did = body["draft"]["id"]
    job = svc.claim_job("w1")
    svc._job_pages(job["id"], "w1", 3, 5, "analyse")
    svc._job_pages(job["id"], "w0", 1, 5, "read")  # a former owner of the job: ignored
    assert _pages(svc.get_job(job["id"])) == (3, 5) and svc.get_job(job["id"])["pages_stage"] == "analyse"
    ui_login(client)
    text = client.get(f"/drafts/{did}/scan-status").text
    assert "正在检查：第 3 / 5 页（分析图像）" in text
    assert '<progress class="scan-progress" max="10" value="8"' in text
    # A retry starts from nothing: the fragment falls back to the plain line.
    with svc.db.write() as s:
        from pubguard.review.models import Job

        s.get(Job, job["id"]).status = "queued"
    assert svc.claim_job("w2")["pages_total"] is None
    text = client.get(f"/drafts/{did}/scan-status").text
    assert "scan-progress" not in text and "正在检查（" in text
