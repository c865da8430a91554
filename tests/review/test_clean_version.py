"""Clean copies in the review workflow: a clean copy is a new version made by the editor, with
its clean report stored beside it, re-scanned through the normal scan path and audited; the
release gate refuses a clean copy that still has a blocker; the annotated draft carries one
comment per finding. On SQLite and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pymupdf
import pytest

from pubguard.config import ScanConfig
from pubguard.review import (
    GateClosed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ReviewService,
    ReviewSettings,
    StaleVersion,
)
from pubguard.review.gate import clean_copy_problems
from pubguard.review.readmodels import CleanReportView, VersionView
from review.cleandocs import ID_NUMBER, red_header_docx, telegram_pdf
from review.conftest import seed
from review.helpers import SITE, Clock, approve_through
from review.test_readmodels import check


@pytest.fixture
def rsvc(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[ReviewService]:
    """The review service on the real scanner (the clean copy is judged by real detectors)."""
    settings = ReviewSettings(
        data_dir=tmp_path / "data", database_url=db_url, scan_config=ScanConfig(ocr=False)
    )
    service = ReviewService(settings, clock=clock)
    seed(service)
    try:
        yield service
    finally:
        service.close()


def _draft(svc: ReviewService, data: bytes, filename: str) -> dict:
    d = svc.create_draft("ed", SITE, "临时救助资金通知", column="通知公告", data=data, filename=filename)
    svc.set_disclosure("ed", d["id"], "主动公开")
    return svc.get_draft("ed", d["id"])


def _rules(findings: list[dict], *, open_only: bool = True) -> set[str]:
    return {
        f"{f['category']}/{f['rule']}"
        for f in findings
        if f["status"] != "fixed" and (f["status"] == "open" or not open_only)
    }


def test_clean_copy_of_a_red_header_docx_is_a_new_releasable_version(rsvc):
    d = _draft(rsvc, red_header_docx(), "通知.docx")
    v1 = d["current_version_id"]
    assert {"red_header/red_header", "seal/official_seal", "personal_data/id_card"} <= _rules(d["findings"])
    assert "clean" in d["actions"]
    rsvc.submit("ed", d["id"], v1)
    rsvc.approve("p1", d["id"], v1, step_key="proof1")

    v2 = rsvc.make_clean_version("ed", d["id"], v1, {"mask_preset": "id6-4", "revisions": "reject"})
    assert v2["number"] == 2 and v2["clean_of_version_id"] == v1
    assert v2["filename"] == "通知.docx" and v2["scan_status"] == "ok"
    clean = v2["clean"]
    assert clean["releasable"] is True and clean["reasons"] == []
    assert clean["source_number"] == 1 and clean["rescan"]["remaining_blockers"] == 0
    removed = {(a["category"], a["rule"]) for a in clean["removed"]}
    assert {("red_header", "red_header"), ("seal", "official_seal"), ("personal_data", "id_card")} <= removed
    id_action = next(a for a in clean["removed"] if a["rule"] == "id_card")
    assert id_action["where"] and ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:] in id_action["detail"]
    assert any("修订处理：拒绝修订" in s for s in clean["option_labels"])

    d = rsvc.get_draft("ed", d["id"])
    assert d["current_version_id"] == v2["id"]
    assert all(s["status"] == "pending" for s in d["steps"])  # the clean copy is reviewed again
    current = [f for f in d["findings"] if f["version_id"] == v2["id"]]
    assert not [f for f in current if f["severity"] == "blocker" or f["category"] == "personal_data"]
    fixed = {f["rule"] for f in d["findings"] if f["status"] == "fixed"}
    assert {"red_header", "official_seal", "id_card"} <= fixed

    assert v2["uploaded_by_id"] == rsvc.get_user("ed")["id"]
    entries = [e for e in rsvc.audit_log("ed", draft_id=d["id"]) if e["action"] == "version.clean"]
    assert len(entries) == 1 and entries[0]["version_id"] == v2["id"]
    assert entries[0]["details"]["source_version_id"] == v1 and entries[0]["details"]["releasable"] is True
    assert rsvc.verify_audit().ok

    stored = rsvc.get_clean_report("r1", d["id"], v2["id"])
    check(CleanReportView, stored)  # its read model, keys and types
    check(VersionView, v2)
    assert stored["report"]["schema"] == "pubguard.clean/1" and stored["source_version_id"] == v1
    everything = json.dumps([stored, d, rsvc.audit_log("ed", draft_id=d["id"])], ensure_ascii=False)
    leaked = ID_NUMBER in everything
    assert not leaked, "the raw ID number must never be stored with the clean copy"
    name, data = rsvc.get_version_file("r1", v2["id"])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "南宁市财政局文件" not in text and "南财发〔2024〕21号" not in text  # the 版头 goes
    still_there = ID_NUMBER in text
    assert not still_there, "the ID number must be masked in the clean copy"

    with pytest.raises(StaleVersion):  # version 1 is no longer the current one
        rsvc.make_clean_version("ed", d["id"], v1)

    assert d["status"] == "in_review"  # still in review: the steps start again on version 2
    approve_through(rsvc, d["id"])
    assert rsvc.check_release(d["id"]) == {"ok": True, "reasons": []}
    assert rsvc.release("pub", d["id"])["version_id"] == v2["id"]


def test_clean_copy_that_still_has_a_blocker_is_never_released(rsvc):
    d = _draft(rsvc, telegram_pdf(), "明电.pdf")
    assert "classification_mark/telegram_header" in _rules(d["findings"])
    v2 = rsvc.make_clean_version("ed", d["id"], d["current_version_id"])
    assert v2["clean"]["releasable"] is False
    assert v2["clean"]["rescan"]["remaining_blockers"] == 1
    assert any("阻断级问题" in r and "明  电" in r for r in v2["clean"]["reasons"])
    assert any("电报报头" in n for n in v2["clean"]["notes"])

    # Even with the remaining blocker decided (marked 误报) and every step approved, the gate
    # refuses: a clean copy with a blocker is never offered for release.
    d = rsvc.get_draft("ed", d["id"])
    blocker = next(f for f in d["findings"] if f["version_id"] == v2["id"] and f["severity"] == "blocker")
    rsvc.submit("ed", d["id"], v2["id"])
    rsvc.decide_finding("r3", blocker["id"], "false_positive", reason="测试：视为误报")
    approve_through(rsvc, d["id"])
    gate = rsvc.check_release(d["id"])
    assert not gate["ok"]
    assert gate["reasons"] and all("清理稿" in r or "误报认定" in r for r in gate["reasons"])
    assert any("第2版" in r and "阻断级问题" in r for r in gate["reasons"])
    assert "release" not in rsvc.get_draft("pub", d["id"])["actions"]
    with pytest.raises(GateClosed) as exc:
        rsvc.release("pub", d["id"])
    assert "清理稿" in exc.value.message and exc.value.details["reasons"] == gate["reasons"]


def test_who_may_make_a_clean_copy(rsvc):
    d = _draft(rsvc, red_header_docx(), "通知.docx")
    vid = d["current_version_id"]
    for user in ("r1", "p1", "pub"):
        with pytest.raises(PermissionDenied):
            rsvc.make_clean_version(user, d["id"], vid)
        assert "clean" not in rsvc.get_draft(user, d["id"])["actions"]
    with pytest.raises(InvalidInput):
        rsvc.make_clean_version("ed", d["id"], vid, {"revisions": "keep-all"})
    with pytest.raises(InvalidInput):
        rsvc.make_clean_version("ed", d["id"], vid, {"colour": "red"})
    with pytest.raises(StaleVersion):
        rsvc.make_clean_version("ed", d["id"], vid + 1000)
    with pytest.raises(NotFound):
        rsvc.get_clean_report("ed", d["id"], vid)  # the original is not a clean copy
    assert len(rsvc.get_draft("ed", d["id"])["versions"]) == 1  # nothing was stored

    txt = rsvc.create_draft(
        "ed", SITE, "文本稿", data="关于开展春季植树活动的通知\n".encode(), filename="a.txt"
    )
    assert "clean" not in txt["actions"]
    with pytest.raises(InvalidInput, match="清理稿"):
        rsvc.make_clean_version("ed", txt["id"], txt["current_version_id"])


def test_clean_copy_scan_can_be_queued_like_an_upload(rsvc):
    d = _draft(rsvc, red_header_docx(), "通知.docx")
    v2 = rsvc.make_clean_version("ed", d["id"], d["current_version_id"], scan=False)
    assert v2["scan_status"] == "pending" and v2["clean"]["releasable"] is True
    assert rsvc.run_pending_jobs("test") == 1
    d = rsvc.get_draft("ed", d["id"])
    assert d["scan_status"] == "ok"
    assert not [f for f in d["findings"] if f["version_id"] == v2["id"] and f["severity"] == "blocker"]


def test_annotated_draft_has_one_comment_per_finding(rsvc):
    d = _draft(rsvc, red_header_docx(), "通知.docx")
    vid = d["current_version_id"]
    stored = [f for f in d["findings"] if f["version_id"] == vid]
    name, data, media = rsvc.annotated_file("r1", d["id"], vid)
    assert name == "通知_批注.docx" and media.endswith("wordprocessingml.document")
    comments = [c for c in docx.Document(io.BytesIO(data)).comments if c.author == "PubGuard"]
    assert len(comments) == len(stored) >= 3
    assert not any(ID_NUMBER in c.text for c in comments)

    p = _draft(rsvc, telegram_pdf(), "明电.pdf")
    name, data, media = rsvc.annotated_file("ed", p["id"], p["current_version_id"])
    notes = [a for a in pymupdf.open(stream=data, filetype="pdf")[0].annots() if a.type[1] == "Text"]
    assert media == "application/pdf" and len(notes) == len(p["findings"]) >= 1

    txt = rsvc.create_draft(
        "ed", SITE, "文本稿", data="关于开展春季植树活动的通知\n".encode(), filename="a.txt"
    )
    with pytest.raises(InvalidInput, match="批注版"):
        rsvc.annotated_file("ed", txt["id"], txt["current_version_id"])
    with pytest.raises(NotFound):
        rsvc.annotated_file("ed", txt["id"], vid)  # a version of another draft


def test_gate_explains_every_clean_report_problem():
    report = {
        "rescan": {"status": "ok", "findings": [], "remaining_blockers": 0},
        "leak_check": {"values_checked": 2, "leaks": 1},
        "needs_declassification": True,
        "releasable": False,
    }
    problems = clean_copy_problems(report)
    assert len(problems) == 2
    assert "1 处已脱敏号码" in problems[0] and "解密" in problems[1]
    failed = clean_copy_problems({"rescan": {"status": "error", "error": "文件已损坏"}, "releasable": False})
    assert len(failed) == 1 and "复查失败" in failed[0] and "文件已损坏" in failed[0]
    assert clean_copy_problems({"rescan": {"status": "ok", "findings": []}, "releasable": True}) == []
