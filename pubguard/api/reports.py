"""Reports of one draft version: the scan report in the `pubguard.report/1` JSON contract (plus
a `review` section with every decision), CSV and SARIF with the decisions alongside, and the
审核单 (review sheet) as print-ready HTML and as PDF (PyMuPDF Story with the built-in CJK font).
Everything is read through the review service, which checks who may see the draft."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pubguard.finding import Finding
from pubguard.infoclass import InfoClass
from pubguard.report.cells import SafeCsvWriter
from pubguard.review import NotFound, ReviewService
from pubguard.review.readmodels import DraftDetailView, VersionView
from pubguard.review.service import Actor
from pubguard.scan import Disclosure, FileResult

REVIEW_COLUMNS = ["review_status", "review_reason", "decided_by", "finding_id"]


def _version(draft: DraftDetailView, version_id: int | None) -> VersionView:
    vid = version_id or draft.get("current_version_id")
    version = next((v for v in draft["versions"] if v["id"] == vid), None)
    if version is None:
        raise NotFound("该稿件没有这个版本（或尚未上传文件）。")
    return version


def bundle(svc: ReviewService, actor: Actor, draft_id: int, version_id: int | None = None) -> dict[str, Any]:
    draft = svc.get_draft(actor, draft_id)
    version = _version(draft, version_id)
    findings = (
        draft["findings"]
        if version["id"] == draft["current_version_id"]
        else svc.list_findings(actor, draft_id, version["id"])
    )
    scan = svc.get_scan_result(actor, version["id"])
    return {"draft": draft, "version": version, "findings": findings, "scan": scan}


def file_result(version: dict[str, Any], scan: dict[str, Any] | None) -> FileResult:
    """The stored scan as a FileResult (for the report writers of the scan engine)."""
    if scan is None:
        return FileResult(
            path=version["filename"],
            status="error",
            error="检查尚未完成。",
            error_code="pending",
            format=version["format"],
        )
    disc = scan.get("disclosure")
    return FileResult(
        path=version["filename"],
        status=scan.get("status", "ok"),
        error=scan.get("error"),
        error_code=scan.get("error_code"),
        format=scan.get("format"),
        pages=scan.get("pages", 0),
        disclosure=Disclosure(disc["suggested"], list(disc.get("reasons", [])), list(disc.get("basis", [])))
        if disc
        else None,
        info_class=InfoClass.from_dict(scan.get("info_class")),
        findings=[Finding.from_dict(f) for f in scan.get("findings", [])],
        warnings=list(scan.get("warnings", [])),
        sha256=version["sha256"],
    )


def _decisions(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return (
        {f["fingerprint"]: f for f in findings if f["version_id"] == findings[0]["version_id"]}
        if findings
        else {}
    )


def report_json(b: dict[str, Any]) -> dict[str, Any]:
    from pubguard.report import build_report

    d, v = b["draft"], b["version"]
    review = {
        "draft_id": d["id"],
        "title": d["title"],
        "site": d["site"],
        "column": d["column"],
        "status": d["status"],
        "version": {k: v[k] for k in ("id", "number", "filename", "sha256", "size", "scan_status")},
        "disclosure": d["disclosure"],
        "steps": [
            {
                k: s.get(k)
                for k in ("key", "name", "status", "approved_by", "approved_at", "comment", "version_id")
            }
            for s in d["steps"]
        ],
        "findings": [
            {
                k: f.get(k)
                for k in (
                    "id",
                    "fingerprint",
                    "category",
                    "rule",
                    "severity",
                    "status",
                    "decision",
                    "decision_reason",
                    "decision_level",
                    "decided_by",
                    "decided_at",
                    "carried_over",
                )
            }  # fmt: skip
            for f in b["findings"]
        ],
        "gate": d["gate"],
    }
    return build_report([file_result(v, b["scan"])], {"review": review})


def report_csv(b: dict[str, Any]) -> str:
    from pubguard.report import CSV_COLUMNS, to_csv

    by_fp = {f["fingerprint"]: f for f in b["findings"] if f["version_id"] == b["version"]["id"]}
    result = file_result(b["version"], b["scan"])
    rows = list(csv.reader(io.StringIO(to_csv([result]).lstrip("\ufeff"))))
    fp_col = CSV_COLUMNS.index("fingerprint")
    out = io.StringIO()
    w = SafeCsvWriter(out)  # cells from to_csv are already guarded; the review columns are not
    w.writerow(rows[0] + REVIEW_COLUMNS)
    for row in rows[1:]:
        f = by_fp.get(row[fp_col]) if len(row) > fp_col else None
        extra = [f["status"], f["decision_reason"], f["decided_by"] or "", f["id"]] if f else ["", "", "", ""]
        w.writerow(row + extra)
    return "\ufeff" + out.getvalue()


_SUPPRESSED = {"false_positive": "rejected", "accepted": "accepted"}


def report_sarif(b: dict[str, Any]) -> str:
    """SARIF 2.1.0; reviewer decisions become `suppressions` (误报 / 接受发布) and properties."""
    from pubguard.report import to_sarif

    by_fp = {f["fingerprint"]: f for f in b["findings"] if f["version_id"] == b["version"]["id"]}
    sarif = json.loads(to_sarif([file_result(b["version"], b["scan"])]))
    for res in sarif["runs"][0]["results"]:
        f = by_fp.get(res.get("partialFingerprints", {}).get("pubguardFingerprint/v1", ""))
        if f is None:
            continue
        res["properties"]["reviewStatus"] = f["status"]
        res["properties"]["findingId"] = f["id"]
        if f["status"] in ("false_positive", "accepted"):
            res["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{'误报' if f['status'] == 'false_positive' else '接受发布'}：{f['decision_reason']}",
                }
            ]
    return json.dumps(sarif, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- 审核单


def sheet_context(svc: ReviewService, actor: Actor, draft_id: int, generated_by: str) -> dict[str, Any]:
    import datetime as dt

    b = bundle(svc, actor, draft_id)
    audit = svc.audit_log(actor, draft_id=draft_id, limit=1000)
    return dict(
        b,
        audit=audit,
        audit_head=audit[-1]["hash"] if audit else "",
        generated_at=dt.datetime.now(dt.UTC).isoformat(),
        generated_by=generated_by,
        open_findings=[f for f in b["findings"] if f["status"] in ("open", "confirmed")],
        rejections=[c for c in b["draft"]["comments"] if c["kind"] == "rejection"],
    )


def sheet_html(ctx: dict[str, Any]) -> str:
    from pubguard.api.templating import render

    return render("sheet.html", pdf=False, **ctx)


def sheet_pdf(ctx: dict[str, Any]) -> bytes:
    """The same sheet laid out by PyMuPDF's Story engine on A4 pages with the CJK font, then
    the font subset so the file stays small."""
    import pymupdf

    from pubguard.api.templating import render

    html = render("sheet.html", pdf=True, **ctx)
    archive = pymupdf.Archive()
    archive.add((pymupdf.Font("china-s").buffer, "cjk.ttf"))
    css = (
        "@font-face {font-family: cjk; src: url(cjk.ttf);}"
        "@font-face {font-family: cjk; src: url(cjk.ttf); font-weight: bold;}"
        "* {font-family: cjk;} body {font-size: 9.5pt; line-height: 1.35;}"
        "h1 {font-size: 17pt; text-align: center; margin: 0 0 4pt 0;}"
        "h2 {font-size: 11.5pt; margin: 10pt 0 4pt 0;}"
        "table {border-collapse: collapse; width: 100%;}"
        "th, td {border: 0.6pt solid #444; padding: 2pt 3pt; vertical-align: top; font-size: 8.5pt;}"
        # no cell backgrounds: on a table continued on the next page Story paints them as
        # stray grey bars; headers are bold instead
        "th {font-weight: bold; text-align: center;} .muted {color: #555555;} .sign {height: 22pt;}"
        ".nw {white-space: nowrap;}"
        ".sub {text-align: center; color: #444444;}"
    )
    story = pymupdf.Story(html=html, user_css=css, archive=archive)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (42, 48, -42, -48)
    more = True
    pages = 0
    while more and pages < 200:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
        pages += 1
    writer.close()
    doc = pymupdf.open("pdf", buf.getvalue())
    for page in doc.pages():
        page.insert_text(
            (42, mediabox.height - 24),
            f"第 {page.number + 1} 页 / 共 {doc.page_count} 页",
            fontname="china-s",
            fontsize=8,
        )
    doc.set_metadata(
        {"title": f"审核单 {ctx['draft']['title']}", "creator": "PubGuard", "producer": "PubGuard"}
    )
    doc.subset_fonts()
    return doc.tobytes(garbage=3, deflate=True)
