"""No internal code in what a person reads (issue 18 item 9): the draft page of real scans
(tracked changes, comments, document properties, a red header and seal), the lists, the audit
log and the CLI's text report show Chinese labels, never `revision_delete`, `official_seal`,
`blocker`, `rId10` … Visible text only: tags, attributes, scripts and styles are left out."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from api.conftest import PASSWORD, auth, make_app, run_jobs, upload
from api.test_ui import ui_login
from pubguard import labels
from pubguard.scan import scan_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _codes() -> set[str]:
    from pubguard.detectors import load_all

    codes: set[str] = set()
    for kind, table in labels.TABLES.items():
        if kind != "role":  # role keys double as user names in the test set-up
            codes |= set(table)
    for cls in load_all().values():
        codes |= set(cls.rules)
    from pubguard.review.workflow import load_workflow

    codes |= {step.key for step in load_workflow("default").steps}  # proof1, review1 …
    return {c for c in codes if len(c) > 3}


def visible(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|code)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def raw_codes(text: str, codes: set[str]) -> list[str]:
    return sorted(
        c for c in codes if re.search(rf"(?<![A-Za-z0-9_./#-]){re.escape(c)}(?![A-Za-z0-9_./-])", text)
    )


@pytest.fixture
def real_app(db_url, tmp_path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path / "data", db_url, scanner=scan_bytes)
    try:
        yield app
    finally:
        app.state.service.close()


def test_pages_show_labels_not_codes(real_app):
    from fastapi.testclient import TestClient

    app = real_app
    client = TestClient(app)
    codes = _codes()
    h = auth(app, "ed")
    ids = []
    for name in ("draft_tracked.docx", "red_header_seal.pdf"):
        ids.append(
            upload(client, h, data=(SAMPLES / name).read_bytes(), filename=name, title=name)["draft"]["id"]
        )
    run_jobs(app)
    svc = app.state.service
    svc.set_disclosure("ed", ids[1], "主动公开")
    svc.submit("ed", ids[1])
    svc.claim("p1", ids[1])  # an audit entry with a step
    kinds = {f["block_kind"] for d in ids for f in svc.get_draft("ed", d)["findings"]}
    assert {"comment", "revision_delete"} & kinds  # the page has findings outside the body
    rules = {f["rule"] for d in ids for f in svc.get_draft("ed", d)["findings"]}
    assert {"official_seal", "tracked_change"} <= rules
    client.post(f"/api/v1/drafts/{ids[0]}/attachments", files={"file": ("附件.pdf", (SAMPLES / "red_header_seal.pdf").read_bytes())}, headers=h)  # fmt: skip
    ui_login(client)
    for path in [f"/drafts/{d}" for d in ids] + ["/drafts", "/queue", "/upload"]:
        text = visible(client.get(path).text)
        assert "位置：" in text or path != f"/drafts/{ids[0]}"
        assert raw_codes(text, codes) == [], path
        assert not re.search(r"\brId\d+|image-xref\d+", text), path
    svc.set_password("root", PASSWORD)
    client.cookies.clear()
    ui_login(client, "root")
    for path in ("/audit", "/users"):
        assert raw_codes(visible(client.get(path).text), codes) == [], path


def test_cli_text_report_shows_labels_not_codes():
    from typer.testing import CliRunner

    from pubguard.cli import app

    out = (
        CliRunner()
        .invoke(app, ["scan", str(SAMPLES / "draft_tracked.docx"), str(SAMPLES / "red_header_seal.pdf")])
        .stdout
    )
    assert "[阻断]" in out and "修订痕迹" in out
    assert raw_codes(out, _codes()) == []
    assert not re.search(r"\brId\d+|image-xref\d+", out)


def test_search_finds_the_doc_number_of_the_red_header(real_app):
    from fastapi.testclient import TestClient

    app = real_app
    client = TestClient(app)
    h = auth(app, "ed")
    upload(
        client, h, data=(SAMPLES / "red_header_seal.pdf").read_bytes(), filename="通知.pdf", title="春耕通知"
    )
    upload(client, h, data=(SAMPLES / "clean_notice.pdf").read_bytes(), filename="公告.pdf", title="名单公告")
    run_jobs(app)
    svc = app.state.service
    assert [d["title"] for d in svc.list_drafts("ed", q="南府办发〔2024〕15号")] == ["春耕通知"]
    assert [d["title"] for d in svc.list_drafts("ed", q="〔2024〕15号")] == ["春耕通知"]
    assert svc.list_drafts("ed", q="〔2024〕99号") == []
