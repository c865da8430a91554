"""Clean copies and annotated drafts over HTTP and in the draft page: the clean copy is a new
version (202, scanned by the job queue), its report is saved and shown to reviewers, the gate
refuses a clean copy that still has a blocker, the annotated DOCX carries one comment per
finding, and only editors of the site may make a clean copy."""

from __future__ import annotations

import io
import json

import docx
from fastapi.testclient import TestClient
from review.cleandocs import ID_NUMBER, red_header_docx, telegram_pdf

from api.conftest import auth, run_jobs, upload
from api.test_ui import ui_login


def _scanned(app, client: TestClient, data: bytes, filename: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    body = upload(client, auth(app, "ed"), data=data, filename=filename, title="临时救助资金通知")
    assert run_jobs(app) == 1
    return body["draft"]["id"], body["version"]["id"]


def _clean_url(did: int, vid: int) -> str:
    return f"/api/v1/drafts/{did}/versions/{vid}/clean"


def test_clean_copy_is_a_new_version_with_its_report(app, client):
    did, v1 = _scanned(app, client, red_header_docx(), "通知.docx")
    ed = auth(app, "ed")
    before = client.get(f"/api/v1/drafts/{did}", headers=ed).json()
    assert {"red_header", "official_seal", "id_card"} <= {f["rule"] for f in before["findings"]}
    assert "clean" in before["actions"]

    options = {"mask_preset": "id6-4", "drop_columns": False, "revisions": "accept"}
    r = client.post(_clean_url(did, v1), json=options, headers=ed)
    assert r.status_code == 202, r.text
    body = r.json()
    v2 = body["version"]
    assert v2["number"] == 2 and v2["clean_of_version_id"] == v1 and v2["scan_status"] == "pending"
    assert body["job"]["status"] == "queued" and body["job"]["version_id"] == v2["id"]
    assert body["clean"]["releasable"] is True and body["clean"]["options"]["mask_preset"] == "id6-4"
    assert run_jobs(app) == 1

    d = client.get(f"/api/v1/drafts/{did}", headers=ed).json()
    assert d["current_version_id"] == v2["id"] and d["scan_status"] == "ok"
    current = [f for f in d["findings"] if f["version_id"] == v2["id"]]
    assert not [f for f in current if f["severity"] == "blocker" or f["category"] == "personal_data"]
    assert d["versions"][-1]["clean"]["rescan"]["remaining_blockers"] == 0

    r = client.get(f"{_clean_url(did, v2['id'])}-report", headers=auth(app, "r1"))
    assert r.status_code == 200
    report = r.json()
    assert report["report"]["schema"] == "pubguard.clean/1" and report["source_version_id"] == v1
    rules = {(a["category"], a["rule"]) for a in report["review"]["removed"]}
    assert {("red_header", "red_header"), ("seal", "official_seal"), ("personal_data", "id_card")} <= rules
    leaked = ID_NUMBER in r.text or ID_NUMBER in json.dumps(d, ensure_ascii=False)
    assert not leaked, "the raw ID number must never be served with the clean copy"
    assert client.get(f"{_clean_url(did, v1)}-report", headers=ed).status_code == 404

    audit = client.get(f"/api/v1/drafts/{did}/audit", headers=ed).json()
    entry = next(e for e in audit if e["action"] == "version.clean")
    assert entry["version_id"] == v2["id"] and entry["actor"] == "ed"

    r = client.post(_clean_url(did, v1), json={}, headers=ed)  # version 1 is stale now
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = client.post(_clean_url(did, v2["id"]), json={"revisions": "keep"}, headers=ed)
    assert r.status_code == 422


def test_only_editors_of_the_site_may_clean(app, client):
    did, v1 = _scanned(app, client, red_header_docx(), "通知.docx")
    for user in ("r1", "p1", "pub", "stranger"):
        r = client.post(_clean_url(did, v1), json={}, headers=auth(app, user))
        assert r.status_code == 403, user
        assert r.json()["code"] == "forbidden" and r.json()["message"]
    assert client.post(_clean_url(did, v1), json={}).status_code == 401
    assert client.post(_clean_url(did, 999_999), json={}, headers=auth(app, "ed")).status_code in (404, 409)
    versions = client.get(f"/api/v1/drafts/{did}/versions", headers=auth(app, "ed")).json()
    assert len(versions) == 1  # nothing was added by the refused requests


def test_gate_refuses_a_clean_copy_that_still_has_a_blocker(app, client):
    did, v1 = _scanned(app, client, telegram_pdf(), "明电.pdf")
    r = client.post(_clean_url(did, v1), headers=auth(app, "ed"))  # no body: default options
    assert r.status_code == 202, r.text
    clean = r.json()["clean"]
    assert clean["releasable"] is False and clean["rescan"]["remaining_blockers"] == 1
    run_jobs(app)
    gate = client.get(f"/api/v1/drafts/{did}/gate", headers=auth(app, "pub")).json()
    assert gate["ok"] is False
    assert any("清理稿" in r and "阻断级问题" in r and "不得发布" in r for r in gate["reasons"])


def test_annotated_download_has_one_comment_per_finding(app, client):
    did, v1 = _scanned(app, client, red_header_docx(), "通知.docx")
    r1 = auth(app, "r1")
    findings = client.get(f"/api/v1/drafts/{did}/findings", headers=r1).json()
    r = client.get(f"/api/v1/drafts/{did}/versions/{v1}/annotated", headers=r1)
    assert r.status_code == 200
    assert r.headers["content-type"].endswith("wordprocessingml.document")
    assert "attachment" in r.headers["content-disposition"] and "docx" in r.headers["content-disposition"]
    comments = [c for c in docx.Document(io.BytesIO(r.content)).comments if c.author == "PubGuard"]
    assert len(comments) == len([f for f in findings if f["version_id"] == v1]) >= 3
    assert (
        client.get(f"/api/v1/drafts/{did}/versions/{v1}/annotated", headers=auth(app, "stranger")).status_code
        == 404  # like a missing draft
    )

    body = upload(client, auth(app, "ed"), "关于开展春季植树活动的通知\n")
    txt = f"/api/v1/drafts/{body['draft']['id']}/versions/{body['version']['id']}/annotated"
    assert client.get(txt, headers=r1).status_code == 422
    assert (
        client.get(f"/api/v1/drafts/{did}/versions/{body['version']['id']}/annotated", headers=r1).status_code
        == 404
    )


def test_draft_page_offers_the_clean_copy_and_shows_its_report(app, client):
    did, v1 = _scanned(app, client, red_header_docx(), "通知.docx")
    csrf = ui_login(client, "ed")
    html = client.get(f"/drafts/{did}").text
    for text in ("生成清理稿", "脱敏方式", "删除身份证号列", "修订处理", "下载批注版"):
        assert text in html, text
    assert f"/api/v1/drafts/{did}/versions/{v1}/annotated" in html
    r = client.post(
        f"/drafts/{did}/clean",
        data={"version_id": str(v1), "mask_preset": "last4", "drop_columns": "1", "revisions": "reject"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 200, r.text
    flash = json.loads(r.headers["hx-trigger"])["pg-flash"]
    assert "已生成清理稿（第2版）" in flash
    assert "第2版是第1版的清理稿" in r.text and "已删除 / 脱敏" in r.text and "复查" in r.text
    run_jobs(app)

    reviewer = TestClient(app)
    ui_login(reviewer, "p1")
    page = reviewer.get(f"/drafts/{did}").text
    assert "第2版是第1版的清理稿" in page and "可提交发布审核" in page
    assert "红头版头" in page and "删除身份证号等号码列：是" in page  # rules and options shown
    assert 'id="btn-clean"' not in page  # reviewers see the report, not the button
    leaked = ID_NUMBER in page or ID_NUMBER in r.text
    assert not leaked
    r = client.post(
        f"/drafts/{did}/clean",
        data={"version_id": str(v1)},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 409 and 'class="alert alert-error"' in r.text
