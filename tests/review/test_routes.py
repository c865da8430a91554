"""分级审批: the information class picks the route; class changes restart the right steps,
are audited, and the gate refuses a route not completed for its class."""

from __future__ import annotations

import pytest

from pubguard.review import GateClosed, InvalidInput, PermissionDenied
from pubguard.review.models import Draft
from pubguard.scan import scan_bytes
from review.helpers import SITE, new_draft
from review.routehelpers import add_route_users, approve_route

BASE = ["proof1", "review1", "proof2", "review2", "proof3", "review3"]


@pytest.fixture
def rsvc(svc):
    add_route_users(svc)
    return svc


def keys(d: dict) -> list[str]:
    return [st["key"] for st in d["steps"]]


def test_new_draft_starts_in_the_default_class_with_its_route(rsvc):
    d = new_draft(rsvc, submit=False)
    assert d["info_class"]["key"] == "general"
    assert keys(d) == BASE
    assert {c["key"] for c in d["info_class"]["choices"]} >= {"general", "major", "policy", "public_release"}


def test_major_route_needs_the_government_office_holding_its_own_role(rsvc):
    d = new_draft(rsvc, submit=False)
    d = rsvc.set_info_class("ed", d["id"], "major")
    assert keys(d) == [*BASE[:5], "readthrough", "review3", "gov_office"]  # important: 通读 too
    assert d["important"] is True
    rsvc.submit("ed", d["id"])
    d = approve_route(rsvc, d["id"], until="gov_office")
    assert d["status"] == "in_review"
    with pytest.raises(PermissionDenied):  # the site's own 终审 does not hold the office's role
        rsvc.approve("r3", d["id"], d["current_version_id"], step_key="gov_office")
    assert not rsvc.check_release(d["id"])["ok"]
    d = approve_route(rsvc, d["id"])
    assert d["status"] == "approved"
    rel = rsvc.release("pub", d["id"])
    assert rel["location"]


def test_public_release_route_leaves_out_the_middle_steps(rsvc):
    d = new_draft(rsvc, submit=False)
    d = rsvc.set_info_class("ed", d["id"], "public_release")
    assert keys(d) == ["proof1", "review1", "review3"]


def test_class_change_after_submission_adds_steps_and_is_audited(rsvc):
    d = new_draft(rsvc)
    d = approve_route(rsvc, d["id"])
    assert d["status"] == "approved"
    with pytest.raises(InvalidInput):  # a reason is required once submitted
        rsvc.set_info_class("r2", d["id"], "major")
    with pytest.raises(PermissionDenied):
        rsvc.set_info_class("p1", d["id"], "major", reason="标题为通告")
    d = rsvc.set_info_class("r2", d["id"], "major", reason="标题为通告，属重大信息")
    assert d["status"] == "in_review"
    pending = [st["key"] for st in d["steps"] if st["status"] == "pending"]
    # 通读 comes before 终审: 终审 restarts; gov_office is new; earlier approvals stay
    assert pending == ["readthrough", "review3", "gov_office"]
    entry = [e for e in rsvc.audit_log(None, draft_id=d["id"]) if e["action"] == "draft.info_class"][-1]
    assert entry["actor"] == "r2" and entry["comment"] == "标题为通告，属重大信息"
    assert entry["details"]["from"] == "general" and entry["details"]["to"] == "major"
    assert entry["details"]["added"] == ["readthrough", "gov_office"]
    assert entry["details"]["restarted"] == ["review3"]
    assert d["disclosure"]["confirmed_by"] is None  # 终审 restarted: confirmation cleared
    assert rsvc.verify_audit().ok


def test_lighter_class_keeps_approvals_whose_predecessors_all_stay(rsvc):
    d = new_draft(rsvc)
    d = approve_route(rsvc, d["id"])
    d = rsvc.set_info_class("ed", d["id"], "public_release", reason="发文签批标明此件公开发布")
    assert keys(d) == ["proof1", "review1", "review3"]
    assert all(st["status"] == "approved" for st in d["steps"])
    assert d["status"] == "approved"
    assert rsvc.check_release(d["id"])["ok"]


def test_gate_refuses_a_route_not_completed_for_its_class(rsvc):
    d = new_draft(rsvc)
    d = approve_route(rsvc, d["id"])
    assert rsvc.check_release(d["id"])["ok"]
    with rsvc.db.write() as s:  # the class changed behind the service's back (or the file did)
        s.get(Draft, d["id"]).info_class = "major"
    gate = rsvc.check_release(d["id"])
    assert not gate["ok"]
    assert any(
        "审批流程与信息类别「重大信息」" in r and "本级人民政府办公室审批" in r for r in gate["reasons"]
    )
    with pytest.raises(GateClosed):
        rsvc.release("pub", d["id"])
    with rsvc.db.write() as s:  # a draft from before classes existed counts as the default class
        s.get(Draft, d["id"]).info_class = None
    assert rsvc.check_release(d["id"])["ok"]
    assert rsvc.get_draft("ed", d["id"])["info_class"]["key"] == "general"


def test_unknown_class_is_refused_in_chinese(rsvc):
    d = new_draft(rsvc, submit=False)
    with pytest.raises(InvalidInput, match="信息类别无效"):
        rsvc.set_info_class("ed", d["id"], "secret")


def test_scanner_suggestion_is_kept_and_flagged_when_it_differs(db_url, tmp_path, clock):
    from review.conftest import seed
    from review.helpers import make_service

    real = make_service(db_url, tmp_path / "real", clock, scanner=scan_bytes)
    try:
        seed(real)
        text = "某某市人民政府\n关于元旦春节期间禁止燃放烟花爆竹的通告\n为保障公共安全，现通告如下。\n"
        d = real.create_draft("ed", SITE, "禁放通告", data=text.encode(), filename="通告.txt")
        info = d["info_class"]
        assert info["key"] == "general"  # only suggested: a person decides
        assert info["proposal"]["class_key"] == "major" and info["differs"] is True
        assert "通告" in info["proposal"]["reasons"][0]
        d = real.set_info_class("ed", d["id"], info["proposal"]["class_key"])
        assert d["info_class"]["differs"] is False
    finally:
        real.close()
