"""政府信息公开工作年度报告 tables from the registers and the release log (pubguard.review.annual_report):
the mandated "收到和处理政府信息公开申请情况" table with carried-over requests across year ends, the
主动公开 counts, XLSX and DOCX."""

from __future__ import annotations

import io

import docx
import pytest
from openpyxl import load_workbook

from pubguard.review import PermissionDenied
from pubguard.review.annual_report import ROWS
from review.helpers import SITE, approve_through, new_draft

APPLICANT = {"name": "司马相如", "phone": "13701234567"}


@pytest.fixture
def asvc(svc):
    svc.create_user("foi1", roles=[(SITE, "foi")])

    def req(received: str, kind: str, answer: str | None = None, on: str | None = None) -> dict:
        r = svc.register_foi(
            "foi1",
            SITE,
            description="某项政府信息",
            applicant=APPLICANT,
            applicant_kind=kind,
            received_on=received,
        )
        if answer:
            r = svc.answer_foi("foi1", r["id"], answer, on=on)
        return r

    req("2025-11-01", "business", "public", "2025-12-01")  # finished in 2025: not in 2026
    req("2025-12-20", "natural", "public", "2026-01-10")  # carried into 2026
    req("2026-02-01", "research", "withheld_internal", "2026-03-01")
    req("2026-05-01", "legal_service")  # still open at the end of 2026
    req("2026-12-28", "natural", "already_public", "2027-01-05")  # answered the next year
    req("2026-06-01", "other_org", "duplicate", "2026-06-05")
    req("2026-07-01", "natural", "not_exist", "2026-07-10")
    req("2026-07-02", "natural", "not_responsible", "2026-07-10")
    req("2026-08-01", "public_welfare", "no_fee", "2026-09-01")
    return svc


def rows(report: dict) -> dict[str, list[int]]:
    return {r["key"]: r["cells"] for r in report["applications"] if r["key"]}


def test_application_table_with_carry_over(asvc):
    r = asvc.annual_report("foi1", SITE, 2026)
    assert r["columns"] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    t = rows(r)
    #                     自然人 商业 科研 公益 法律 其他 总计
    assert t["new"] == [3, 0, 1, 1, 1, 1, 7]
    assert t["carried_in"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["public"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["withheld_internal"] == [0, 0, 1, 0, 0, 0, 1]
    assert t["unable_not_held"] == [2, 0, 0, 0, 0, 0, 2]  # 信息不存在 + 非本机关负责
    assert t["ignored_duplicate"] == [0, 0, 0, 0, 0, 1, 1]
    assert t["other_no_fee"] == [0, 0, 0, 1, 0, 0, 1]
    assert t["partial"] == [0] * 7
    assert t["total"] == [3, 0, 1, 1, 0, 1, 6]
    assert t["carried_out"] == [1, 0, 0, 0, 1, 0, 2]
    assert r["balanced"] is True  # 一 + 二 = 三 + 四
    labels = [x["label"] for x in r["applications"]]
    assert labels[0].startswith("一、本年新收") and labels[-1] == "四、结转下年度继续办理"
    assert len([k for k, _, level in ROWS if level == 2]) == 8 + 3 + 5 + 3

    nxt = rows(asvc.annual_report("foi1", SITE, 2027))
    assert nxt["carried_in"] == [1, 0, 0, 0, 1, 0, 2]  # what 2026 carried out
    assert nxt["public"][0] == 1 and nxt["new"][-1] == 0
    with pytest.raises(PermissionDenied):
        asvc.annual_report("ed", SITE, 2026)


def test_proactive_counts_from_the_release_log(asvc):
    for _ in range(2):
        d = new_draft(asvc)
        approve_through(asvc, d["id"])
        asvc.release("pub", d["id"])
    asvc.withdraw("pub", d["id"], "信息有误")
    p = asvc.annual_report("foi1", SITE, 2026)["proactive"]
    assert p["releases"] == 2 and p["withdrawn"] == 1
    assert p["by_column"] == [{"column": "通知公告", "count": 2}]
    assert asvc.annual_report("foi1", SITE, 2025)["proactive"]["releases"] == 0
    assert [b["item"] for b in p["article_20"]][0] == "第二十条第（一）项"


def test_xlsx_and_docx(asvc):
    wb = load_workbook(io.BytesIO(asvc.annual_report_xlsx("foi1", SITE, 2026)))
    ws = wb["依申请公开"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    new = next(v for v in values if v[0] == "一、本年新收政府信息公开申请数量")
    assert new[2:] == [3, 0, 1, 1, 1, 1, 7]
    assert any(v[1] == "8.属于行政查询事项" for v in values)
    assert "规章" in [c.value for c in wb["主动公开"]["A"]]
    doc = docx.Document(io.BytesIO(asvc.annual_report_docx("foi1", SITE, 2026)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "三、收到和处理政府信息公开申请情况" in text
    table = doc.tables[-1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    last = cells[-1]
    assert last[0] == "四、结转下年度继续办理" and last[2:] == ["1", "0", "0", "0", "1", "0", "2"]
    assert cells[0][2] == "申请人情况" and cells[1][3] == "法人或其他组织"
