"""Reports (JSON contract + decisions, CSV, SARIF), the 审核单 (HTML, PDF), audit, archive."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import jsonschema
import pymupdf
from sarif_check import validate_sarif

from api.conftest import WITH_ID, approve_all, auth, run_jobs, submitted_draft
from pubguard.report import load_schema


def _decided_draft(app, client) -> tuple[int, dict[str, dict]]:
    d = submitted_draft(app, client, WITH_ID)
    findings = {
        f["rule"]: f for f in client.get(f"/api/v1/drafts/{d['id']}/findings", headers=auth(app, "p1")).json()
    }
    r = client.post(
        f"/api/v1/findings/{findings['repeated']['id']}/decision",
        json={"decision": "false_positive", "reason": "“的的”为引文原文"},
        headers=auth(app, "p1"),
    )
    assert r.status_code == 200
    client.post(
        f"/api/v1/findings/{findings['id_card']['id']}/decision",
        json={"decision": "confirmed"},
        headers=auth(app, "p1"),
    )
    return d["id"], findings


def test_json_report_keeps_the_contract_and_adds_decisions(app, client):
    did, _ = _decided_draft(app, client)
    r = client.get(f"/api/v1/drafts/{did}/report.json", headers=auth(app, "ed"))
    assert r.status_code == 200
    report = r.json()
    jsonschema.validate(report, load_schema())
    assert report["schema"] == "pubguard.report/1" and report["files"][0]["path"] == "notice.txt"
    review = {f["rule"]: f for f in report["review"]["findings"]}
    assert review["repeated"]["status"] == "false_positive" and review["id_card"]["status"] == "confirmed"
    assert report["review"]["gate"]["ok"] is False


def test_csv_and_sarif_carry_decisions(app, client):
    did, findings = _decided_draft(app, client)
    text = client.get(f"/api/v1/drafts/{did}/report.csv", headers=auth(app, "ed")).text
    assert text.startswith("\ufeff")
    rows = {r["rule"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert (
        rows["repeated"]["review_status"] == "false_positive"
        and rows["repeated"]["review_reason"] == "“的的”为引文原文"
    )
    assert rows["id_card"]["review_status"] == "confirmed" and rows["id_card"]["decided_by"] == "p1"
    sarif = json.loads(client.get(f"/api/v1/drafts/{did}/report.sarif", headers=auth(app, "ed")).text)
    validate_sarif(sarif)
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    assert results["proofreading/repeated"]["suppressions"][0]["justification"].startswith("误报")
    assert "suppressions" not in results["personal_data/id_card"]
    assert results["personal_data/id_card"]["properties"]["reviewStatus"] == "confirmed"


def test_report_of_an_earlier_version(app, client):
    did, _ = _decided_draft(app, client)
    v1 = client.get(f"/api/v1/drafts/{did}", headers=auth(app, "ed")).json()["current_version_id"]
    assert (
        client.get(
            f"/api/v1/drafts/{did}/report.json", params={"version_id": v1}, headers=auth(app, "ed")
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/drafts/{did}/report.json", params={"version_id": 99999}, headers=auth(app, "ed")
        ).status_code
        == 404
    )


def test_review_sheet_html_and_pdf(app, client):
    d = submitted_draft(app, client)
    approve_all(app, client, d["id"])
    html = client.get(f"/api/v1/drafts/{d['id']}/sheet.html", headers=auth(app, "ed"))
    assert html.status_code == 200 and "政府网站信息发布审核单" in html.text
    for step in ("一校", "初审", "二校", "复审", "三校", "终审"):
        assert step in html.text
    pdf = client.get(f"/api/v1/drafts/{d['id']}/sheet.pdf", headers=auth(app, "ed"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    doc = pymupdf.open("pdf", pdf.content)
    text = "".join(page.get_text() for page in doc)
    assert "审核单" in text and "春季农业生产通知" in text and "终审" in text and "r3" in text
    assert len(pdf.content) < 400_000  # the CJK font is subset
    assert (
        client.get(f"/api/v1/drafts/{d['id']}/sheet.pdf", headers=auth(app, "stranger")).status_code == 404
    )  # like a missing draft


def test_audit_trail_and_verification(app, client):
    did, _ = _decided_draft(app, client)
    entries = client.get(f"/api/v1/drafts/{did}/audit", headers=auth(app, "ed")).json()
    actions = [e["action"] for e in entries]
    assert actions[:4] == ["draft.create", "version.upload", "scan.complete", "disclosure.set"]
    assert "finding.decide" in actions and all(len(e["hash"]) == 64 for e in entries)
    assert client.get("/api/v1/audit", headers=auth(app, "ed")).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=auth(app, "ed")).status_code == 403
    assert len(client.get("/api/v1/audit", headers=auth(app, "root")).json()) >= len(entries)
    v = client.get("/api/v1/audit/verify", headers=auth(app, "root")).json()
    assert v["ok"] is True and v["problems"] == [] and v["entries"] >= len(entries)


def test_archive_export_and_precision(app, client):
    did, _ = _decided_draft(app, client)
    r = client.get(f"/api/v1/drafts/{did}/archive.zip", headers=auth(app, "ed"))
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["draft"]["id"] == did and any(n.startswith("versions/") for n in zf.namelist())
    assert client.get("/api/v1/stats/precision", headers=auth(app, "ed")).status_code == 403
    stats = {
        s["detector"]: s for s in client.get("/api/v1/stats/precision", headers=auth(app, "root")).json()
    }
    assert stats["proofreading"]["false_positive"] == 1 and stats["proofreading"]["precision"] == 0.0


LONG = (
    "第1页的矢量图形中检测到红色圆形公章（含五角星、环形文字），非涉密公文在网站发布时不得带有单位公章。" * 3
)


def test_review_sheet_pdf_columns_rejections_and_site_name(app, client):
    """Issue 18.11: short columns keep their words on one line however long the message, no
    grey cell backgrounds (Story painted them as stray bars on page 2), the 退回 rounds are in,
    and the site shows by its name."""
    svc = app.state.service
    text = "".join(f"!blocker seal seal{i} 公章{i}\n!low proofreading typo{i} 错字{i}\n" for i in range(8))
    d = submitted_draft(app, client, text)
    from pubguard.review.models import FindingRow

    with svc.db.write() as s:
        for row in s.query(FindingRow).filter(FindingRow.draft_id == d["id"]):
            row.message = LONG
    svc.reject("p1", d["id"], d["current_version_id"], "请删除全部公章后重新上传。", step_key="proof1")
    svc.upload_version("ed", d["id"], "v2.txt", text.replace("!blocker seal seal0 公章0\n", "").encode())
    run_jobs(app)
    pdf = client.get(f"/api/v1/drafts/{d['id']}/sheet.pdf", headers=auth(app, "ed"))
    doc = pymupdf.open("pdf", pdf.content)
    assert doc.page_count >= 2
    lines = [
        "".join(sp["text"] for sp in line["spans"]).strip()
        for page in doc
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
    ]
    assert "已修复" in lines and "阻断" in lines  # each on one line, not 已/修/复 stacked
    assert not [x for x in lines if x in ("已", "修", "复", "阻", "断")]
    text_all = "\n".join(lines)
    assert "退回记录（1 次）" in text_all and "请删除全部公章后重新上传。" in text_all
    site_name = next(x["name"] for x in svc.list_sites() if x["key"] == d["site"])
    assert site_name in text_all
    greys = [
        dr
        for page in doc
        for dr in page.get_drawings()
        if dr.get("fill") is not None and min(dr["fill"]) > 0.8 and max(dr["fill"]) < 0.99
    ]
    assert greys == []
    html = client.get(f"/api/v1/drafts/{d['id']}/sheet.html", headers=auth(app, "ed")).text
    assert "退回记录（1 次）" in html and 'width="14%"' in html and 'style="width:' not in html


def test_review_sheet_approval_without_comment_reads_just_agree(app, client):
    """An approval with no comment (or a comment that only says 同意) reads 同意, never 同意：同意。;
    a real comment reads 同意：<comment>."""
    from api.conftest import APPROVERS

    d = client.get(f"/api/v1/drafts/{submitted_draft(app, client)['id']}", headers=auth(app, "ed")).json()
    comments = iter(["同意。", "", "请核对落款日期"])
    while d["active_step"] is not None:
        key = d["active_step"]["key"]
        body = {"version_id": d["current_version_id"], "step_key": key, "comment": next(comments, "")}
        r = client.post(f"/api/v1/drafts/{d['id']}/approve", json=body, headers=auth(app, APPROVERS[key]))
        assert r.status_code == 200, r.text
        d = r.json()
    html = client.get(f"/api/v1/drafts/{d['id']}/sheet.html", headers=auth(app, "ed")).text
    assert "同意：同意" not in html and "同意：请核对落款日期" in html
    assert html.count("<td>同意</td>") == 5  # six steps, one with a real comment
    pdf = client.get(f"/api/v1/drafts/{d['id']}/sheet.pdf", headers=auth(app, "ed"))
    text = "".join(page.get_text() for page in pymupdf.open("pdf", pdf.content))
    assert "同意：同意" not in text and "同意：请核对落款日期" in text
