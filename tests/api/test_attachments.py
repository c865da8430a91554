"""附件 and the site's 栏目 list (issue 18 item 13): attachments are stored with the current
version, scanned, listed on the draft page, downloadable, removable, and their 阻断/高 findings
close the release gate; the upload form offers the site's 栏目 and the service refuses others."""

from __future__ import annotations

import re

from api.conftest import CLEAN, SITE, WITH_ID, approve_all, auth, run_jobs, submitted_draft, upload
from api.test_ui import ui_login


def _draft(app, client):  # type: ignore[no-untyped-def]
    d = upload(client, auth(app, "ed"), CLEAN)["draft"]["id"]
    run_jobs(app)
    return d


def test_attachment_api_scan_list_download_remove(app, client):
    d = _draft(app, client)
    h = auth(app, "ed")
    svc = app.state.service
    before = svc.get_draft("ed", d)["gate"]["reasons"]
    r = client.post(
        f"/api/v1/drafts/{d}/attachments", files={"file": ("名单.txt", WITH_ID.encode())}, headers=h
    )
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["filename"] == "名单.txt" and a["scan_status"] == "ok" and a["blocking"] == 1
    assert a["version_id"] == svc.get_draft("ed", d)["current_version_id"]
    assert all("11**" in f["evidence"] or not f["evidence"].isdigit() for f in a["findings"])  # masked
    after = svc.get_draft("ed", d)["gate"]["reasons"]
    assert (
        any("附件「名单.txt」有 1 个阻断或高风险问题" in x for x in after) and len(after) == len(before) + 1
    )
    listed = client.get(f"/api/v1/drafts/{d}/attachments", headers=h).json()
    assert [x["id"] for x in listed] == [a["id"]]
    file = client.get(f"/api/v1/attachments/{a['id']}/file", headers=h)
    assert file.status_code == 200 and file.content == WITH_ID.encode()
    assert "filename*=UTF-8''" in file.headers["content-disposition"]
    # another site's user sees nothing; a proofreader cannot add or remove
    assert client.get(f"/api/v1/attachments/{a['id']}/file", headers=auth(app, "stranger")).status_code in (
        403,
        404,
    )
    assert client.delete(f"/api/v1/attachments/{a['id']}", headers=auth(app, "p1")).status_code == 403
    r = client.post(
        f"/api/v1/drafts/{d}/attachments", files={"file": ("x.txt", CLEAN.encode())}, headers=auth(app, "p1")
    )
    assert r.status_code == 403
    assert client.delete(f"/api/v1/attachments/{a['id']}", headers=h).status_code == 204
    assert svc.get_draft("ed", d)["gate"]["reasons"] == before
    actions = [e["action"] for e in svc.audit_log(None, draft_id=d)]
    assert "attachment.add" in actions and "attachment.remove" in actions


def test_attachment_on_the_draft_page(app, client):
    d = _draft(app, client)
    csrf = ui_login(client)
    page = client.get(f"/drafts/{d}").text
    assert 'id="attachments"' in page and "没有附件" in page and f'action="/drafts/{d}/attachments"' in page
    r = client.post(
        f"/drafts/{d}/attachments", data={"csrf_token": csrf}, files={"file": ("附件1.txt", WITH_ID.encode())}
    )
    assert r.status_code == 200
    page = r.text
    assert "附件1.txt" in page and "第1版" in page and "身份证" in page
    aid = re.search(r'data-attachment="(\d+)"', page).group(1)
    assert f'href="/api/v1/attachments/{aid}/file"' in page
    assert (
        client.post(f"/drafts/{d}/attachments", files={"file": ("y.txt", b"x")}).status_code == 403
    )  # no CSRF
    r = client.post(f"/drafts/{d}/attachments/{aid}/remove", data={"csrf_token": csrf})
    assert "data-attachment=" not in r.text and "没有附件" in r.text


def test_attachment_needs_a_current_version(app, client):
    svc = app.state.service
    d = svc.create_draft("ed", SITE, "无正文稿件")["id"]
    r = client.post(
        f"/api/v1/drafts/{d}/attachments", files={"file": ("a.txt", CLEAN.encode())}, headers=auth(app, "ed")
    )
    assert r.status_code == 409 and "请先上传稿件正文" in r.json()["message"]


def test_site_columns_offered_and_enforced(app, client):
    svc = app.state.service
    ui_login(client)
    assert '<input name="column"' in client.get("/upload").text  # no list: free text
    svc.set_site_columns(SITE, ["通知公告", "政策文件", " 通知公告 "])
    assert svc.list_sites()[0]["columns"] == ["通知公告", "政策文件"]
    page = client.get("/upload").text
    assert re.search(
        r'<select name="column" required[^>]*><option value="通知公告">通知公告</option><option value="政策文件">',
        page,
    )
    h = auth(app, "ed")
    r = client.post("/api/v1/drafts", data={"site": SITE, "title": "甲", "column": "乱写的栏目"},
                    files={"file": ("n.txt", CLEAN.encode())}, headers=h)  # fmt: skip
    assert r.status_code == 422 and "不在站点的栏目列表中" in r.json()["message"]
    r = client.post("/api/v1/drafts", data={"site": SITE, "title": "甲", "column": "政策文件"},
                    files={"file": ("n.txt", CLEAN.encode())}, headers=h)  # fmt: skip
    assert r.status_code == 202
    assert client.get("/api/v1/sites", headers=h).json()[0]["columns"] == ["通知公告", "政策文件"]
    # no 栏目 given at all (library and API callers that do not file by column): allowed, stored empty
    r = client.post(
        "/api/v1/drafts",
        data={"site": SITE, "title": "乙"},
        files={"file": ("m.txt", CLEAN.encode())},
        headers=h,
    )
    assert r.status_code == 202, r.text
    svc.set_site_columns(SITE, [])
    assert svc.list_sites()[0]["columns"] == []


def test_release_record_on_the_draft_page_lists_the_published_attachments(app, client):
    svc = app.state.service
    d = submitted_draft(app, client)["id"]
    svc.add_attachment("ed", d, "申请表.txt", CLEAN.encode())
    approve_all(app, client, d)
    with svc.db.write() as s:
        from pubguard.review.models import Site

        s.get_one(Site, SITE).publish = {"type": "folder", "base_url": "https://www.example.gov.cn/xxgk/"}
    svc.release("pub", d)
    ui_login(client)
    page = client.get(f"/drafts/{d}").text
    link = f'href="https://www.example.gov.cn/xxgk/{d}/%E7%94%B3%E8%AF%B7%E8%A1%A8.txt"'
    assert 'class="plain release-attachments"' in page and link in page
    assert f"https://www.example.gov.cn/xxgk/{d}/申请表.txt</a>" in page  # readable text
