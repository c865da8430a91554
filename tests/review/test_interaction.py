"""政民互动: messages, units, working-day limits on the real calendar, reply → 审阅 → 保密审查 →
published Q&A, privacy of the writer's data, import, statistics (pubguard.review.interaction)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from pubguard.review import GateClosed, InvalidInput, InvalidState, PermissionDenied, ReviewService
from pubguard.review.models import Base
from pubguard.scan import scan_bytes
from review.helpers import Clock, make_service

SITE = "gov"
CN = dt.timezone(dt.timedelta(hours=8))
WRITER = {
    "name": "欧阳建国",
    "phone": "139 0123 4567",
    "address": "幸福路88号3单元502室",
    "email": "oyjg@example.com",
    "secrets": ["我在区卫健委上班"],
}
BODY = (
    "我叫欧阳建国，住在幸福路88号3单元502室，电话13901234567。我在区卫健委上班，"
    "小区门口的路灯坏了半年，晚上出行很不安全，请尽快修复。邻居的手机18612345679也可以联系。"
)
REPLY = "欧阳建国您好：经核实，路灯已于本周修复。如有问题请拨打13901234567回访。感谢您的监督。"
INSTRUCTION = "请城管局务必三日内修复路灯并回访来信人"


def at(day: str, hour: int = 10) -> dt.datetime:
    y, m, d = map(int, day.split("-"))
    return dt.datetime(y, m, d, hour, tzinfo=CN)


@pytest.fixture
def isvc(db_url: str, tmp_path: Path) -> ReviewService:
    clock = Clock(at("2026-03-02"))
    service = make_service(db_url, tmp_path / "data", clock, scanner=scan_bytes)
    service.create_site(SITE, "示例市人民政府网站")
    service.create_site("other", "另一个站点")
    service.create_user("root", is_admin=True)
    for name, roles in {
        "desk": ["interaction"],
        "pub": ["publisher"],
        "h1": [],
        "h2": [],
        "head": [],
        "head2": [],
        "w1": [],
        "outsider": ["editor"],
    }.items():
        service.create_user(name, display_name=name, roles=[(SITE, r) for r in roles])
    unit = service.create_unit("root", SITE, "市城管局", head="head", members=["h1"])
    service.set_unit_member("root", unit["id"], "head2", head=True)
    service.create_unit("root", SITE, "市住建局", head="w1", members=["h2"])
    yield service
    service.close()


def receive(svc: ReviewService, **kw) -> dict:
    args = {"subject": "小区路灯坏了", "body": BODY, "type": "投诉", "writer": WRITER, "channel": "市长信箱"}
    args.update(kw)
    return svc.receive_message("desk", SITE, **args)


def private_values() -> list[str]:
    return ["欧阳建国", "13901234567", "139 0123 4567", "幸福路88号", "oyjg@example.com", "区卫健委上班"]


def assert_clean(text: str, where: str) -> None:
    flat = text.replace(" ", "")
    for value in private_values():
        assert value.replace(" ", "") not in flat, f"{where} 中出现来信人信息"


# ---------------------------------------------------------------- limits on the real calendar


@pytest.mark.parametrize(
    ("received", "type_", "due"),
    [
        # 国庆 2026: 10-01..10-07 off, Saturday 10-10 a make-up working day.
        ("2026-09-29", "政策咨询", "2026-10-09"),  # 09-30, 10-08, 10-09
        ("2026-09-29", "需调查处理", "2026-10-19"),  # ... 10-10 (Sat, make-up) counts
        # 春节 2026: 02-15..02-23 off, Saturday 02-14 a make-up working day.
        ("2026-02-13", "投诉", "2026-02-27"),  # 02-14 (Sat), 02-24, 25, 26, 27
        ("2026-03-02", "建议", "2026-03-11"),  # default 7: plain weeks
    ],
)
def test_limits_by_type_on_the_official_calendar(isvc, received, type_, due):
    m = receive(isvc, type=type_, received_at=at(received))
    assert m["deadline"]["due"] == due
    assert m["deadline"]["approximate"] is False


def test_limit_across_the_year_end_falls_back_and_says_so(isvc):
    # 2027 is not in the calendar package: Monday-Friday, marked approximate.
    m = receive(isvc, type="重难件", received_at=at("2026-12-28"))
    assert m["deadline"]["limit_days"] == 15
    assert m["deadline"]["due"] == "2027-01-18"
    assert m["deadline"]["approximate"] is True
    assert "估算" in m["deadline"]["text"]


def test_site_sets_its_own_limit_and_messages_keep_theirs(isvc):
    before = receive(isvc, type="重难件")
    with pytest.raises(PermissionDenied):
        isvc.set_message_type("desk", SITE, "difficult", 30)
    assert isvc.set_message_type("root", SITE, "difficult", 30)["days"] == 30
    after = receive(isvc, type="重难件")
    assert before["deadline"]["limit_days"] == 15
    assert after["deadline"]["limit_days"] == 30
    assert isvc.message_types("other")["difficult"].days == 15  # per site
    with pytest.raises(InvalidInput):
        isvc.set_message_type("root", SITE, "difficult", 0)


def test_overdue_marks_in_the_todo_list(isvc):
    m = receive(isvc, type="政策咨询")  # received Monday 03-02, due Thursday 03-05
    isvc.assign_message("desk", m["id"], "市城管局")
    todo = isvc.list_messages("h1", todo=True)
    assert [t["id"] for t in todo] == [m["id"]]
    assert todo[0]["deadline"]["overdue"] is False
    isvc.clock.value = at("2026-03-05")
    assert isvc.list_messages("h1", todo=True)[0]["deadline"]["soon"] is True
    isvc.clock.value = at("2026-03-09")  # Monday after: 2 working days late
    row = isvc.list_messages("h1", todo=True)[0]
    assert row["deadline"]["overdue"] is True
    assert row["deadline"]["remaining"] == -2
    assert "已超期 2 个工作日" in row["deadline"]["text"]
    assert isvc.list_messages("desk", overdue=True)[0]["id"] == m["id"]
    assert isvc.list_messages("h2", todo=True) == []  # another unit sees nothing
    assert isvc.list_messages("outsider") == []


# ---------------------------------------------------------------- rules


def test_accusations_never_go_to_the_accused_unit(isvc):
    with pytest.raises(InvalidInput, match="被检举"):
        receive(isvc, type="检举控告")
    m = receive(isvc, type="检举控告", accused_unit="市城管局", public_consent=False)
    with pytest.raises(PermissionDenied, match="被检举控告"):
        isvc.assign_message("desk", m["id"], "市城管局")
    with pytest.raises(PermissionDenied):
        isvc.get_message("h1", m["id"])  # the accused unit cannot even read it
    assert isvc.assign_message("desk", m["id"], "市住建局")["unit"] == "市住建局"


def test_only_unit_members_reply_and_only_another_head_reviews(isvc):
    m = receive(isvc)
    with pytest.raises(PermissionDenied):
        isvc.assign_message("h1", m["id"], "市城管局")
    isvc.assign_message("desk", m["id"], "市城管局")
    with pytest.raises(PermissionDenied):
        isvc.draft_reply("h2", m["id"], "不是本单位")
    isvc.draft_reply("head", m["id"], REPLY, submit=True)
    with pytest.raises(PermissionDenied, match="自己拟写"):
        isvc.review_reply("head", m["id"], approve=True)
    with pytest.raises(PermissionDenied):
        isvc.review_reply("h1", m["id"], approve=True)  # a member, not a head
    with pytest.raises(InvalidInput):
        isvc.review_reply("head2", m["id"], approve=False)  # sending back needs a comment
    back = isvc.review_reply("head2", m["id"], approve=False, comment="请写明修复时间")
    assert back["status"] == "assigned"
    isvc.draft_reply("h1", m["id"], REPLY, submit=True)
    done = isvc.review_reply("head2", m["id"], approve=True)
    assert done["status"] == "answered" and done["answered_on"] == "2026-03-02"
    with pytest.raises(PermissionDenied):
        isvc.publish_message("desk", m["id"])  # publisher only


def test_return_to_the_desk_keeps_the_clock(isvc):
    m = receive(isvc)
    isvc.assign_message("desk", m["id"], "市住建局")
    back = isvc.return_message("h2", m["id"], "不属于本单位职责")
    assert back["status"] == "received" and back["unit"] == ""
    again = isvc.assign_message("desk", m["id"], "市城管局")
    assert again["deadline"]["due"] == m["deadline"]["due"]


# ---------------------------------------------------------------- publication and privacy


def answered(svc: ReviewService, reply: str = REPLY, **kw) -> dict:
    m = receive(svc, **kw)
    svc.assign_message("desk", m["id"], "市城管局")
    svc.draft_reply("h1", m["id"], reply, submit=True)
    svc.review_reply("head", m["id"], approve=True)
    return m


def test_published_q_and_a_is_masked_and_rescanned(isvc):
    m = answered(isvc)
    isvc.add_instruction("desk", m["id"], "张副市长", INSTRUCTION)
    handler_view = isvc.get_message("h1", m["id"])
    assert handler_view["instructions"][0]["body"] == INSTRUCTION  # the unit sees it
    assert_clean(json.dumps(handler_view, ensure_ascii=False), "承办单位看到的来信")
    assert "186****5679" in handler_view["body"]  # found by the scan, not known in advance

    published = isvc.publish_message("pub", m["id"])
    assert published["status"] == "published"
    qa = isvc.published_messages(SITE)
    assert len(qa) == 1
    text = json.dumps(qa, ensure_ascii=False)
    assert_clean(text, "公开的问答")
    assert INSTRUCTION not in text and "张副市长" not in text
    assert "欧***" in qa[0]["question"]
    assert "139****4567" in qa[0]["answer"]
    assert "路灯已于本周修复" in qa[0]["answer"]
    # The published text passes PubGuard's scan without personal data.
    again = scan_bytes((qa[0]["question"] + qa[0]["answer"]).encode(), "qa.txt")
    assert not [
        f for f in again.findings if f.category == "personal_data" and f.severity in ("high", "blocker")
    ]


def test_reply_quoting_the_leaders_instruction_is_not_published(isvc):
    m = answered(isvc, reply="您好，根据领导批示：" + INSTRUCTION + "。现已修复。")
    isvc.add_instruction("desk", m["id"], "张副市长", INSTRUCTION)
    check = isvc.check_publication("pub", m["id"])
    assert not check["ok"] and any("批示" in p for p in check["problems"])
    with pytest.raises(GateClosed) as err:
        isvc.publish_message("pub", m["id"])
    assert any("批示" in r for r in err.value.details["reasons"])
    assert isvc.published_messages(SITE) == []


def test_no_consent_means_closed_not_published(isvc):
    m = answered(isvc, public_consent=False)
    with pytest.raises(InvalidState, match="不同意公开"):
        isvc.publish_message("pub", m["id"])
    closed = isvc.close_message("desk", m["id"], satisfaction="满意")
    assert closed["status"] == "closed" and closed["satisfaction_label"] == "满意"


def test_register_view_is_the_only_place_with_the_writers_data(isvc, caplog):
    caplog.set_level(logging.DEBUG)
    m = answered(isvc)
    isvc.add_instruction("desk", m["id"], "张副市长", INSTRUCTION)
    isvc.publish_message("pub", m["id"])
    isvc.close_message("desk", m["id"], satisfaction="基本满意")
    with pytest.raises(PermissionDenied):
        isvc.message_register("h1", m["id"])
    with pytest.raises(PermissionDenied):
        isvc.message_register("pub", m["id"])
    reg = isvc.message_register("desk", m["id"])
    assert reg["writer"]["name"] == "欧阳建国" and reg["writer"]["body"] == BODY

    # Everything else: every other table, the audit log, the log records, the statistics.
    with isvc.db.read() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "message_private":
                continue
            for row in s.execute(sa.select(table)):
                assert_clean(" ".join(str(v) for v in row), f"表 {table.name}")
    assert_clean(" ".join(r.getMessage() for r in caplog.records), "日志")
    audit = isvc.audit_log("root", limit=500)
    assert any(e["action"] == "message.register_view" for e in audit)
    assert_clean(json.dumps(audit, ensure_ascii=False), "审计记录")
    xlsx = isvc.interaction_stats_xlsx("desk", SITE, 2026, month=3)
    wb = load_workbook(io.BytesIO(xlsx))
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert_clean(cells, "统计表")


# ---------------------------------------------------------------- import


def test_import_csv_and_xlsx(isvc):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["来信渠道", "留言类型", "标题", "内容", "姓名", "联系电话", "地址", "来信时间", "被举报单位"])
    w.writerow(
        [
            "网民留言",
            "政策咨询",
            "咨询补贴",
            "请问补贴怎么申请？",
            "李建华",
            "13712345678",
            "",
            "2026-09-29",
            "",
        ]
    )
    w.writerow(
        ["书记信箱", "检举控告", "举报", "举报某人", "赵六六", "13612345678", "", "2026-09-29", "市城管局"]
    )
    w.writerow(["网民留言", "不存在的类型", "标题", "内容", "钱七七", "13512345678", "", "", ""])
    w.writerow(["网民留言", "投诉", "标题", "内容", "孙八八", "13412345678", "", "二〇二六年", ""])
    out = isvc.import_messages("desk", SITE, buf.getvalue().encode("gb18030"), "messages.csv")
    assert out["imported"] == 2
    assert [e["row"] for e in out["errors"]] == [4, 5]
    assert "钱七七" not in json.dumps(out, ensure_ascii=False)
    assert "13412345678" not in json.dumps(out, ensure_ascii=False)
    first = isvc.list_messages("desk")[0]
    assert first["deadline"]["due"] == "2026-10-09"
    assert first["subject"] == "咨询补贴"

    wb = Workbook()
    ws = wb.active
    ws.append(["标题", "内容", "姓名", "电话", "同意公开"])
    ws.append(["噪音扰民", "工地夜间施工，我是周九九，电话13312345678", "周九九", 13312345678, "否"])
    data = io.BytesIO()
    wb.save(data)
    out = isvc.import_messages("desk", SITE, data.getvalue(), "messages.xlsx")
    assert out == {"imported": 1, "numbers": out["numbers"], "errors": []}
    m = [x for x in isvc.list_messages("desk") if x["number"] == out["numbers"][0]][0]
    full = isvc.get_message("desk", m["id"])
    assert "周九九" not in full["body"] and "13312345678" not in full["body"]
    assert full["public_consent"] is False
    with pytest.raises(PermissionDenied):
        isvc.import_messages("h1", SITE, data.getvalue(), "messages.xlsx")
    with pytest.raises(InvalidInput, match="表头"):
        isvc.import_messages("desk", SITE, b"a,b\n1,2\n", "x.csv")


# ---------------------------------------------------------------- statistics


def test_monthly_and_quarterly_statistics(isvc):
    on_time = answered(isvc, type="投诉", received_at=at("2026-03-02"))  # answered 03-02
    isvc.close_message("desk", on_time["id"], satisfaction="满意")
    late = receive(isvc, type="政策咨询", received_at=at("2026-03-02"))  # due 03-05
    isvc.assign_message("desk", late["id"], "市住建局")
    isvc.clock.value = at("2026-03-10")
    isvc.draft_reply("h2", late["id"], "已答复。", submit=True)
    isvc.review_reply("w1", late["id"], approve=True)
    isvc.close_message("desk", late["id"], satisfaction="不满意")
    receive(isvc, type="政策咨询", received_at=at("2026-03-20"))  # open, due 03-25
    receive(isvc, type="政策咨询", received_at=at("2026-04-01"))  # next month
    isvc.clock.value = at("2026-04-10")

    march = isvc.interaction_stats("desk", SITE, 2026, month=3)
    assert march["period"] == "2026年3月"
    t = march["total"]
    assert (t["received"], t["answered"], t["on_time"], t["overdue"]) == (3, 2, 1, 2)
    assert t["open_overdue"] == 1
    assert t["on_time_rate"] == "50.0%"
    assert (t["satisfied"], t["unsatisfied"], t["satisfaction_rate"]) == (1, 1, "50.0%")
    units = {r["name"]: r for r in march["by_unit"]}
    assert units["市城管局"]["on_time"] == 1 and units["市住建局"]["overdue"] == 1
    assert units["未分办"]["received"] == 1

    q1 = isvc.interaction_stats("desk", SITE, 2026, quarter=1)
    assert q1["total"]["received"] == 3 and q1["period"] == "2026年第一季度"
    april = isvc.interaction_stats("desk", SITE, 2026, month=4)
    assert april["total"]["received"] == 1
    assert april["total"]["overdue"] == 2  # both open ones are past their limit on 04-10
    with pytest.raises(PermissionDenied):
        isvc.interaction_stats("h1", SITE, 2026, month=3)
    with pytest.raises(InvalidInput):
        isvc.interaction_stats("desk", SITE, 2026, month=13)


def test_statistics_xlsx_escapes_formula_prefixes(isvc):
    evil = isvc.create_unit("root", SITE, '=HYPERLINK("http://evil.example","点我")')
    m = receive(isvc)
    isvc.assign_message("desk", m["id"], evil["id"])
    wb = load_workbook(io.BytesIO(isvc.interaction_stats_xlsx("desk", SITE, 2026, quarter=1)))
    names = [c.value for c in wb["按承办单位"]["A"]]
    assert '\'=HYPERLINK("http://evil.example","点我")' in names
    assert all(
        not str(c.value).startswith("=") for ws in wb for row in ws.iter_rows() for c in row if c.value
    )
    assert wb["汇总"]["B3"].value == 1  # numbers stay numbers
