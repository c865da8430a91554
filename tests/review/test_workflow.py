"""Transitions, guards and separation of duties of the 三审三校 workflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubguard.review import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from review.helpers import APPROVERS, CLEAN, SITE, approve_through, new_draft

DEFAULT_ORDER = ["proof1", "review1", "proof2", "review2", "proof3", "review3"]


def test_default_workflow_steps_in_order(svc):
    d = new_draft(svc, submit=False)
    assert [s["key"] for s in d["steps"]] == DEFAULT_ORDER
    assert [s["name"] for s in d["steps"]] == ["一校", "初审", "二校", "复审", "三校", "终审"]
    assert d["status"] == "draft" and d["active_step"] is None


def test_important_adds_readthrough_after_third_proofreading(svc):
    d = new_draft(svc, important=True)
    keys = [s["key"] for s in d["steps"]]
    assert keys == ["proof1", "review1", "proof2", "review2", "proof3", "readthrough", "review3"]
    assert d["deadline"]["kind"] == "important"
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"


def test_set_important_only_before_submission(svc):
    d = new_draft(svc, submit=False)
    d = svc.set_important("ed", d["id"], True)
    assert "readthrough" in [s["key"] for s in d["steps"]]
    d = svc.set_important("ed", d["id"], False)
    assert "readthrough" not in [s["key"] for s in d["steps"]]
    svc.submit("ed", d["id"])
    with pytest.raises(InvalidState):
        svc.set_important("ed", d["id"], True)


def test_happy_path_walks_every_step(svc):
    d = new_draft(svc)
    assert d["status"] == "in_review"
    assert d["active_step"]["key"] == "proof1"
    seen = []
    while d["active_step"]:
        key = d["active_step"]["key"]
        seen.append(key)
        d = svc.approve(APPROVERS[key], d["id"], d["current_version_id"], step_key=key, comment=f"{key} 通过")
    assert seen == DEFAULT_ORDER
    assert d["status"] == "approved"
    assert all(s["status"] == "approved" and s["version_id"] == d["current_version_id"] for s in d["steps"])
    assert d["disclosure"]["confirmed_by"] == "r3"


def test_submit_guards(svc):
    d = svc.create_draft("ed", SITE, "无文件稿件")
    with pytest.raises(InvalidState, match="上传"):
        svc.submit("ed", d["id"])
    svc.upload_version("ed", d["id"], "a.txt", CLEAN.encode())
    with pytest.raises(InvalidState, match="公开属性"):
        svc.submit("ed", d["id"])
    with pytest.raises(PermissionDenied):
        svc.submit("r1", d["id"])
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    with pytest.raises(InvalidState):
        svc.submit("ed", d["id"])


def test_submit_refuses_failed_scan(svc):
    d = svc.create_draft("ed", SITE, "坏文件")

    def broken(data, name, config=None, identity=None):
        from pubguard.scan import FileResult

        return FileResult(path=name, status="error", error="文件已损坏", error_code="corrupt")

    svc.upload_version("ed", d["id"], "a.txt", b"hello", scanner=broken)
    svc.set_disclosure("ed", d["id"], "主动公开")
    with pytest.raises(InvalidState, match="检查失败"):
        svc.submit("ed", d["id"])


def test_upload_refuses_unsupported_content(svc):
    d = svc.create_draft("ed", SITE, "空文件")
    with pytest.raises(InvalidInput):
        svc.upload_version("ed", d["id"], "a.txt", b"   ")


def test_only_editors_create_and_upload(svc):
    with pytest.raises(PermissionDenied):
        svc.create_draft("r1", SITE, "标题")
    d = new_draft(svc, submit=False)
    with pytest.raises(PermissionDenied):
        svc.upload_version("p1", d["id"], "b.txt", b"text")
    with pytest.raises(NotFound):
        svc.create_draft("ed", "nosuchsite", "标题")


def test_step_needs_role_for_that_site(svc):
    d = new_draft(svc)
    with pytest.raises(PermissionDenied, match="校对"):
        svc.approve("r1", d["id"], d["current_version_id"])  # 一校 needs a proofreader
    # a proofreader of another site only
    svc.create_user("p_other", roles=[("other", "proofreader")])
    with pytest.raises(PermissionDenied):
        svc.approve("p_other", d["id"], d["current_version_id"])
    # a role on every site ("*") counts
    svc.create_user("p_all", roles=[("*", "proofreader")])
    svc.approve("p_all", d["id"], d["current_version_id"])


def test_nobody_reviews_their_own_draft(svc):
    svc.grant_role("ed", SITE, "proofreader")
    svc.grant_role("ed", SITE, "reviewer1")
    d = new_draft(svc)
    with pytest.raises(PermissionDenied, match="自己"):
        svc.approve("ed", d["id"], d["current_version_id"])
    d = approve_through(svc, d["id"], until="review1")
    with pytest.raises(PermissionDenied, match="自己"):
        svc.approve("ed", d["id"], d["current_version_id"])


def test_uploader_of_a_fix_becomes_an_author(svc):
    d = new_draft(svc)
    svc.upload_version("ed2", d["id"], "fix.txt", (CLEAN + "补充。\n").encode())
    svc.grant_role("ed2", SITE, "proofreader")
    d = svc.get_draft("ed", d["id"])
    with pytest.raises(PermissionDenied, match="自己"):
        svc.approve("ed2", d["id"], d["current_version_id"])


def test_one_person_cannot_approve_two_review_levels(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"], until="review1")
    svc.approve("multi", d["id"], d["current_version_id"])  # 初审 by multi
    d = approve_through(svc, d["id"], until="review2")
    with pytest.raises(PermissionDenied, match="两个审核级别"):
        svc.approve("multi", d["id"], d["current_version_id"])
    svc.approve("r2", d["id"], d["current_version_id"])  # another person may
    d = approve_through(svc, d["id"], until="review3")
    with pytest.raises(PermissionDenied, match="两个审核级别"):
        svc.approve("multi", d["id"], d["current_version_id"])


def test_each_proofreading_pass_by_another_person(svc):
    d = new_draft(svc)
    svc.approve("p1", d["id"], d["current_version_id"])
    svc.approve("r1", d["id"], d["current_version_id"])
    with pytest.raises(PermissionDenied, match="须由不同的人处理"):
        svc.approve("p1", d["id"], d["current_version_id"], step_key="proof2")
    d = svc.approve("p2", d["id"], d["current_version_id"])
    assert d["active_step"]["key"] == "review2"


def test_stale_version_is_refused(svc):
    d = new_draft(svc)
    old = d["current_version_id"]
    svc.upload_version("ed", d["id"], "v2.txt", (CLEAN + "第二版\n").encode())
    with pytest.raises(StaleVersion) as exc:
        svc.approve("p1", d["id"], old)
    assert exc.value.http_status == 409
    with pytest.raises(StaleVersion):
        svc.reject("p1", d["id"], old, "不同意")
    with pytest.raises(InvalidInput):
        svc.approve("p1", d["id"], None)


def test_approving_a_step_that_moved_on_is_a_conflict(svc):
    d = new_draft(svc)
    svc.approve("p1", d["id"], d["current_version_id"], step_key="proof1")
    with pytest.raises(Conflict, match="已不是当前步骤"):
        svc.approve("p2", d["id"], d["current_version_id"], step_key="proof1")


def test_new_version_reopens_all_steps_by_default(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    v2 = svc.upload_version("ed", d["id"], "v2.txt", (CLEAN + "修改\n").encode())
    d = svc.get_draft("ed", d["id"])
    assert d["status"] == "in_review"
    assert d["current_version_id"] == v2["id"]
    assert all(s["status"] == "pending" for s in d["steps"])
    assert d["active_step"]["key"] == "proof1"
    assert d["disclosure"]["confirmed_by"] is None


def test_reopen_policy_reviews_keeps_proofreading(svc, tmp_path):
    wf = tmp_path / "reviews_only.toml"
    from pubguard.review.workflow import WORKFLOW_DIR

    wf.write_text(
        (WORKFLOW_DIR / "default.toml")
        .read_text(encoding="utf-8")
        .replace('reopen = "all"', 'reopen = "reviews"'),
        encoding="utf-8",
    )
    svc.create_site("site2", "二号站点", workflow=str(wf))
    for name, role in [
        ("ed", "editor"),
        ("p1", "proofreader"),
        ("p2", "proofreader"),
        ("p3", "proofreader"),
        ("r1", "reviewer1"),
        ("r2", "reviewer2"),
        ("r3", "reviewer3"),
    ]:
        svc.grant_role(name, "site2", role)
    d = svc.create_draft("ed", "site2", "标题", data=CLEAN.encode(), filename="a.txt")
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    svc.upload_version("ed", d["id"], "v2.txt", (CLEAN + "修改\n").encode())
    d = svc.get_draft("ed", d["id"])
    status = {s["key"]: (s["status"], s["carried"]) for s in d["steps"]}
    assert status["proof1"] == ("approved", True)
    assert status["review1"] == ("pending", False)
    assert d["active_step"]["key"] == "review1"
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    assert svc.check_release(d["id"])["ok"]


def test_reject_to_editor_requires_comment_and_resumes_on_resubmit(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"], until="review2")
    with pytest.raises(InvalidInput, match="意见"):
        svc.reject("r2", d["id"], d["current_version_id"], "  ")
    d = svc.reject("r2", d["id"], d["current_version_id"], "依据不足，请补充")
    assert d["status"] == "draft" and d["returned"] is True
    assert svc.list_drafts("ed", queue=True)[0]["id"] == d["id"]
    d = svc.submit("ed", d["id"])
    assert d["active_step"]["key"] == "review2"  # earlier approvals on this version stand
    full = svc.get_draft("ed", d["id"])
    assert any(c["kind"] == "rejection" and "依据不足" in c["body"] for c in full["comments"])


def test_reject_to_an_earlier_step_clears_approvals_from_there(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"], until="proof3")
    d = svc.reject("p3", d["id"], d["current_version_id"], "初审漏看第三段", to_step="review1")
    st = {s["key"]: s["status"] for s in d["steps"]}
    assert st["proof1"] == "approved"
    assert st["review1"] == st["proof2"] == st["review2"] == "pending"
    assert d["active_step"]["key"] == "review1" and d["status"] == "in_review"
    with pytest.raises(InvalidInput):
        svc.reject("r1", d["id"], d["current_version_id"], "往后退回", to_step="review3")


def test_claim_blocks_others_and_reassign(svc):
    d = new_draft(svc)
    svc.claim("p1", d["id"])
    with pytest.raises(Conflict, match="已由"):
        svc.approve("p2", d["id"], d["current_version_id"])
    with pytest.raises(Conflict):
        svc.claim("p2", d["id"])
    with pytest.raises(PermissionDenied):
        svc.reassign("p2", d["id"], "proof1", "p2")  # not holder, not admin
    with pytest.raises(PermissionDenied):
        svc.reassign("adm", d["id"], "proof1", "r1")  # r1 is no proofreader
    svc.reassign("p1", d["id"], "proof1", "p2")  # the holder hands over
    d = svc.approve("p2", d["id"], d["current_version_id"])
    assert d["steps"][0]["approved_by"] == "p2"
    svc.reassign("adm", d["id"], "review2", "r2")  # an admin may assign ahead
    with pytest.raises(InvalidState):
        svc.reassign("adm", d["id"], "proof1", "p1")


def test_recall_returns_to_draft(svc):
    d = new_draft(svc)
    svc.approve("p1", d["id"], d["current_version_id"])
    d = svc.recall("ed", d["id"], "需要补充附件")
    assert d["status"] == "draft"
    with pytest.raises(InvalidState):
        svc.approve("r1", d["id"], d["current_version_id"])
    with pytest.raises(InvalidState):
        svc.recall("ed", d["id"])
    d = svc.submit("ed", d["id"])
    assert d["active_step"]["key"] == "review1"


def test_disclosure_rules(svc):
    d = new_draft(svc, submit=False)
    with pytest.raises(InvalidInput, match="法律依据"):
        svc.set_disclosure("ed", d["id"], "依申请公开")
    with pytest.raises(InvalidInput):
        svc.set_disclosure("ed", d["id"], "随便公开")
    with pytest.raises(PermissionDenied):
        svc.set_disclosure("p1", d["id"], "主动公开")
    d = svc.set_disclosure(
        "ed", d["id"], "不予公开", basis="《政府信息公开条例》第十四条", reason="涉及国家安全"
    )
    assert d["disclosure"]["attribute"] == "不予公开"


def test_changing_confirmed_disclosure_reopens_final_review(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    assert d["disclosure"]["confirmed_version_id"] == d["current_version_id"]
    d = svc.set_disclosure(
        "ed", d["id"], "依申请公开", basis="《政府信息公开条例》第十六条", reason="内部管理信息"
    )
    assert d["status"] == "in_review"
    assert d["active_step"]["key"] == "review3"
    assert d["disclosure"]["confirmed_by"] is None
    d = svc.approve("r3", d["id"], d["current_version_id"])
    assert d["disclosure"]["confirmed_by"] == "r3"


def test_final_review_refuses_public_with_open_personal_data(svc):
    text = CLEAN + "!high personal_data id_card 11**************1X\n"
    d = new_draft(svc, text)
    d = approve_through(svc, d["id"], until="review3")
    with pytest.raises(InvalidState, match="个人信息"):
        svc.approve("r3", d["id"], d["current_version_id"])
    fid = svc.list_findings("r3", d["id"])[0]["id"]
    svc.decide_finding("r3", fid, "accepted", reason="公示名单依法公开", level=3)
    d = svc.approve("r3", d["id"], d["current_version_id"])
    assert d["status"] == "approved"


def test_viewing_other_sites_is_forbidden(svc):
    d = new_draft(svc)
    svc.create_user("outsider", roles=[("other", "editor")])
    with pytest.raises(NotFound, match=f"稿件不存在：{d['id']}") as other:  # like a missing draft
        svc.get_draft("outsider", d["id"])
    with pytest.raises(NotFound) as missing:
        svc.get_draft("outsider", 999999)
    assert other.value.code == missing.value.code
    assert svc.list_drafts("outsider") == []
    assert [x["id"] for x in svc.list_drafts("r1")] == [d["id"]]


def test_queue_and_available_actions(svc):
    d = new_draft(svc)
    assert [x["id"] for x in svc.list_drafts("p1", queue=True)] == [d["id"]]
    assert svc.list_drafts("r1", queue=True) == []
    assert svc.list_drafts("ed", queue=True) == []
    acts = svc.get_draft("p1", d["id"])["actions"]
    assert {"approve", "reject", "claim", "decide"} <= set(acts)
    assert "approve" not in svc.get_draft("ed", d["id"])["actions"]
    assert "recall" in svc.get_draft("ed", d["id"])["actions"]
    svc.claim("p1", d["id"])
    assert svc.list_drafts("p2", queue=True) == []
    assert [x["id"] for x in svc.list_drafts("p1", queue=True, step="proof1")] == [d["id"]]


def test_deactivated_user_cannot_act(svc):
    d = new_draft(svc)
    svc.set_user_active("p1", False)
    with pytest.raises(PermissionDenied, match="停用"):
        svc.approve("p1", d["id"], d["current_version_id"])


SEAL = "!blocker seal official_seal 公章\n"


def test_submit_with_open_blockers_needs_the_editors_confirmation(svc):
    """Issue 18.4: the page warns; an unconfirmed 送审 is refused, a confirmed one is recorded."""
    d = new_draft(svc, SEAL + CLEAN, submit=False)
    assert svc.get_draft("ed", d["id"])["open_blockers"] == 1
    with pytest.raises(InvalidState, match="1 个阻断级问题") as exc:
        svc.submit("ed", d["id"], acknowledge_blockers=False)
    assert exc.value.code == "open_blockers"
    assert svc.get_draft("ed", d["id"])["status"] == "draft"
    svc.submit("ed", d["id"], acknowledge_blockers=True)
    entry = [e for e in svc.audit_log("ed", draft_id=d["id"]) if e["action"] == "draft.submit"][-1]
    assert entry["details"]["open_blockers"] == 1
    # a clean draft is not asked anything and its entry carries no count
    c = new_draft(svc, submit=False)
    svc.submit("ed", c["id"], acknowledge_blockers=False)
    entry = [e for e in svc.audit_log("ed", draft_id=c["id"]) if e["action"] == "draft.submit"][-1]
    assert "open_blockers" not in (entry["details"] or {})


def test_submit_policy_refuse_blocks_open_blockers_even_when_confirmed(svc, tmp_path):
    from pubguard.review.workflow import load_workflow, load_workflow_data, parse_workflow

    text = (Path(__file__).parents[2] / "pubguard/review/workflows/default.toml").read_text("utf-8")
    path = tmp_path / "strict.toml"
    path.write_text(text.replace('open_blockers = "warn"', 'open_blockers = "refuse"'), "utf-8")
    assert load_workflow(str(path)).submit_open_blockers == "refuse"
    with svc.db.write() as s:
        from pubguard.review.models import Site

        s.get(Site, SITE).workflow = str(path)
    d = new_draft(svc, SEAL + CLEAN, submit=False)
    with pytest.raises(InvalidState, match="按本站规定"):
        svc.submit("ed", d["id"], acknowledge_blockers=True)
    with pytest.raises(InvalidInput, match="open_blockers"):
        parse_workflow(dict(load_workflow_data(str(path)), submit={"open_blockers": "maybe"}), "x")


def test_a_confirmed_blocker_holds_every_approval_until_a_version_fixes_it(svc):
    """Issue 18.4: a 校对 who marked a blocker 确认须修改 cannot then approve the step."""
    d = new_draft(svc, SEAL + CLEAN)
    fid = svc.list_findings("p1", d["id"])[0]["id"]
    svc.decide_finding("p1", fid, "confirmed", reason="须删除公章")
    page = svc.get_draft("p1", d["id"])
    assert "approve" not in page["actions"] and "reject" in page["actions"]
    assert "已确认须修改" in page["approval_hold"] and "一校" in page["approval_hold"]
    with pytest.raises(InvalidState, match="已确认须修改") as exc:
        svc.approve("p1", d["id"], d["current_version_id"], step_key="proof1")
    assert exc.value.code == "confirmed_unfixed"
    svc.reject("p1", d["id"], d["current_version_id"], "请删除公章后重新上传", step_key="proof1")
    svc.upload_version("ed", d["id"], "notice-v2.txt", CLEAN.encode())
    d = svc.submit("ed", d["id"])
    page = svc.get_draft("p1", d["id"])
    assert page["approval_hold"] is None and "approve" in page["actions"]
    svc.approve("p1", d["id"], page["current_version_id"], step_key="proof1")


def test_a_confirmed_low_finding_does_not_hold_the_step(svc):
    d = new_draft(svc, "!low proofreading typo 按排\n" + CLEAN)
    fid = svc.list_findings("p1", d["id"])[0]["id"]
    svc.decide_finding("p1", fid, "confirmed", reason="错字")
    assert svc.get_draft("p1", d["id"])["approval_hold"] is None
    svc.approve("p1", d["id"], d["current_version_id"], step_key="proof1")
