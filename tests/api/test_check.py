"""POST /api/v1/check: "may this go online?" without a draft, with check-only tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import make_id_number
from fastapi.testclient import TestClient

from api.conftest import SITE, make_app
from pubguard.scan import scan_bytes

ROOT = Path(__file__).resolve().parents[2]
CLEAN_PAGE = (
    "<html><body><h1>关于做好冬季供暖工作的通知</h1><p>各单位要按时供暖，确保群众温暖过冬。</p></body></html>"
)


@pytest.fixture
def capp(db_url: str, tmp_path: Path) -> Iterator[object]:
    """The service with the real scanner (the shared fixture fakes text scans)."""
    application = make_app(tmp_path / "data", db_url, scanner=scan_bytes)
    try:
        yield application
    finally:
        application.state.check_jobs.shutdown()
        application.state.service.close()


def bearer(app, user: str, kind: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {app.state.service.issue_token(user, kind=kind)}"}


def test_cms_webhook_json_is_answered_in_the_request(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    h = bearer(capp, "ed", "check")
    idn = make_id_number()
    body = {
        "content": f"<p>联系人：王建国，身份证号：{idn}。</p>",
        "content_type": "text/html",
        "title": "低保名单公示",
    }
    r = client.post("/api/v1/check", json=body, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["allowed"] is False and out["blocking"] >= 1 and out["max_severity"] == "high"
    rules = {f["rule"] for f in out["report"]["files"][0]["findings"]}
    assert "id_card" in rules
    assert idn not in r.text  # evidence masked in the answer
    ok = client.post("/api/v1/check", json={"content": CLEAN_PAGE}, headers=h)
    assert ok.status_code == 200 and ok.json()["allowed"] is True, ok.text
    # no draft was created by either check
    assert capp.state.service.list_drafts("ed") == []


def test_raw_body_and_multipart_file_and_fail_on(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    h = bearer(capp, "ed", "api")
    r = client.post("/api/v1/check", content=CLEAN_PAGE.encode(), headers={**h, "Content-Type": "text/html"})
    assert r.status_code == 200 and r.json()["report"]["files"][0]["format"] == "html", r.text
    pdf = (ROOT / "samples" / "red_header_seal.pdf").read_bytes()
    r = client.post("/api/v1/check?wait=true", files={"file": ("通知.pdf", pdf)}, headers=h)
    assert r.status_code == 200, r.text
    cats = {f["category"] for f in r.json()["report"]["files"][0]["findings"]}
    assert {"red_header", "seal"} <= cats and r.json()["allowed"] is False
    lenient = client.post(
        "/api/v1/check?fail_on=blocker",
        content=b"text with nothing",
        headers={**h, "Content-Type": "text/plain"},
    )
    assert lenient.status_code == 200 and lenient.json()["fail_on"] == "blocker"


def test_large_input_becomes_a_job_with_progress(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    h = bearer(capp, "ed", "check")
    pdf = (ROOT / "samples" / "red_header_seal.pdf").read_bytes()
    r = client.post("/api/v1/check?wait=false", files={"file": ("通知.pdf", pdf)}, headers=h)
    assert r.status_code == 202, r.text
    url = r.json()["status_url"]
    assert r.headers["location"] == url
    deadline = time.monotonic() + 60
    state = client.get(url, headers=h).json()
    while state["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        state = client.get(url, headers=h).json()
    assert state["status"] == "done", state
    assert state["pages_done"] == state["pages_total"] == 1
    assert state["result"]["allowed"] is False
    # another user cannot read it, and an unknown id answers the same
    other = bearer(capp, "ed2", "api")
    assert client.get(url, headers=other).status_code == 404
    assert client.get("/api/v1/check/jobs/nope", headers=h).status_code == 404
    # the job file holds the masked report, not the document
    files = list((Path(capp.state.settings.data_dir) / "check-jobs").glob("*.json"))
    assert files and all(b"%PDF" not in f.read_bytes() for f in files)


def test_check_token_opens_nothing_else(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    h = bearer(capp, "ed", "check")
    assert client.get("/api/v1/drafts", headers=h).status_code == 401
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
    assert client.get("/api/v1/drafts", headers=bearer(capp, "ed", "api")).status_code == 200
    assert client.post("/api/v1/check", json={"content": CLEAN_PAGE}).status_code == 401
    assert SITE  # the check needs no site role


def test_bad_inputs_are_clear_errors(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    h = bearer(capp, "ed", "check")
    r = client.post("/api/v1/check", content=b"", headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 422 and r.json()["code"] == "empty"
    r = client.post("/api/v1/check", json={"content": "a\x00b"}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/v1/check", json={"content_type": "text/html"}, headers=h)
    assert r.status_code == 422 and "JSON" in r.json()["message"]
    big = b"<p>" + "很长的内容。".encode() * 100_000
    r = client.post("/api/v1/check", content=big, headers={**h, "Content-Type": "text/html"})
    assert r.status_code == 413 and "上限" in r.json()["message"]


def test_token_scope_through_the_login_endpoint(capp) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(capp)
    r = client.post(
        "/api/v1/auth/token", json={"username": "ed", "password": "password-123", "scope": "check"}
    )
    assert r.status_code == 200, r.text
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.post("/api/v1/check", json={"content": CLEAN_PAGE}, headers=h).status_code == 200
    assert client.get("/api/v1/drafts", headers=h).status_code == 401
