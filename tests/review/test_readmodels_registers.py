"""The registers' read models (值班读网, 政民互动, 依申请公开 in pubguard/review/readmodels.py)
against what the service really returns, checked the way tests/review/test_readmodels.py
checks the drafts': exact keys in the builder's order, every value of its declared type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pubguard.review.readmodels import (
    AnnualReportView,
    AnnualRowView,
    Article20View,
    ColumnCountView,
    DutyFindingSummary,
    DutyItemView,
    DutyRescanView,
    DutyRunView,
    FoiCandidateDraft,
    FoiLimitReminder,
    FoiLimitView,
    FoiNoticeReminder,
    FoiPreparedView,
    FoiRegisterView,
    FoiView,
    ImportErrorRow,
    InstructionView,
    InteractionStatsView,
    MessageDeadlineView,
    MessageImportView,
    MessageRegisterView,
    MessageSummaryView,
    MessageTypeView,
    MessageView,
    NamedTallyView,
    ProactiveView,
    PublishedMessageView,
    QaCheckView,
    RegisterApprovalView,
    RegisterRowView,
    RosterEntryView,
    TallyView,
    UnitView,
)
from review.cleandocs import red_header_docx
from review.helpers import SITE, approve_through
from review.test_annual_report import asvc  # noqa: F401 (fixture)
from review.test_duty import TEXT, dsvc, released, rules  # noqa: F401 (fixtures)
from review.test_foi import at, fsvc, register  # noqa: F401 (fixtures)
from review.test_interaction import INSTRUCTION, REPLY, isvc, receive  # noqa: F401 (fixtures)
from review.test_readmodels import check


def test_duty_roster_items_rescans_and_runs(dsvc, rules, clock) -> None:  # noqa: F811
    day = dt.date(2026, 3, 3)
    for row in [*dsvc.set_roster("adm", SITE, day, ["duty1"]), *dsvc.roster("adm", SITE, day, day)]:
        check(RosterEntryView, row)
    _, rel = released(dsvc, important=True)
    (item,) = dsvc.list_duty_items("duty1", SITE)
    check(DutyItemView, item)
    assert item["kind"] == "recheck" and item["rescan"] is None and item["checked_at"] is None
    rules.new_rule = True
    item = dsvc.recheck_item("duty1", item["id"])
    check(DutyItemView, item)
    assert item["rescan"] is not None and item["rescan"]["new"]
    check(DutyRescanView, item["rescan"])  # as stored and read back
    for f in item["rescan"]["findings"]:
        check(DutyFindingSummary, f)
    clock.advance(days=1)
    Path(rel["location"]).write_text(
        TEXT + "!high personal_data id_card 11**************1234\n", encoding="utf-8"
    )
    runs = dsvc.run_duty(SITE)
    assert runs and runs[0]["new_items"] >= 2
    for run in runs:
        check(DutyRunView, run)
    run_now = dsvc.run_duty_now("pub", SITE)
    assert run_now is not None
    check(DutyRunView, run_now)
    items = dsvc.list_duty_items("pub", SITE)
    assert {i["kind"] for i in items} == {"recheck", "finding", "anomaly"}
    for i in items:
        check(DutyItemView, i)
        if i["kind"] == "finding":
            assert i["finding"] is not None
            check(DutyFindingSummary, i["finding"])
    finding = next(i for i in items if i["kind"] == "finding")
    done = dsvc.close_duty_item("duty1", finding["id"], found="旧称已改正", outcome="改正")
    check(DutyItemView, done)
    assert done["checked_by"] == "duty1" and done["outcome"] == "corrected"
    check(DutyItemView, dsvc.get_duty_item("duty1", finding["id"]))


def test_release_register_rows(dsvc) -> None:  # noqa: F811
    released(dsvc, important=True)
    did, _ = released(dsvc, important=False)
    dsvc.withdraw("pub", did, "内容有误")
    rows = dsvc.release_register("adm")
    assert len(rows) == 2 and any(r["withdrawn_at"] for r in rows)
    for row in rows:
        check(RegisterRowView, row)
        assert row["steps"]
        for step in row["steps"]:
            check(RegisterApprovalView, step)


def check_foi(view: FoiView) -> None:
    check(FoiView, view)
    for x in view["limits"]:
        check(FoiLimitView, x)


def test_foi_requests_through_every_step(fsvc) -> None:  # noqa: F811
    r = register(fsvc)
    check_foi(r)
    assert r["limits"] and r["deadline"] is not None and r["source_draft"] is None
    c = register(fsvc)
    c = fsvc.request_correction("foi1", c["id"], "请写明所需信息的文件名称或文号", on="2026-09-29")
    check_foi(c)
    assert c["correction"]["requested_on"] == "2026-09-29" and c["deadline"] is None
    check_foi(fsvc.receive_correction("foi1", c["id"], on="2026-10-09"))
    p = fsvc.start_consultation("foi1", c["id"], party="某科技有限公司", on="2026-10-12")
    check_foi(p)
    assert p["consultations"] and p["deadline"] is not None and p["deadline"]["due"] is None
    check_foi(fsvc.end_consultation("foi1", c["id"], result="第三方同意公开", on="2026-10-14"))
    e = fsvc.extend_foi("boss", c["id"], 20, "需调阅档案")
    check_foi(e)
    assert e["extension"]["notice_missing"] and e["extension"]["approved_by"]
    fsvc.clock.value = at("2026-10-27")
    reminders = fsvc.foi_reminders("foi1")
    assert {x["kind"] for x in reminders} >= {"answer", "extension_notice"}
    for x in reminders:
        check(FoiNoticeReminder if x["kind"] == "extension_notice" else FoiLimitReminder, x)
    for row in fsvc.list_foi("foi1"):
        check_foi(row)
    check_foi(fsvc.get_foi("foi1", r["id"]))

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
    found = fsvc.foi_candidate_drafts("foi1", r["id"], "救助")
    assert found
    for d in found:
        check(FoiCandidateDraft, d)
    linked = fsvc.foi_link_draft("foi1", r["id"], source["id"])
    check_foi(linked)
    assert linked["source_draft"] is not None
    prepared = fsvc.foi_prepare_release("foi1", r["id"], {"mask_preset": "last4"})
    check(FoiPreparedView, prepared)
    assert prepared["clean"] is not None and prepared["release_draft"] is not None
    approve_through(fsvc, prepared["release_draft"]["id"])
    answered = fsvc.answer_foi("foi1", r["id"], "部分公开", note="个人信息已隐去。")
    check_foi(answered)
    assert answered["answer"]["on"] and answered["release_ready"] is True
    reg = fsvc.foi_register("foi1", r["id"])
    check(FoiRegisterView, reg)
    assert reg["applicant"]["name"] == "司马相如"


def check_message(view: MessageView) -> None:
    check(MessageView, view)
    check(MessageDeadlineView, view["deadline"])
    for i in view["instructions"]:
        check(InstructionView, i)


def test_interaction_units_messages_qa_import_and_statistics(isvc) -> None:  # noqa: F811
    for t in isvc.message_types(SITE).values():
        check(MessageTypeView, t.to_dict())
    check(MessageTypeView, isvc.set_message_type("root", SITE, "consult", 4, "政策咨询"))
    units = isvc.list_units(SITE)
    assert units and any(u["heads"] and u["members"] for u in units)
    for u in units:
        check(UnitView, u)
    unit = isvc.create_unit("root", SITE, "市交通局", head="h2")
    check(UnitView, unit)
    check(UnitView, isvc.set_unit_member("root", unit["id"], "w1"))

    m = receive(isvc)
    check_message(m)
    check_message(isvc.assign_message("desk", m["id"], "市住建局"))
    check_message(isvc.return_message("h2", m["id"], "不属于本单位职责"))
    check_message(isvc.assign_message("desk", m["id"], "市城管局"))
    staff = isvc.add_instruction("desk", m["id"], "张副市长", INSTRUCTION)
    check_message(staff)
    assert staff["instructions"]
    check_message(isvc.draft_reply("h1", m["id"], REPLY, submit=True))
    check_message(isvc.review_reply("head", m["id"], approve=True))
    qa = isvc.check_publication("desk", m["id"])
    check(QaCheckView, qa)
    assert qa["ok"] and qa["question"]
    published = isvc.publish_message("pub", m["id"])
    check_message(published)
    assert published["scan"] is not None and published["published_at"]
    check_message(isvc.close_message("desk", m["id"], satisfaction="满意"))
    check_message(isvc.get_message("h1", m["id"]))
    reg = isvc.message_register("desk", m["id"])
    check(MessageRegisterView, reg)
    assert reg["writer"]["name"] == "欧阳建国" and reg["writer"]["secrets"]
    rows = isvc.list_messages("desk", SITE)
    assert rows
    for row in rows:
        check(MessageSummaryView, row)
    public = isvc.published_messages(SITE)
    assert public
    for p in public:
        check(PublishedMessageView, p)

    csv_text = "标题,内容,姓名,联系电话,留言类型\n咨询补贴,请问补贴怎么申请？,李建华,13712345678,政策咨询\n标题,内容,钱七七,13512345678,不存在的类型\n"
    imported = isvc.import_messages("desk", SITE, csv_text.encode(), "import.csv")
    check(MessageImportView, imported)
    assert imported["imported"] == 1 and imported["errors"]
    for e in imported["errors"]:
        check(ImportErrorRow, e)

    stats = isvc.interaction_stats("desk", SITE, 2026, month=3)
    check(InteractionStatsView, stats)
    check(TallyView, stats["total"])
    assert stats["by_unit"] and stats["by_type"] and stats["total"]["answered"]
    for r in [*stats["by_unit"], *stats["by_type"]]:
        check(NamedTallyView, r)


def test_annual_report(asvc) -> None:  # noqa: F811
    from review.helpers import new_draft

    d = new_draft(asvc)
    approve_through(asvc, d["id"])
    asvc.release("pub", d["id"])
    report = asvc.annual_report("foi1", SITE, 2026)
    check(AnnualReportView, report)
    check(ProactiveView, report["proactive"])
    assert report["proactive"]["by_column"] and report["proactive"]["article_20"]
    assert any(r["cells"] is None for r in report["applications"])  # heading rows
    assert any(r["cells"] for r in report["applications"])
    for row in report["applications"]:
        check(AnnualRowView, row)
    for c in report["proactive"]["by_column"]:
        check(ColumnCountView, c)
    for t in report["proactive"]["article_20"]:
        check(Article20View, t)
