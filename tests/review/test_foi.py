"""依申请公开: the register, the statutory clocks on the real calendar (补正, 20 working days, one
extension, consultation pause), answer types, 区分处理 through the clean copy, the 告知书 and the
privacy of the applicant (pubguard.review.foi)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import docx
import pymupdf
import pytest
import sqlalchemy as sa

from pubguard.config import ScanConfig
from pubguard.review import InvalidInput, InvalidState, PermissionDenied, ReviewService, ReviewSettings
from pubguard.review.models import Base
from review.cleandocs import ID_NUMBER, red_header_docx
from review.conftest import seed
from review.helpers import SITE, Clock, approve_through

CN = dt.timezone(dt.timedelta(hours=8))
APPLICANT = {
    "name": "司马相如",
    "id_number": "110101199003071233",
    "phone": "13701234567",
    "address": "长安街100号",
    "email": "smxr@example.com",
}
PRIVATE = ["司马相如", "110101199003071233", "13701234567", "长安街100号", "smxr@example.com"]
WANTED = "2026年本市临时救助资金发放情况（申请人司马相如，电话13701234567）"


def at(day: str) -> dt.datetime:
    y, m, d = map(int, day.split("-"))
    return dt.datetime(y, m, d, 10, tzinfo=CN)


@pytest.fixture
def fsvc(db_url: str, tmp_path: Path) -> Iterator[ReviewService]:
    settings = ReviewSettings(
        data_dir=tmp_path / "data", database_url=db_url, scan_config=ScanConfig(ocr=False)
    )
    service = ReviewService(settings, clock=Clock(at("2026-09-28")))
    seed(service)
    service.create_user("foi1", roles=[(SITE, "foi"), (SITE, "editor")])
    service.create_user("boss", roles=[(SITE, "foi_head")])
    try:
        yield service
    finally:
        service.close()


def register(svc: ReviewService, received: str = "2026-09-28", **kw) -> dict:
    args = {"description": WANTED, "applicant": APPLICANT, "received_on": received}
    args.update(kw)
    return svc.register_foi("foi1", SITE, **args)


def limit(r: dict, kind: str) -> dict:
    return next(x for x in r["limits"] if x["kind"] == kind)


def test_answer_limit_over_national_day(fsvc):
    r = register(fsvc)  # Monday 09-28; 10-01..07 off, Saturday 10-10 worked
    assert limit(r, "answer")["due"] == "2026-10-30"
    assert limit(r, "correction")["due"] == "2026-10-13"
    assert r["status"] == "registered" and not r["overdue"]


def test_spring_festival_with_make_up_saturdays(fsvc):
    r = register(fsvc, "2026-02-10")  # 02-14 and 02-28 (Saturdays) worked, 02-15..23 off
    assert limit(r, "answer")["due"] == "2026-03-16"


def test_correction_once_within_seven_days_and_the_clock_restarts(fsvc):
    r = register(fsvc)
    late = register(fsvc)
    with pytest.raises(InvalidState, match="告知补正的期限"):
        fsvc.request_correction("foi1", late["id"], "请写明文件名称", on="2026-10-14")
    r = fsvc.request_correction("foi1", r["id"], "请写明所需信息的文件名称或文号", on="2026-10-13")
    assert r["status"] == "correction"
    assert [x["kind"] for x in r["limits"]] == []  # no answer clock while the applicant corrects
    with pytest.raises(InvalidState):
        fsvc.request_correction("foi1", r["id"], "再补正一次", on="2026-10-13")
    with pytest.raises(InvalidState, match="待补正"):
        fsvc.answer_foi("foi1", r["id"], "予以公开")
    r = fsvc.receive_correction("foi1", r["id"], on="2026-10-20")
    assert r["clock_start"] == "2026-10-20"
    assert limit(r, "answer")["due"] == "2026-11-17"
    assert not [x for x in r["limits"] if x["kind"] == "correction"]


def test_applicant_who_never_corrects(fsvc):
    r = register(fsvc)
    fsvc.request_correction("foi1", r["id"], "请写明文件名称", on="2026-09-29")
    r = fsvc.answer_foi("foi1", r["id"], "no_correction", on="2026-11-02")
    assert r["answer"]["article"] == "第三十条" and r["answer"]["late"] is False


def test_consultation_pauses_the_clock(fsvc):
    fsvc.clock.value = at("2026-11-04")
    r = register(fsvc, "2026-11-02")
    assert limit(r, "answer")["due"] == "2026-11-30"
    r = fsvc.start_consultation("foi1", r["id"], party="某科技有限公司", on="2026-11-04")
    assert limit(r, "answer")["due"] is None and "暂停" in limit(r, "answer")["text"]
    assert limit(r, "consultation")["due"] == "2026-11-25"  # 15 working days for the third party
    with pytest.raises(InvalidState, match="征求意见"):
        fsvc.answer_foi("foi1", r["id"], "予以公开")
    r = fsvc.end_consultation("foi1", r["id"], result="第三方不同意公开", on="2026-11-11")
    assert limit(r, "answer")["due"] == "2026-12-07"  # 11-05..11-11 (5 working days) not counted


def test_one_extension_by_the_head_across_the_year_end(fsvc):
    fsvc.clock.value = at("2026-12-10")
    r = register(fsvc, "2026-12-01")
    assert limit(r, "answer")["due"] == "2026-12-29"
    with pytest.raises(PermissionDenied):
        fsvc.extend_foi("foi1", r["id"], 20, "需调阅档案")
    with pytest.raises(InvalidInput):
        fsvc.extend_foi("boss", r["id"], 21, "需调阅档案")
    r = fsvc.extend_foi("boss", r["id"], 20, "需调阅档案")
    due = limit(r, "answer")
    assert due["due"] == "2027-01-26" and due["approximate"] is True  # 2027: Monday-Friday estimate
    assert r["extension"]["notice_missing"] is True
    assert any(x["kind"] == "extension_notice" for x in fsvc.foi_reminders("foi1"))
    with pytest.raises(InvalidState, match="一次"):
        fsvc.extend_foi("boss", r["id"], 5, "再延")
    name, data = fsvc.foi_notice("foi1", r["id"], "extension", "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "延期答复告知书" in text and "延长20个工作日" in text and "2027年1月26日前" in text
    assert fsvc.get_foi("foi1", r["id"])["extension"]["notice_missing"] is False

    late = register(fsvc, "2026-11-02")  # due 11-30, today 12-10
    with pytest.raises(InvalidState, match="届满"):
        fsvc.extend_foi("boss", late["id"], 10, "需调阅档案")
    assert fsvc.get_foi("foi1", late["id"])["overdue"] is True


def test_reminders_before_each_limit(fsvc):
    r = register(fsvc)
    fsvc.clock.value = at("2026-10-09")  # correction limit 10-13: 3 working days (10-10, 12, 13)
    rem = fsvc.foi_reminders("foi1")
    assert [(x["id"], x["kind"]) for x in rem] == [(r["id"], "correction")]
    fsvc.clock.value = at("2026-10-27")  # answer due 10-30
    rem = fsvc.foi_reminders("foi1")
    assert [(x["id"], x["kind"]) for x in rem] == [(r["id"], "answer")]
    assert rem[0]["remaining"] == 3
    with pytest.raises(PermissionDenied):
        fsvc.foi_reminders("r1") or fsvc.get_foi("r1", r["id"])


def test_answer_types_carry_their_article(fsvc):
    a = fsvc.answer_foi("foi1", register(fsvc)["id"], "不予公开（属于三类内部事务信息）")
    assert a["answer"]["type"] == "withheld_internal" and a["answer"]["article"] == "第十六条第一款"
    with pytest.raises(InvalidInput, match="须写明"):
        fsvc.answer_foi("foi1", register(fsvc)["id"], "withheld_law")
    with pytest.raises(InvalidState, match="区分处理稿"):
        fsvc.answer_foi("foi1", register(fsvc)["id"], "部分公开")
    with pytest.raises(InvalidInput, match="答复类型无效"):
        fsvc.answer_foi("foi1", register(fsvc)["id"], "随便答复")
    late = fsvc.answer_foi(
        "foi1", register(fsvc)["id"], "信息不存在（本机关不掌握相关政府信息）", on="2026-11-02"
    )
    assert late["answer"]["late"] is True  # due 10-30
    name, data = fsvc.foi_notice("foi1", a["id"], "answer", "pdf")
    text = "".join(p.get_text() for p in pymupdf.open("pdf", data)).replace("\n", "")
    assert "答复告知书" in text and "第十六条第一款" in text and "司马相如" in text
    assert "行政复议" in text


def test_partial_release_through_the_clean_copy_and_review(fsvc, caplog):
    caplog.set_level(logging.DEBUG)
    source = fsvc.create_draft(
        "ed", SITE, "临时救助资金发放情况", data=red_header_docx(), filename="救助.docx"
    )
    fsvc.set_disclosure(
        "ed",
        source["id"],
        "依申请公开",
        basis="《中华人民共和国政府信息公开条例》第十五条",
        reason="含个人隐私",
    )
    other = fsvc.create_draft("ed", SITE, "会议纪要", data=red_header_docx(), filename="纪要.docx")
    fsvc.set_disclosure("ed", other["id"], "主动公开")
    r = register(fsvc)
    found = fsvc.foi_candidate_drafts("foi1", r["id"], "救助")
    assert [d["id"] for d in found] == [source["id"]]
    assert other["id"] not in [d["id"] for d in fsvc.foi_candidate_drafts("foi1", r["id"])]
    with pytest.raises(InvalidInput):
        fsvc.foi_link_draft("foi1", r["id"], other["id"])
    fsvc.foi_link_draft("foi1", r["id"], source["id"])
    r = fsvc.foi_prepare_release("foi1", r["id"], {"mask_preset": "last4"})
    assert r["clean"]["releasable"] is True
    release_id = r["release_draft"]["id"]
    with pytest.raises(InvalidState, match="审核"):
        fsvc.answer_foi("foi1", r["id"], "部分公开", note="个人信息已隐去。")
    approve_through(fsvc, release_id)  # 三审三校 like any draft
    r = fsvc.answer_foi("foi1", r["id"], "部分公开", note="个人信息已隐去。")
    assert r["answer"]["article"] == "第三十七条" and r["release_ready"] is True
    name, data = fsvc.foi_release_file("foi1", r["id"])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert ID_NUMBER not in text and "南宁市财政局文件" not in text

    # Privacy: the applicant's data only in foi_private, the register view and the 告知书.
    reg = fsvc.foi_register("foi1", r["id"])
    assert reg["applicant"]["name"] == "司马相如" and reg["applicant"]["description"] == WANTED
    with pytest.raises(PermissionDenied):
        fsvc.foi_register("r1", r["id"])
    _, notice = fsvc.foi_notice("foi1", r["id"], "answer", "docx")
    assert "司马相如：" in "\n".join(p.text for p in docx.Document(io.BytesIO(notice)).paragraphs)
    seen = [json.dumps(fsvc.get_foi("foi1", r["id"]), ensure_ascii=False)]
    seen.append(json.dumps(fsvc.list_foi("foi1"), ensure_ascii=False))
    seen.append(json.dumps(fsvc.audit_log("root", limit=1000), ensure_ascii=False))
    seen.append(" ".join(x.getMessage() for x in caplog.records))
    with fsvc.db.read() as s:
        for table in Base.metadata.sorted_tables:
            if table.name != "foi_private":
                seen.extend(" ".join(str(v) for v in row) for row in s.execute(sa.select(table)))
    blob = "\n".join(seen)
    for value in PRIVATE:
        assert value not in blob, "申请人信息出现在登记簿以外"
    assert "2026年本市临时救助资金发放情况" in fsvc.get_foi("foi1", r["id"])["description"]
