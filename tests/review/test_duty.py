"""值班读网: re-check of important releases, the daily re-scan diffed against the last run,
items that end with who/what/done (撤稿 in one step), the XLSX log."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pubguard.review import InvalidInput, PermissionDenied
from review.helpers import SITE, fake_scanner, make_service, new_draft
from review.routehelpers import add_route_users, approve_route

TEXT = "关于做好春季农业生产工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。\n"


class Rules:
    """A scanner whose rules can change between days (a new rule finds the word 旧称)."""

    def __init__(self) -> None:
        self.new_rule = False

    def __call__(self, data: bytes, name: str, config: object = None, identity: str | None = None):  # type: ignore[no-untyped-def]
        text = data.decode("utf-8")
        if self.new_rule and "乡镇" in text:
            text = "!medium sensitive_term norms.old_name 乡镇\n" + text
        return fake_scanner(text.encode(), name, config, identity)


@pytest.fixture
def rules() -> Rules:
    return Rules()


@pytest.fixture
def dsvc(db_url, tmp_path, clock, rules):
    from review.conftest import seed

    service = make_service(db_url, tmp_path / "data", clock, scanner=rules)
    seed(service)
    add_route_users(service)
    try:
        yield service
    finally:
        service.close()


def released(svc, *, important: bool) -> tuple[int, dict]:
    d = new_draft(svc, TEXT, important=important)
    approve_route(svc, d["id"])
    return d["id"], svc.release("pub", d["id"])


def test_important_release_gets_a_recheck_due_next_working_day_for_the_duty_officer(dsvc, rules):
    dsvc.set_roster("adm", SITE, dt.date(2026, 3, 3), ["duty1"])
    with pytest.raises(InvalidInput):  # only publishers/admins keep duty
        dsvc.set_roster("adm", SITE, dt.date(2026, 3, 3), ["ed"])
    with pytest.raises(PermissionDenied):
        dsvc.set_roster("pub", SITE, dt.date(2026, 3, 3), ["duty1"])
    released(dsvc, important=False)
    assert dsvc.list_duty_items("duty1", SITE) == []  # ordinary releases: no re-check task
    did, _ = released(dsvc, important=True)
    (item,) = dsvc.list_duty_items("duty1", SITE)
    assert item["kind"] == "recheck" and item["draft_id"] == did
    assert item["due_on"] == "2026-03-03" and item["assignee"] == "duty1"  # clock: Monday 2 March
    rules.new_rule = True  # today's rules know more than the review did
    item = dsvc.recheck_item("duty1", item["id"])
    assert [f["rule"] for f in item["rescan"]["new"]] == ["norms.old_name"]
    assert item["rescan"]["anomaly"] == ""
    assert "duty.rescan" in [e["action"] for e in dsvc.audit_log(None, draft_id=did)]
    dsvc.run_duty(SITE)  # the daily run refreshes the open re-check with its page's re-scan
    (again,) = [i for i in dsvc.list_duty_items("duty1", SITE) if i["kind"] == "recheck"]
    assert again["rescan"]["new"][0]["rule"] == "norms.old_name" and again["rescanned_at"]


def test_daily_run_reports_only_new_findings_and_page_anomalies(dsvc, rules, clock):
    did, rel = released(dsvc, important=False)
    (run,) = dsvc.run_duty(SITE)
    assert run["pages"] == 1 and run["new_items"] == 0
    rules.new_rule = True
    clock.advance(days=1)
    (run,) = dsvc.run_duty(SITE)
    items = dsvc.list_duty_items("pub", SITE)
    assert run["new_items"] == 1 and [i["kind"] for i in items] == ["finding"]
    assert items[0]["finding"]["rule"] == "norms.old_name" and items[0]["due_on"] == "2026-03-03"
    clock.advance(days=1)
    assert dsvc.run_duty(SITE)[0]["new_items"] == 0  # the same finding yesterday: nothing new
    assert dsvc.run_duty(SITE, only_if_due=True) == []  # the worker's trigger: once a day
    Path(rel["location"]).write_text(
        TEXT + "!high personal_data id_card 11**************1234\n", encoding="utf-8"
    )
    (run,) = dsvc.run_duty(SITE)
    kinds = sorted(i["kind"] for i in dsvc.list_duty_items("pub", SITE, status="open"))
    assert kinds == ["anomaly", "finding", "finding"]
    anomaly = next(i for i in dsvc.list_duty_items("pub", SITE) if i["kind"] == "anomaly")
    assert "不一致" in anomaly["finding"]["message"]
    assert dsvc.run_duty(SITE)[0]["new_items"] == 0  # an open anomaly is reported once
    assert dsvc.verify_audit().ok


def test_a_duty_item_ends_with_who_what_done_and_can_withdraw_in_one_step(dsvc, rules, clock):
    did, rel = released(dsvc, important=True)
    item = dsvc.list_duty_items("pub", SITE)[0]
    with pytest.raises(InvalidInput):
        dsvc.close_duty_item("duty1", item["id"], found="", outcome="无问题")
    with pytest.raises(InvalidInput):
        dsvc.close_duty_item("duty1", item["id"], found="x", outcome="忽略")
    with pytest.raises(PermissionDenied):
        dsvc.close_duty_item("ed", item["id"], found="x", outcome="无问题")
    done = dsvc.close_duty_item("duty1", item["id"], found="页面含未脱敏手机号", outcome="撤稿")
    assert done["status"] == "closed" and done["outcome"] == "withdrawn" and done["checked_by"] == "duty1"
    assert dsvc.get_draft("ed", did)["status"] == "withdrawn"
    assert not Path(rel["location"]).exists()
    actions = [e["action"] for e in dsvc.audit_log(None, draft_id=did)]
    assert actions[-2:] == ["withdraw", "duty.close"]


def test_log_exports_as_xlsx_with_formulas_escaped(dsvc):
    released(dsvc, important=True)
    item = dsvc.list_duty_items("pub", SITE)[0]
    dsvc.close_duty_item("duty1", item["id"], found='=HYPERLINK("http://x","点我")', outcome="无问题")
    wb = load_workbook(io.BytesIO(dsvc.export_duty_log("pub", SITE)))
    ws = wb["值班读网日志"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "编号" and rows[1][-1] == "无问题" and rows[1][8] == "duty1"
    assert rows[1][-2] == '\'=HYPERLINK("http://x","点我")'
    assert ws.cell(2, 11).data_type == "s"


def test_duty_run_command(db_url, tmp_path, monkeypatch, clock):
    from pubguard.review.duty_cli import duty_app
    from review.conftest import seed

    svc = make_service(db_url, tmp_path / "data", clock)
    seed(svc)
    svc.close()
    monkeypatch.setenv("PUBGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(duty_app, ["run", "--site", SITE])
    assert result.exit_code == 0, result.output
    assert "站点 gov：复查 0 个页面" in result.output
    result = CliRunner().invoke(duty_app, ["run", "--site", "nope"])
    assert result.exit_code == 2 and "站点不存在" in result.output
    out = tmp_path / "register.xlsx"
    result = CliRunner().invoke(duty_app, ["register", "--as", "pub", "--site", SITE, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["发布登记"].max_row == 1  # the header: nothing released yet
    result = CliRunner().invoke(duty_app, ["register", "--as", "pub", "--deadline", "late"])
    assert result.exit_code == 2 and "时限筛选无效" in result.output


def test_register_lists_every_release_with_reviewers_class_and_deadline(dsvc, clock):
    did, rel = released(dsvc, important=True)
    slow = new_draft(dsvc, TEXT)
    clock.advance(days=40)  # 20 working days are long past
    approve_route(dsvc, slow["id"])
    dsvc.release("pub", slow["id"])
    rows = dsvc.release_register("pub")
    assert [r["draft_id"] for r in rows] == [slow["id"], did]
    first = rows[1]
    assert first["info_class_label"] == "一般信息" and first["disclosure"] == "主动公开"
    assert [(a["name"], a["by"]) for a in first["steps"]][:2] == [("一校", "p1"), ("初审", "r1")]
    assert ("终审", "r3") in [(a["name"], a["by"]) for a in first["steps"]]
    assert first["deadline_met"] is True and rows[0]["deadline_met"] is False
    assert [r["draft_id"] for r in dsvc.release_register("pub", deadline="missed")] == [slow["id"]]
    assert dsvc.release_register("pub", start=dt.date(2026, 4, 1))[0]["draft_id"] == slow["id"]
    assert dsvc.release_register("pub", info_class="major") == []
    assert dsvc.release_register("ed", site="other") == []
    with pytest.raises(InvalidInput):
        dsvc.release_register("pub", deadline="late")
    wb = load_workbook(io.BytesIO(dsvc.release_register_xlsx("pub")))
    table = [[c.value for c in r] for r in wb["发布登记"].iter_rows()]
    assert table[0][0] == "发布编号" and len(table) == 3
    assert "一校：p1" in table[2][12] and table[1][15] == "超期"
