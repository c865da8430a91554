"""The web UI: pages render for logged-in users, findings are boxed on the page image (PDF) or
highlighted in the text (DOCX), one-click decisions and workflow forms call the library, errors
come back as fragments, scan status polls, static assets and security headers."""

from __future__ import annotations

import io
import math
import re

import docx
import pymupdf
from factories import make_id_number
from fastapi.testclient import TestClient

from api.conftest import PASSWORD, SITE, auth, run_jobs, upload

RED = (0.82, 0.08, 0.1)


def seal_and_id_pdf(with_problems: bool = True) -> bytes:
    """A notice with a red round seal (vector) and a line with an ID number."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((120, 130), "关于发放2024年春季农业补贴的通知", fontname="china-s", fontsize=17)
    lines = ["各乡镇人民政府：", "现将春季农业补贴发放有关事项通知如下。", "请各单位认真组织实施。"]
    if with_problems:
        lines.append("联系人：张伟，身份证号：" + make_id_number())
    for i, line in enumerate(lines):
        page.insert_text((80, 180 + 24 * i), line, fontname="china-s", fontsize=12.5)
    page.insert_text((360, 620), "南宁市农业农村局", fontname="china-s", fontsize=14)
    page.insert_text((372, 644), "2024年4月2日", fontname="china-s", fontsize=14)
    if with_problems:
        cx, cy, r = 420, 620, 60
        page.draw_circle((cx, cy), r, color=RED, width=3)
        pts = []
        for k in range(10):
            rad, a = (r * 0.3 if k % 2 == 0 else r * 0.12), -math.pi / 2 + k * math.pi / 5
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
        page.draw_polyline([*pts, pts[0]], color=RED, fill=RED, width=0.5, closePath=True)
        for i, ch in enumerate("南宁市农业农村局"):
            a = math.radians(-140 + i * 40) - math.pi / 2
            px, py = cx + r * 0.72 * math.cos(a), cy + r * 0.72 * math.sin(a)
            page.insert_text(
                (px - 5, py + 5), ch, fontname="china-s", fontsize=11, color=RED,
                morph=(pymupdf.Point(px, py), pymupdf.Matrix(math.degrees(a) + 90)),
            )  # fmt: skip
    return doc.tobytes()


def ui_login(client: TestClient, user: str = "ed") -> str:
    client.get("/login")
    token = client.cookies.get("pubguard_login_csrf")
    r = client.post(
        "/login", data={"username": user, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    page = client.get("/queue")
    return re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text).group(1)


def test_pages_render_for_a_logged_in_editor(app, client):
    ui_login(client)
    for path, text in (("/queue", "我的待办"), ("/drafts", "全部稿件"), ("/upload", "把文件拖到这里")):
        r = client.get(path)
        assert r.status_code == 200 and text in r.text, path
        assert "htmx.min.js" in r.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/queue"


def test_pdf_findings_are_boxed_on_the_page(app, client):
    body = upload(client, auth(app, "ed"), data=seal_and_id_pdf(), filename="notice.pdf", title="补贴通知")
    run_jobs(app)
    ui_login(client)
    html = client.get(f"/drafts/{body['draft']['id']}").text
    boxes = re.findall(r'<a class="box sev-(\w+)[^"]*"[^>]*data-category="(\w+)"[^>]*style="([^"]+)"', html)
    cats = {c for _, c, _ in boxes}
    assert {"seal", "personal_data"} <= cats
    for sev, cat, style in boxes:
        left = float(re.search(r"left:([\d.]+)%", style).group(1))
        assert 0 <= left <= 100
        if cat == "seal":
            assert sev == "blocker" and 55 < left < 65  # the seal sits at x≈360 of 595 pt
    assert "11************" in html or "**" in html  # masked evidence only
    assert make_id_number() not in html.replace("<", " ")  # the page image shows it, the HTML does not
    assert re.search(r'<img src="/api/v1/versions/\d+/pages/1.png"', html)


def test_docx_gets_the_text_view_with_highlights(app, client):
    d = docx.Document()
    d.add_paragraph("关于做好春季农业生产工作的通知")
    d.add_paragraph("联系人身份证号：" + make_id_number())
    buf = io.BytesIO()
    d.save(buf)
    body = upload(client, auth(app, "ed"), data=buf.getvalue(), filename="n.docx", title="DOCX 稿件")
    run_jobs(app)
    ui_login(client)
    html = client.get(f"/drafts/{body['draft']['id']}").text
    assert 'class="text-view"' in html and 'data-category="personal_data"' in html
    assert re.search(r'<mark class="hl sev-high"', html)
    assert 'class="box ' not in html


def test_one_click_decision_and_review_forms(app, client):
    ed = auth(app, "ed")
    body = upload(client, ed, "!high personal_data id_card 11**1234\n关于通知\n")
    run_jobs(app)
    did, vid = body["draft"]["id"], body["version"]["id"]
    client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=ed)
    client.post(f"/api/v1/drafts/{did}/submit", json={}, headers=ed)
    csrf = ui_login(client, "p1")
    hx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    fid = client.get(f"/api/v1/drafts/{did}/findings", headers=ed).json()[0]["id"]
    r = client.post(f"/drafts/{did}/findings/{fid}/decide", data={"decision": "confirmed"}, headers=hx)
    assert r.status_code == 200 and "确认须修改" in r.text and "pg-flash" in r.headers["hx-trigger"]
    r = client.post(f"/drafts/{did}/findings/{fid}/decide", data={"decision": "false_positive"}, headers=hx)
    assert r.status_code == 422 and 'class="alert alert-error"' in r.text and "理由" in r.text
    assert (
        client.post(
            f"/drafts/{did}/do/approve", data={"version_id": str(vid)}, headers={"HX-Request": "true"}
        ).status_code
        == 403
    )
    page = client.get(f"/drafts/{did}").text  # issue 18.4: confirmed counts as 待处理, holds the step
    assert "1 个待处理（含 1 个确认须修改）" in page and 'id="approval-hold"' in page
    assert 'id="btn-approve"' not in page and 'id="btn-reject"' in page
    r = client.post(f"/drafts/{did}/do/approve", data={"version_id": str(vid), "comment": "已校"}, headers=hx)
    assert r.status_code == 409 and "已确认须修改" in r.text
    client.post(f"/drafts/{did}/findings/{fid}/decide", data={"decision": "open"}, headers=hx)
    r = client.post(f"/drafts/{did}/do/approve", data={"version_id": str(vid), "comment": "已校"}, headers=hx)
    assert r.status_code == 200 and "已审核通过" in r.headers["hx-trigger"].encode().decode("unicode_escape")
    r = client.post(f"/drafts/{did}/do/approve", data={"version_id": str(vid)}, headers=hx)
    assert r.status_code == 403 and "初审" in r.text  # the next step is not a proofreader's
    r = client.post(f"/drafts/{did}/do/reject", data={"version_id": "abc", "comment": "x"}, headers=hx)
    assert r.status_code == 422


def test_stale_version_in_the_ui_shows_a_conflict_message(app, client):
    ed = auth(app, "ed")
    body = upload(client, ed, "关于通知\n")
    run_jobs(app)
    did, v1 = body["draft"]["id"], body["version"]["id"]
    client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=ed)
    client.post(f"/api/v1/drafts/{did}/submit", json={}, headers=ed)
    client.post(
        f"/api/v1/drafts/{did}/versions",
        files={"file": ("v2.txt", "关于通知（修改）\n".encode())},
        headers=ed,
    )
    run_jobs(app)
    csrf = ui_login(client, "p1")
    r = client.post(
        f"/drafts/{did}/do/approve",
        data={"version_id": str(v1)},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 409 and 'data-code="stale_version"' in r.text and "新版本" in r.text


def test_scan_status_fragment_polls_until_done(app, client):
    body = upload(client, auth(app, "ed"), "关于通知\n")
    ui_login(client)
    did = body["draft"]["id"]
    page = client.get(f"/drafts/{did}").text
    assert 'hx-trigger="scan-done from:body"' in page and 'id="scan-status"' in page
    pending = client.get(f"/drafts/{did}/scan-status")
    assert 'hx-trigger="load delay:1s"' in pending.text and "hx-trigger" not in pending.headers
    run_jobs(app)
    done = client.get(f"/drafts/{did}/scan-status")
    assert done.headers["hx-trigger"] == "scan-done" and "已检查" in done.text
    assert "pages/1.png" not in client.get(f"/drafts/{did}/body").text  # text file: no page image


def test_diff_audit_and_error_pages(app, client):
    ed = auth(app, "ed")
    body = upload(client, ed, "第一行\n第二行\n")
    did = body["draft"]["id"]
    client.post(
        f"/api/v1/drafts/{did}/versions",
        files={"file": ("v2.txt", "第一行\n第二行（改）\n".encode())},
        headers=ed,
    )
    run_jobs(app)
    ui_login(client)
    diff = client.get(f"/drafts/{did}/diff").text
    assert "新增 1 行" in diff and "删除 1 行" in diff and "第二行（改）" in diff
    missing = client.get("/drafts/99999")
    assert missing.status_code == 404 and "稿件不存在" in missing.text and "<html" in missing.text
    assert client.get("/audit").status_code == 403
    root = TestClient(app)
    app.state.service.set_password("root", PASSWORD)
    ui_login(root, "root")
    audit = root.get("/audit")
    assert audit.status_code == 200 and "哈希链校验：完整" in audit.text


def test_cross_site_and_csrf_in_the_ui(app, client):
    body = upload(client, auth(app, "ed"), "关于通知\n")
    run_jobs(app)
    app.state.service.set_password("stranger", PASSWORD)
    csrf = ui_login(client, "stranger")
    assert client.get(f"/drafts/{body['draft']['id']}").status_code == 404  # like a missing draft
    other = TestClient(app)
    csrf = ui_login(other, "ed")
    r = other.post(
        f"/drafts/{body['draft']['id']}/do/comment", data={"body": "x"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 403 and 'data-code="csrf"' in r.text
    ok = other.post(f"/drafts/{body['draft']['id']}/do/comment", data={"body": "请核对", "csrf_token": csrf})
    assert ok.status_code == 200 and "请核对" in ok.text  # plain form post: redirected back to the page


def test_static_assets_font_and_security_headers(client):
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:200]
    assert client.get("/static/app.js").status_code == 200
    font = client.get("/fonts/cjk.ttf")
    assert font.status_code == 200 and len(font.content) > 100_000
    r = client.get("/login")
    assert (
        r.headers["x-frame-options"] == "DENY" and "script-src 'self'" in r.headers["content-security-policy"]
    )
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "PubGuard 发布审核服务"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_site_filter_lists(app, client):
    upload(client, auth(app, "ed"), "关于通知\n", title="甲稿")
    ui_login(client)
    assert "甲稿" in client.get("/drafts", params={"site": SITE}).text
    assert "甲稿" not in client.get("/drafts", params={"site": "other"}).text


def test_submit_with_an_open_blocker_asks_for_confirmation(app, client):
    """Issue 18.4: the 送审 form warns and needs the box ticked; the service refuses without it."""
    ed = auth(app, "ed")
    body = upload(client, ed, "!blocker seal official_seal 公章\n关于通知\n")
    run_jobs(app)
    did, vid = body["draft"]["id"], body["version"]["id"]
    client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=ed)
    csrf = ui_login(client, "ed")
    page = client.get(f"/drafts/{did}").text
    assert 'id="submit-warning"' in page and "<b>1</b> 个阻断级问题" in page
    assert re.search(r'name="acknowledge_blockers"[^>]*required', page)
    hx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    r = client.post(f"/drafts/{did}/do/submit", data={"version_id": str(vid)}, headers=hx)
    assert r.status_code == 409 and "我已知晓" in r.text
    r = client.post(
        f"/drafts/{did}/do/submit", data={"version_id": str(vid), "acknowledge_blockers": "1"}, headers=hx
    )
    assert r.status_code == 200 and "已送审" in r.headers["hx-trigger"].encode().decode("unicode_escape")
    clean = upload(client, ed, "关于通知\n")
    run_jobs(app)
    client.put(
        f"/api/v1/drafts/{clean['draft']['id']}/disclosure", json={"attribute": "主动公开"}, headers=ed
    )
    page = client.get(f"/drafts/{clean['draft']['id']}").text
    assert 'id="btn-submit"' in page and 'id="submit-warning"' not in page


def test_notifications_page_header_count_and_api(app, client):
    """Issue 18.8: a rejection reaches the editor as a 消息 (header count, page, JSON API) and
    its reason is at the top of the draft and in the queue row."""
    ed = auth(app, "ed")
    body = upload(client, ed, "关于通知\n")
    run_jobs(app)
    did, vid = body["draft"]["id"], body["version"]["id"]
    client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=ed)
    client.post(f"/api/v1/drafts/{did}/submit", json={}, headers=ed)
    p1 = auth(app, "p1")
    assert client.get("/api/v1/notifications/unread", headers=p1).json() == {"unread": 1}
    r = client.post(
        f"/api/v1/drafts/{did}/reject",
        json={"version_id": vid, "comment": "标题有错字", "step_key": "proof1"},
        headers=p1,
    )
    assert r.status_code == 200, r.text
    notes = client.get("/api/v1/notifications", headers=ed).json()
    assert notes[0]["kind"] == "returned" and "标题有错字" in notes[0]["body"]
    ui_login(client, "ed")
    queue = client.get("/queue").text
    assert 'id="unread-count"' in queue and 'class="queue-reason"' in queue and "标题有错字" in queue
    page = client.get(f"/drafts/{did}").text
    assert 'id="last-rejection"' in page and "标题有错字" in page
    assert "被一校退回修改" in client.get("/notifications").text
    r = client.get(f"/notifications/{notes[0]['id']}/open", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/drafts/{did}"
    assert client.get("/api/v1/notifications/unread", headers=ed).json() == {"unread": 0}
    assert 'id="unread-count"' not in client.get("/queue").text
    assert client.post("/api/v1/notifications/read", json={}, headers=p1).json() == {"marked": 1}
