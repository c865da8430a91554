"""`pubguard review …` / `pubguard audit verify`: the whole flow from the command line."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from pubguard.review.cli import audit_app, review_app

runner = CliRunner()


def test_cli_flow(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PUBGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PUBGUARD_USER", raising=False)

    def run(*args: str, code: int = 0, app=review_app, stdin: str | None = None):
        result = runner.invoke(app, list(args), input=stdin)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    run("site-add", "gov", "示例市人民政府网站")
    run("user-add", "ed", "--role", "gov:editor", "--password-stdin", stdin="editor-password\n")
    for name, role in [
        ("p1", "proofreader"),
        ("p2", "proofreader"),
        ("p3", "proofreader"),
        ("r1", "reviewer1"),
        ("r2", "reviewer2"),
        ("r3", "reviewer3"),
        ("pub", "publisher"),
    ]:
        run("user-add", name, "--role", f"gov:{role}")
    out = run("user-add", "bad", "--role", "editor", code=2)
    assert "站点:角色" in out
    draft_file = tmp_path / "通知.txt"
    draft_file.write_text("关于做好春季防火工作的通知\n各单位：\n请做好防火工作。\n", encoding="utf-8")
    out = run("submit", str(draft_file), "--as", "ed", "--site", "gov", "--column", "通知公告")
    assert "审核中" in out and "公开属性：主动公开" in out
    draft_id = json.loads(run("queue", "--as", "p1", "--json"))[0]["id"]
    assert "没有待办稿件" in run("queue", "--as", "r1")
    out = run("approve", str(draft_id), "--as", "r1", code=1)
    assert "校对" in out
    for user in ["p1", "r1", "p2", "r2", "p3"]:
        assert "已通过" in run("approve", str(draft_id), "--as", user)
    out = run("release", str(draft_id), "--as", "pub", code=1)
    assert "终审" in out
    run("reject", str(draft_id), "--as", "r3", "--comment", "", code=2)
    run("approve", str(draft_id), "--as", "r3", "--comment", "同意发布")
    out = run("show", str(draft_id), "--as", "r3")
    assert "发布条件：已满足" in out
    out = run("release", str(draft_id), "--as", "pub")
    assert "已发布" in out
    assert (tmp_path / "data" / "published" / "gov" / str(draft_id) / "通知.txt").exists()
    assert "审计链完整" in run("verify", app=audit_app)
    log = run("log", "--draft", str(draft_id), app=audit_app)
    assert " 发布 " in log and "审核通过（「终审」" in log and " release" not in log
    run("withdraw", str(draft_id), "--as", "pub", "--reason", "内容过期")
    archive = tmp_path / "a.zip"
    run("export", str(draft_id), "-o", str(archive))
    assert "manifest.json" in zipfile.ZipFile(archive).namelist()
    assert all(row["decided"] == 0 for row in json.loads(run("precision", "--json")))  # no decisions yet
    run("show", "999", "--as", "ed", code=2)


def test_main_cli_mounts_review_and_audit():
    from pubguard.cli import app

    assert runner.invoke(app, ["review", "--help"]).exit_code == 0
    assert "verify" in runner.invoke(app, ["audit", "--help"]).output


def test_cli_clean_copy(db_url, tmp_path, monkeypatch):
    """`pubguard review clean`: the clean copy becomes a new version, re-scanned, no raw PII shown."""
    import pymupdf
    from factories import make_id_number

    monkeypatch.setenv("PUBGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(tmp_path / "data"))

    def run(*args: str, code: int = 0):
        result = runner.invoke(review_app, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    run("site-add", "gov", "示例市人民政府网站")
    run("user-add", "ed", "--role", "gov:editor")
    run("user-add", "r1", "--role", "gov:reviewer1")
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_text((80, 120), "关于2024年度临时救助对象的公示", fontname="china-s", fontsize=16)
    page.insert_text(
        (80, 170), f"救助对象：张伟民，身份证号：{make_id_number()}", fontname="china-s", fontsize=12
    )
    path = tmp_path / "公示.pdf"
    pdf.save(path)
    import re

    out = run("submit", str(path), "--as", "ed", "--site", "gov", "--column", "公示公告")
    draft_id = int(re.search(r"稿件 (\d+)：", out).group(1))  # ids differ on a shared PostgreSQL
    out = run("clean", str(draft_id), "--as", "r1", code=1)  # only editors make clean copies
    out = run("clean", str(draft_id), "--as", "ed", "--mask-preset", "last4")
    assert "已生成清理稿：第2版" in out
    assert make_id_number() not in out
    shown = json.loads(run("show", str(draft_id), "--as", "ed", "--json"))
    assert shown["current_version"] == 2
