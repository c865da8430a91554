"""`pubguard review message|foi|annual-report …`: the registers from the command line, with no
writer or applicant value in the output."""

from __future__ import annotations

import docx
from openpyxl import load_workbook
from typer.testing import CliRunner

from pubguard.review.cli import review_app

runner = CliRunner()


def test_registers_from_the_command_line(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PUBGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PUBGUARD_USER", raising=False)
    outputs = []

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(review_app, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        outputs.append(result.output)
        return result.output

    run("init")
    run("site-add", "gov", "示例市人民政府网站")
    for name, role in [("desk", "interaction"), ("h1", "editor"), ("head", "editor"), ("foi1", "foi")]:
        run("user-add", name, "--role", f"gov:{role}")
    from pubguard.review.service import open_review

    with open_review(db_url, str(tmp_path / "data")) as svc:
        svc.create_user("root", is_admin=True)
        svc.create_unit("root", "gov", "市城管局", head="head", members=["h1"])
        year = svc.today().year
    csv_file = tmp_path / "来信.csv"
    csv_file.write_text(
        "标题,内容,姓名,电话,类型\n路灯坏了,我是欧阳建国，电话13901234567，路灯坏了。,欧阳建国,13901234567,投诉\n"
        ",缺标题,王五五,13612345678,\n",
        encoding="utf-8-sig",
    )
    out = run("message", "import", str(csv_file), "--as", "desk", "--site", "gov")
    assert "导入 1 条" in out and "第 3 行未导入" in out
    mid = run("message", "list", "--as", "desk", "--todo").split()[0]
    run("message", "assign", mid, "市城管局", "--as", "desk")
    assert "路灯坏了" in run("message", "list", "--as", "h1", "--todo")
    run("message", "reply", mid, "--as", "h1", "--text", "欧阳建国您好，路灯已修复。", "--submit")
    run("message", "review", mid, "--as", "h1", "--approve", code=1)  # not a head
    run("message", "review", mid, "--as", "head", "--approve")
    run("message", "publish", mid, "--as", "desk", code=1)  # publisher only
    xlsx = tmp_path / "stats.xlsx"
    run("message", "stats", "--as", "desk", "--site", "gov", "--year", str(year), "-o", str(xlsx))
    assert load_workbook(xlsx)["汇总"]["B3"].value == 1
    assert "受理 1，办结 1" in run("message", "stats", "--as", "desk", "--site", "gov", "--year", str(year))

    with open_review(db_url, str(tmp_path / "data")) as svc:
        r = svc.register_foi(
            "foi1", "gov", description="某项信息", applicant={"name": "司马相如", "phone": "13701234567"}
        )
        svc.answer_foi("foi1", r["id"], "not_exist")
    assert "已答复" in run("foi", "list", "--as", "foi1")
    notice = tmp_path / "告知书.docx"
    run("foi", "notice", str(r["id"]), "--as", "foi1", "-o", str(notice))
    assert "司马相如：" in "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
    out = run("annual-report", "--as", "foi1", "--site", "gov", "--year", str(year))
    assert "（一）予以公开" in out and "1.本机关不掌握相关政府信息" in out
    run("annual-report", "--as", "foi1", "--site", "gov", "--year", str(year), "-o", str(tmp_path / "r.docx"))
    run("annual-report", "--as", "desk", "--site", "gov", "--year", str(year), code=1)
    for text in outputs:
        for value in ("欧阳建国", "13901234567", "司马相如", "13701234567", "王五五"):
            assert value not in text
