"""Upload (durable scan job, size limit, format by content), drafts list and detail, versions,
files, pages, text, diff, jobs, and access across sites."""

from __future__ import annotations

import io
import zipfile

import pymupdf
import pytest

from api.conftest import (
    CLEAN,
    MAX_UPLOAD,
    SITE,
    WITH_ID,
    auth,
    login_cookie,
    run_jobs,
    submitted_draft,
    upload,
)


def _pdf(lines: list[str]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, line in enumerate(lines):
        page.insert_text((80, 120 + 26 * i), line, fontname="china-s", fontsize=13)
    return doc.tobytes()


def test_upload_returns_at_once_with_a_queued_job(app, client):
    ed = auth(app, "ed")
    body = upload(client, ed, WITH_ID)
    assert body["draft"]["status"] == "draft" and body["draft"]["scan_status"] == "pending"
    assert body["version"]["number"] == 1 and body["version"]["format"] == "txt"
    assert body["job"]["status"] == "queued" and body["job"]["version_id"] == body["version"]["id"]
    job = client.get(f"/api/v1/jobs/{body['job']['id']}", headers=ed).json()
    assert job["status"] == "queued" and job["scan_status"] == "pending"
    assert run_jobs(app) == 1
    status = client.get(f"/api/v1/versions/{body['version']['id']}/status", headers=ed).json()
    assert status["scan_status"] == "ok" and status["job"]["status"] == "done"
    d = client.get(f"/api/v1/drafts/{body['draft']['id']}", headers=ed).json()
    assert {f["rule"] for f in d["findings"]} == {"id_card", "repeated"}
    assert all(
        "1234" in f["evidence"] and "*" in f["evidence"] for f in d["findings"] if f["rule"] == "id_card"
    )
    assert d["disclosure"]["proposed"] is not None


def test_oversized_upload_is_413_and_creates_nothing(app, client):
    ed = auth(app, "ed")
    big = b"x" * (MAX_UPLOAD + 10)
    r = client.post(
        "/api/v1/drafts", data={"site": SITE, "title": "大文件"}, files={"file": ("big.txt", big)}, headers=ed
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large" and "超过上限" in r.json()["message"]
    huge = b"y" * (MAX_UPLOAD + 2 * 1024 * 1024)  # beyond the request body limit itself
    r = client.post(
        "/api/v1/drafts", data={"site": SITE, "title": "更大"}, files={"file": ("huge.txt", huge)}, headers=ed
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert client.get("/api/v1/drafts", headers=ed).json() == []


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in names.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_malformed_uploads_are_refused_by_content(app, client):
    ed = auth(app, "ed")
    cases = {
        "empty.pdf": (b"", "empty"),
        "renamed.docx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 64,
            "corrupt",  # a truncated Word 97-2003 file: its OLE2 directory cannot be read
        ),
        "binary.xlsb": (_zip({"xl/workbook.bin": b"\x00"}), "unsupported_format"),
        "broken.xlsx": (b"PK\x03\x04" + b"\x00" * 40, "corrupt"),
        "binary.txt": (b"\x00\x01\x02\x03" * 100, "unsupported_format"),
    }
    for name, (data, code) in cases.items():
        r = client.post(
            "/api/v1/drafts", data={"site": SITE, "title": name}, files={"file": (name, data)}, headers=ed
        )
        assert r.status_code == 422, (name, r.text)
        assert r.json()["code"] == code, name
        assert r.json()["message"].startswith(("文件", "文件无法接收")), name
    no_file = client.post("/api/v1/drafts", data={"site": SITE, "title": "无文件"}, headers=ed)
    assert no_file.status_code == 422 and no_file.json()["details"]["errors"][0]["field"] == "file"
    truncated = client.post(
        "/api/v1/drafts",
        content=b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
        headers={**ed, "Content-Type": "multipart/form-data; boundary=XYZ"},
    )
    assert truncated.status_code in (400, 422)
    assert client.get("/api/v1/drafts", headers=ed).json() == []


def test_a_docx_that_is_really_a_pdf_is_read_as_pdf(app, client):
    body = upload(client, auth(app, "ed"), data=_pdf(["关于春季农业生产的通知"]), filename="notice.docx")
    assert body["version"]["format"] == "pdf"


def test_only_editors_of_the_site_upload(app, client):
    for user in ("p1", "stranger", "r1"):
        r = client.post(
            "/api/v1/drafts",
            data={"site": SITE, "title": "x"},
            files={"file": ("a.txt", CLEAN.encode())},
            headers=auth(app, user),
        )
        assert r.status_code == 403 and r.json()["code"] == "forbidden", user
    r = client.post(
        "/api/v1/drafts",
        data={"site": "nowhere", "title": "x"},
        files={"file": ("a.txt", CLEAN.encode())},
        headers=auth(app, "ed"),
    )
    assert r.status_code == 404


def test_other_sites_drafts_are_invisible(app, client):
    body = upload(client, auth(app, "ed"))
    did, vid = body["draft"]["id"], body["version"]["id"]
    run_jobs(app)
    s = auth(app, "stranger")
    for path in (
        f"/api/v1/drafts/{did}",
        f"/api/v1/drafts/{did}/findings",
        f"/api/v1/versions/{vid}",
        f"/api/v1/versions/{vid}/file",
        f"/api/v1/jobs/{body['job']['id']}",
        f"/api/v1/drafts/{did}/report.json",
        f"/api/v1/drafts/{did}/audit",
    ):
        r = client.get(path, headers=s)
        assert r.status_code == 404 and r.json()["code"] == "not_found", path  # like a missing draft
    assert client.get("/api/v1/drafts", headers=s).json() == []
    assert client.get("/api/v1/drafts/999999", headers=s).status_code == 404


def test_list_filters_queue_step_site_and_overdue(app, client):
    d = submitted_draft(app, client)
    upload(client, auth(app, "ed2"), CLEAN, title="未送审")
    run_jobs(app)

    def ids(user, **params):
        r = client.get("/api/v1/drafts", params=params, headers=auth(app, user))
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()]

    assert ids("p1", queue="true") == [d["id"]]
    assert ids("r1", queue="true") == []  # not their step yet
    assert ids("ed", queue="true") == []  # the editor waits
    assert ids("p1", step="proof1") == [d["id"]] and ids("p1", step="review1") == []
    assert len(ids("ed", site=SITE)) == 2 and ids("ed", site="other") == []
    assert ids("ed", mine="true") == [d["id"]]
    assert ids("ed", status="in_review") == [d["id"]]
    assert ids("ed", overdue="true") == [] and len(ids("ed", overdue="false")) == 2
    bad = client.get("/api/v1/drafts", params={"status": "bogus", "limit": 0}, headers=auth(app, "ed"))
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["details"]["errors"]} == {
        "status",
        "limit",
    }


def test_new_version_file_text_and_diff(app, client):
    ed = auth(app, "ed")
    body = upload(client, ed, WITH_ID)
    did = body["draft"]["id"]
    run_jobs(app)
    fixed = CLEAN + "联系电话：0771-1234567\n"
    r = client.post(
        f"/api/v1/drafts/{did}/versions",
        data={"note": "删除身份证号"},
        files={"file": ("v2.txt", fixed.encode())},
        headers=ed,
    )
    assert (
        r.status_code == 202 and r.json()["version"]["number"] == 2 and r.json()["job"]["status"] == "queued"
    )
    run_jobs(app)
    d = client.get(f"/api/v1/drafts/{did}", headers=ed).json()
    assert [v["number"] for v in d["versions"]] == [1, 2]
    assert {f["rule"]: f["status"] for f in d["findings"]}["id_card"] == "fixed"
    v2 = d["current_version_id"]
    f = client.get(f"/api/v1/versions/{v2}/file", headers=ed)
    assert f.content == fixed.encode() and f.headers["content-disposition"].startswith("attachment")
    assert "联系电话" in client.get(f"/api/v1/versions/{v2}/text", headers=ed).text
    diff = client.get(f"/api/v1/drafts/{did}/diff", headers=ed).json()
    assert diff["to_version_id"] == v2 and diff["added"] == 1 and diff["removed"] == 2
    assert "+联系电话：0771-1234567" in diff["unified"]
    assert [v["number"] for v in client.get(f"/api/v1/drafts/{did}/versions", headers=ed).json()] == [1, 2]
    r = client.post(
        f"/api/v1/drafts/{did}/versions", files={"file": ("v3.txt", CLEAN.encode())}, headers=auth(app, "p1")
    )
    assert r.status_code == 403


def test_pdf_pages_render_with_layout(app, client):
    ed = auth(app, "ed")
    body = upload(
        client, ed, data=_pdf(["关于春季农业生产的通知", "现将有关事项通知如下。"]), filename="n.pdf"
    )
    run_jobs(app)
    vid = body["version"]["id"]
    layout = client.get(f"/api/v1/versions/{vid}/layout", headers=ed).json()
    assert (
        layout["format"] == "pdf"
        and layout["pages"][0]["width"] == 595
        and layout["pages"][0]["image"]["width"] > 500
    )
    png = client.get(f"/api/v1/versions/{vid}/pages/1.png", headers=ed)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/api/v1/versions/{vid}/pages/2.png", headers=ed).status_code == 404


def test_important_flag_adds_the_readthrough_step(app, client):
    body = upload(client, auth(app, "ed"), CLEAN)
    did = body["draft"]["id"]
    r = client.put(f"/api/v1/drafts/{did}/important", json={"important": True}, headers=auth(app, "ed"))
    assert r.status_code == 200 and "readthrough" in [s["key"] for s in r.json()["steps"]]
    assert (
        client.put(
            f"/api/v1/drafts/{did}/important", json={"important": True}, headers=auth(app, "p1")
        ).status_code
        == 403
    )


@pytest.mark.ocr
def test_diff_of_scans_compares_their_ocr_text(app, client):
    """A PNG whose red 版头 was cut away: the diff shows the organ's name removed (it used to
    say 两个版本的文字没有差别, comparing two empty texts)."""
    from api.test_documents import notice_png

    ed = auth(app, "ed")
    body = upload(client, ed, filename="scan.png", data=notice_png(True))
    did = body["draft"]["id"]
    run_jobs(app)
    r = client.post(
        f"/api/v1/drafts/{did}/versions", files={"file": ("scan2.png", notice_png(False))}, headers=ed
    )
    assert r.status_code == 202
    run_jobs(app)
    diff = client.get(f"/api/v1/drafts/{did}/diff", headers=ed).json()
    assert diff["text_source"] == "ocr" and diff["same_file"] is False
    assert diff["removed"] >= 1 and diff["added"] == 0
    assert "-南宁市人民政府文件" in diff["unified"].replace(" ", "")
    login_cookie(client)
    page = client.get(f"/drafts/{did}/diff").text
    assert "OCR 识别出的文字" in page and "没有差别" not in page
    v1, v2 = diff["from_version_id"], diff["to_version_id"]
    assert (
        f'src="/api/v1/versions/{v1}/pages/1.png"' in page
        and f'src="/api/v1/versions/{v2}/pages/1.png"' in page
    )
