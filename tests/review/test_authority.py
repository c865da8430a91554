"""Who may dismiss a finding (误报) and separation of duties, both as per-site data
(`[authority]` / `[duties]` of the workflow TOML), and approval without `step_key` under a
race (20 parallel calls)."""

from __future__ import annotations

import threading

import pytest

from pubguard.review import Conflict, InvalidState, PermissionDenied, ReviewError
from pubguard.review.workflow import WORKFLOW_DIR
from review.helpers import CLEAN, SITE, approve_through, new_draft

SECRET = "!blocker classification_mark secret_mark 机密★1年\n"
PHONE = "!high personal_data mobile 138****5678\n"
IDS = "".join(f"!high personal_data id_card 32**************{1000 + i}\n" for i in range(3))


def findings(svc, draft_id: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in svc.list_findings("r1", draft_id):
        out.setdefault(f["rule"], []).append(f)
    return out


def test_the_reported_case_proofreaders_cannot_clear_a_secret_mark_and_personal_data(svc):
    d = new_draft(svc, SECRET + PHONE + IDS + CLEAN)
    f = findings(svc, d["id"])
    with pytest.raises(PermissionDenied, match="终审"):
        svc.decide_finding("p1", f["secret_mark"][0]["id"], "false_positive", reason="不是密级")
    for row in f["mobile"] + f["id_card"]:
        for who in ("p1", "r1"):  # 校对 and 初审 lack the authority for high
            with pytest.raises(PermissionDenied, match="复审"):
                svc.decide_finding(who, row["id"], "false_positive", reason="测试号码")
    with pytest.raises(PermissionDenied, match="终审"):
        svc.decide_finding("r2", f["secret_mark"][0]["id"], "false_positive", reason="不是密级")
    d = approve_through(svc, d["id"], until="review3")
    with pytest.raises(InvalidState, match="5 项"):  # 终审 refuses to confirm 主动公开
        svc.approve("r3", d["id"], d["current_version_id"])
    assert any("阻断或高风险问题尚未处理" in r for r in svc.check_release(d["id"])["reasons"])


def test_a_dismissal_counts_only_once_another_person_confirms_it_at_a_later_step(svc):
    d = new_draft(svc, PHONE + CLEAN)
    fid = findings(svc, d["id"])["mobile"][0]["id"]
    svc.decide_finding("r2", fid, "false_positive", reason="是单位值班电话的示例")  # at 一校
    with pytest.raises(InvalidState, match="后续"):  # same step: no second look yet
        svc.decide_finding("r1", fid, "false_positive", reason="同意")
    d = approve_through(svc, d["id"], until="review2")
    # the dismisser re-marking it is not a confirmation
    row = svc.decide_finding("r2", fid, "false_positive", reason="仍是误报")
    assert row["confirmed_by"] is None
    d = approve_through(svc, d["id"], until="review2")
    with pytest.raises(InvalidState, match="后续"):  # r2's re-decision was made at 复审
        svc.decide_finding("r3", fid, "false_positive", reason="同意")
    d = approve_through(svc, d["id"], until="review3")
    reasons = svc.check_release(d["id"])["reasons"]
    assert any("尚待另一审核人在后续环节确认" in r for r in reasons)
    with pytest.raises(PermissionDenied):  # a proofreader is no reviewer
        svc.decide_finding("p3", fid, "false_positive", reason="同意")
    row = svc.decide_finding("r3", fid, "false_positive", reason="核实为示例号码")
    assert row["confirmed_by"] == "r3" and row["decided_by"] == "r2"
    d = approve_through(svc, d["id"])
    assert svc.check_release(d["id"]) == {"ok": True, "reasons": []}
    actions = [e["action"] for e in svc.audit_log("adm", draft_id=d["id"])]
    assert "finding.confirm" in actions


def test_a_blocker_dismissal_needs_the_final_reviewer_and_a_second_person(svc):
    d = new_draft(svc, SECRET + CLEAN)
    fid = findings(svc, d["id"])["secret_mark"][0]["id"]
    svc.decide_finding("r3", fid, "false_positive", reason="为引用的旧文件标题，非本文密级")
    d = approve_through(svc, d["id"], until="review1")
    svc.decide_finding("r1", fid, "false_positive", reason="核对属实")
    d = approve_through(svc, d["id"])
    assert svc.check_release(d["id"])["ok"]


def test_low_findings_stay_easy_to_dismiss(svc):
    d = new_draft(svc, "!low proofreading typo 按排\n" + CLEAN)
    row = svc.decide_finding("p1", findings(svc, d["id"])["typo"][0]["id"], "false_positive", reason="人名")
    assert row["status"] == "false_positive"
    assert svc.check_release(approve_through(svc, d["id"])["id"])["ok"]


def test_separation_of_duties(svc):
    svc.create_user("both", display_name="校审兼任")
    for role in ("proofreader", "reviewer1"):
        svc.grant_role("both", SITE, role)
    d = new_draft(svc)
    svc.approve("both", d["id"], d["current_version_id"], step_key="proof1")
    with pytest.raises(PermissionDenied, match="既校对又审核"):
        svc.approve("both", d["id"], d["current_version_id"], step_key="review1")
    svc.approve("r1", d["id"], d["current_version_id"], step_key="review1")
    with pytest.raises(PermissionDenied, match="不同的人"):
        svc.approve("both", d["id"], d["current_version_id"], step_key="proof2")
    # the 终审 approver does not publish; the author does not publish
    svc.create_user("boss")
    for role in ("reviewer3", "publisher"):
        svc.grant_role("boss", SITE, role)
    svc.create_user("edpub")
    for role in ("editor", "publisher", "proofreader"):
        svc.grant_role("edpub", SITE, role)
    d = new_draft(svc, user="edpub")
    with pytest.raises(PermissionDenied, match="自己"):
        svc.approve("edpub", d["id"], d["current_version_id"])
    d = approve_through(svc, d["id"], until="review3")
    d = svc.approve("boss", d["id"], d["current_version_id"], step_key="review3")
    assert d["status"] == "approved"
    with pytest.raises(PermissionDenied, match="终审"):
        svc.release("boss", d["id"])
    with pytest.raises(PermissionDenied, match="自己"):
        svc.release("edpub", d["id"])
    assert svc.release("pub", d["id"])["draft_id"] == d["id"]


def test_duties_are_per_site_data(svc, tmp_path):
    text = (WORKFLOW_DIR / "default.toml").read_text("utf-8")
    relaxed = text.replace('distinct = [["proof1", "proof2", "proof3"]]', "distinct = []")
    assert relaxed != text
    path = tmp_path / "small_office.toml"
    path.write_text(relaxed, "utf-8")
    svc.create_site("small", "小单位网站", workflow=str(path))
    for name, role in [("ed", "editor"), ("p1", "proofreader"), ("r1", "reviewer1"), ("r2", "reviewer2")]:
        svc.grant_role(name, "small", role)
    d = svc.create_draft("ed", "small", "通知", data=CLEAN.encode(), filename="n.txt")
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    for user, key in [("p1", "proof1"), ("r1", "review1"), ("p1", "proof2")]:
        d = svc.approve(user, d["id"], d["current_version_id"], step_key=key)
    assert d["active_step"]["key"] == "review2"  # one proofreader did two passes: allowed here


def test_twenty_parallel_approvals_without_step_key_approve_exactly_one_step(svc):
    svc.create_user("all", display_name="全角色")
    for role in ("proofreader", "reviewer1", "reviewer2", "reviewer3"):
        svc.grant_role("all", SITE, role)
    d = new_draft(svc)
    vid = d["current_version_id"]
    results: list[object] = []
    barrier = threading.Barrier(20)

    def call() -> None:
        barrier.wait()
        try:
            svc.approve("all", d["id"], vid)
            results.append("ok")
        except ReviewError as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "Conflict", "PermissionDenied"}
    steps = {s["key"]: s for s in svc.get_draft("ed", d["id"])["steps"]}
    assert [k for k, s in steps.items() if s["status"] == "approved"] == ["proof1"]
    # a repeated call is told why, and may name the step it means
    with pytest.raises((Conflict, PermissionDenied)):
        svc.approve("all", d["id"], vid)
