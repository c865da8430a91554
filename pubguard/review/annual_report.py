"""Statistics tables of the 政府信息公开工作年度报告 for one site and year, from the registers and
the release log:

- 二、主动公开政府信息情况: releases made in the year (by 栏目, withdrawn ones counted apart) and the
  政民互动 Q&A published in the year. The 第二十条 rows of the national template (规章, 行政规范性
  文件, 行政许可, 行政处罚, 行政强制, 行政事业性收费) need data PubGuard does not hold; they are
  listed with empty cells for the office to fill in.
- 三、收到和处理政府信息公开申请情况: the mandated table (国办公开办函〔2021〕30号): rows 一 本年新收,
  二 上年结转, 三 办理结果 (予以公开, 部分公开, 不予公开 1–8, 无法提供 1–3, 不予处理 1–5, 其他处理
  1–3, 总计), 四 结转下年度继续办理; columns 自然人, 法人或其他组织 (商业企业, 科研机构, 社会公益组织,
  法律服务机构, 其他), 总计. Answer types map onto rows through `foi.toml`.

Output as a dict (page / API), XLSX (cells escaped by `sheets.safe_cell`) and a DOCX section."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.review.base import CHINA_TZ, Actor, ServiceBase
from pubguard.review.errors import InvalidInput
from pubguard.review.foi import answer_types, config
from pubguard.review.models import Draft, Release, User
from pubguard.review.readmodels import AnnualReportView, AnnualRowView
from pubguard.review.registers import FoiRequest, Message
from pubguard.review.sheets import xlsx_bytes

KINDS = ("natural", "business", "research", "public_welfare", "legal_service", "other_org")
# (key, label, level): level 0 a numbered row, 1 a result group or row, 2 a sub-row; key None: a
# heading row without numbers.
ROWS: tuple[tuple[str | None, str, int], ...] = (
    ("new", "一、本年新收政府信息公开申请数量", 0),
    ("carried_in", "二、上年结转政府信息公开申请数量", 0),
    (None, "三、本年度办理结果", 0),
    ("public", "（一）予以公开", 1),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
    (None, "（三）不予公开", 1),
    ("withheld_secret", "1.属于国家秘密", 2),
    ("withheld_law", "2.其他法律行政法规禁止公开", 2),
    ("withheld_security", "3.危及“三安全一稳定”", 2),
    ("withheld_third_party", "4.保护第三方合法权益", 2),
    ("withheld_internal", "5.属于三类内部事务信息", 2),
    ("withheld_process", "6.属于四类过程性信息", 2),
    ("withheld_enforcement", "7.属于行政执法案卷", 2),
    ("withheld_query", "8.属于行政查询事项", 2),
    (None, "（四）无法提供", 1),
    ("unable_not_held", "1.本机关不掌握相关政府信息", 2),
    ("unable_create", "2.没有现成信息需要另行制作", 2),
    ("unable_unclear", "3.补正后申请内容仍不明确", 2),
    (None, "（五）不予处理", 1),
    ("ignored_petition", "1.信访举报投诉类申请", 2),
    ("ignored_duplicate", "2.重复申请", 2),
    ("ignored_publication", "3.要求提供公开出版物", 2),
    ("ignored_mass", "4.无正当理由大量反复申请", 2),
    ("ignored_confirm", "5.要求行政机关确认或重新出具已获取信息", 2),
    (None, "（六）其他处理", 1),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2),
    ("other_other", "3.其他", 2),
    ("total", "（七）总计", 1),
    ("carried_out", "四、结转下年度继续办理", 0),
)
ARTICLE_20 = (
    (
        "第二十条第（一）项",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "行政规范性文件"],
    ),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], ["行政许可"]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费"]),
)
SECTION_2 = "二、主动公开政府信息情况"
SECTION_3 = "三、收到和处理政府信息公开申请情况"


def _year_bounds(year: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份无效。")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        start,
        end,
        dt.datetime(year, 1, 1, tzinfo=CHINA_TZ),
        dt.datetime(year + 1, 1, 1, tzinfo=CHINA_TZ),
    )


def _kind(req: FoiRequest) -> str:
    return req.applicant_kind if req.applicant_kind in KINDS else "other_org"


class AnnualReportMixin(ServiceBase):
    def _acting(self, s: Session, actor: Actor) -> User:
        """The acting user (required: `_user` raises when there is none)."""
        user = self._user(s, actor)
        assert user is not None
        return user

    def annual_report(self, actor: Actor, site: str, year: int) -> AnnualReportView:
        start, end, t0, t1 = _year_bounds(year)
        rows_of = {k: v["row"] for k, v in answer_types().items()}
        with self.db.read() as s:
            user = self._acting(s, actor)
            self._require_role(user, site, "foi", "foi_head", "admin", what="编制政府信息公开工作年度报告")
            counts: dict[str, Counter[str]] = {k: Counter() for k, _, _ in ROWS if k}
            for req in s.execute(
                select(FoiRequest).where(FoiRequest.site == site, FoiRequest.received_on <= end)
            ).scalars():
                kind = _kind(req)
                answered = req.answered_on if req.answer_type else None
                if answered is not None and answered < start:
                    continue  # finished in an earlier year
                if req.received_on >= start:
                    counts["new"][kind] += 1
                else:
                    counts["carried_in"][kind] += 1
                if answered is not None and answered <= end:
                    row = rows_of.get(req.answer_type or "", "other_other")
                    counts[row][kind] += 1
                    counts["total"][kind] += 1
                else:
                    counts["carried_out"][kind] += 1
            table: list[AnnualRowView] = []
            for key, label, level in ROWS:
                c = counts.get(key) if key else None
                cells = [c[k] for k in KINDS] + [sum(c.values())] if c is not None else None
                table.append({"key": key, "label": label, "level": level, "cells": cells})
            received = sum(counts["new"].values()) + sum(counts["carried_in"].values())
            handled = sum(counts["total"].values()) + sum(counts["carried_out"].values())

            by_column: Counter[str] = Counter()
            withdrawn = 0
            for rel, column in s.execute(
                select(Release, Draft.column_name)
                .join(Draft, Draft.id == Release.draft_id)
                .where(Draft.site == site, Release.released_at >= t0, Release.released_at < t1)
            ):
                by_column[column or "（未分栏目）"] += 1
                if rel.withdrawn_at is not None:
                    withdrawn += 1
            published = s.execute(
                select(Message.published_at).where(Message.site == site, Message.published_at.is_not(None))
            ).scalars()
            qa = len([at for at in published if at is not None and t0 <= at < t1])
            return {
                "site": site,
                "year": year,
                "columns": [config()["applicant_kinds"][k] for k in KINDS] + ["总计"],
                "applications": table,
                "balanced": received == handled,
                "proactive": {
                    "releases": sum(by_column.values()),
                    "withdrawn": withdrawn,
                    "by_column": [{"column": k, "count": v} for k, v in sorted(by_column.items())],
                    "qa_published": qa,
                    "article_20": [
                        {
                            "item": item,
                            "head": head,
                            "rows": [[name] + [None] * (len(head) - 1) for name in names],
                        }
                        for item, head, names in ARTICLE_20
                    ],
                },
            }

    def annual_report_xlsx(self, actor: Actor, site: str, year: int) -> bytes:
        r = self.annual_report(actor, site, year)
        apps: list[list[Any]] = [
            [f"{r['year']}年{SECTION_3}"],
            ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"],
            ["", "", "申请人情况"],
            ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
            ["", "", "", *r["columns"][1:6], ""],
        ]
        for row in r["applications"]:
            indent: list[Any] = ["", ""]
            indent[min(row["level"], 1)] = row["label"]
            apps.append(indent + (row["cells"] or []))
        p = r["proactive"]
        proactive: list[list[Any]] = [
            [f"{r['year']}年{SECTION_2}"],
            ["本年发布信息（条）", p["releases"]],
            ["其中已撤稿", p["withdrawn"]],
        ]
        proactive.append(["政民互动公开问答（条）", p["qa_published"]])
        proactive.append([])
        proactive.append(["栏目", "本年发布（条）"])
        proactive += [[c["column"], c["count"]] for c in p["by_column"]]
        for block in p["article_20"]:
            proactive += [[], [block["item"]], block["head"], *block["rows"]]
        proactive += [[], ["第二十条各项数据由政府信息公开工作机构据实填写（PubGuard 不掌握）。"]]
        return xlsx_bytes({"依申请公开": apps, "主动公开": proactive})

    def annual_report_docx(self, actor: Actor, site: str, year: int) -> bytes:
        """Sections 二 and 三 of the report as a Word document to paste into the full report."""
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        r = self.annual_report(actor, site, year)
        doc = Document()
        doc.styles["Normal"].font.size = Pt(10.5)
        doc.add_heading(SECTION_2, level=2)
        p = r["proactive"]
        doc.add_paragraph(
            f"{r['year']}年，本机关网站发布信息 {p['releases']} 条（其中撤稿 {p['withdrawn']} 条），"
            f"公开政民互动问答 {p['qa_published']} 条。"
        )
        for block in p["article_20"]:
            t = doc.add_table(rows=2 + len(block["rows"]), cols=len(block["head"]))
            t.style = "Table Grid"
            first = t.cell(0, 0).merge(t.cell(0, len(block["head"]) - 1))
            first.text = block["item"]
            for i, h in enumerate(block["head"]):
                t.cell(1, i).text = h
            for j, row in enumerate(block["rows"], start=2):
                for i, v in enumerate(row):
                    t.cell(j, i).text = "" if v is None else str(v)
            doc.add_paragraph("")
        doc.add_heading(SECTION_3, level=2)
        table = doc.add_table(rows=3 + len(r["applications"]), cols=9)
        table.style = "Table Grid"
        table.cell(0, 0).merge(
            table.cell(2, 1)
        ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        table.cell(0, 2).merge(table.cell(0, 8)).text = "申请人情况"
        table.cell(1, 2).merge(table.cell(2, 2)).text = "自然人"
        table.cell(1, 3).merge(table.cell(1, 7)).text = "法人或其他组织"
        for i, name in enumerate(r["columns"][1:6]):
            table.cell(2, 3 + i).text = name
        table.cell(1, 8).merge(table.cell(2, 8)).text = "总计"
        for n, app in enumerate(r["applications"], start=3):
            if app["level"] == 0:
                table.cell(n, 0).merge(table.cell(n, 1)).text = app["label"]
            else:
                table.cell(n, 0 if app["level"] == 1 else 1).text = app["label"]
            for i, count in enumerate(app["cells"] or []):
                cell = table.cell(n, 2 + i)
                cell.text = str(count)
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if not r["balanced"]:
            doc.add_paragraph("注意：第一项加第二项之和与第三项加第四项之和不一致，请核对登记簿。")
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
