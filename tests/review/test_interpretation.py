"""政策解读: links both ways, the gate's policy ↔ 解读 rule, the low finding for a policy-like
draft without a 解读."""

from __future__ import annotations

import pytest

from pubguard.review import GateClosed, InvalidInput, InvalidState, PermissionDenied
from review.helpers import SITE, make_service, new_draft
from review.routehelpers import add_route_users, approve_route, policy_scanner

POLICY = "!policy 管理办法 某政规〔2026〕2号\n某某市城市绿化管理办法\n第一条 为了加强城市绿化管理……\n"
INTERP = "《某某市城市绿化管理办法》政策解读\n一、起草背景\n……\n"


@pytest.fixture
def psvc(db_url, tmp_path, clock):
    from review.conftest import seed

    service = make_service(db_url, tmp_path / "data", clock, scanner=policy_scanner)
    seed(service)
    add_route_users(service)
    try:
        yield service
    finally:
        service.close()


def pair(svc, *, policy_class: str = "policy"):
    p = new_draft(svc, POLICY, submit=False)
    svc.set_info_class("ed", p["id"], policy_class)
    svc.submit("ed", p["id"])
    i = new_draft(svc, INTERP)
    return p["id"], i["id"]


def test_policy_like_draft_without_interpretation_gets_a_low_finding_fixed_by_linking(psvc):
    p = new_draft(psvc, POLICY, submit=False)
    found = [f for f in p["findings"] if f["rule"] == "missing_interpretation"]
    assert len(found) == 1 and found[0]["severity"] == "low" and found[0]["category"] == "publication"
    assert "管理办法" in found[0]["message"] and found[0]["status"] == "open"
    plain = new_draft(psvc, submit=False)
    assert not [f for f in plain["findings"] if f["rule"] == "missing_interpretation"]
    i = new_draft(psvc, INTERP, submit=False)
    psvc.link_interpretation("ed", p["id"], i["id"])
    d = psvc.get_draft("ed", p["id"])
    assert [f["status"] for f in d["findings"] if f["rule"] == "missing_interpretation"] == ["fixed"]
    assert d["links"]["interpretation"]["draft_id"] == i["id"]
    assert psvc.get_draft("ed", i["id"])["links"]["policy"]["draft_id"] == p["id"]
    # a new version of the linked policy gets no new finding
    psvc.upload_version("ed", p["id"], "v2.txt", (POLICY + "第二条 ……\n").encode())
    d = psvc.get_draft("ed", p["id"])
    assert not [f for f in d["findings"] if f["rule"] == "missing_interpretation" and f["status"] == "open"]
    psvc.unlink_interpretation("ed", p["id"], "解读需重写")
    d = psvc.get_draft("ed", p["id"])
    assert d["links"]["interpretation"] is None
    assert [f["status"] for f in d["findings"] if f["rule"] == "missing_interpretation"] == ["open"]
    actions = [e["action"] for e in psvc.audit_log(None, draft_id=p["id"])]
    assert "interpretation.link" in actions and "interpretation.unlink" in actions
    assert "interpretation.link" in [e["action"] for e in psvc.audit_log(None, draft_id=i["id"])]


def test_policy_class_needs_a_linked_interpretation_that_passed_its_review(psvc):
    pid, iid = pair(psvc)
    approve_route(psvc, pid)
    reasons = psvc.check_release(pid)["reasons"]
    assert any("尚未关联解读稿" in r for r in reasons)
    psvc.link_interpretation("ed", pid, iid)
    reasons = psvc.check_release(pid)["reasons"]
    assert not any("尚未关联解读稿" in r for r in reasons)
    assert any(f"政策解读（稿件 {iid}" in r and "尚未通过其自身审核" in r for r in reasons)
    with pytest.raises(GateClosed):
        psvc.release("pub", pid)
    approve_route(psvc, iid)
    assert psvc.check_release(pid)["ok"]
    # the 解读 alone never goes first
    gate = psvc.check_release(iid)
    assert not gate["ok"] and any("同时发布" in r for r in gate["reasons"])
    with pytest.raises(GateClosed):
        psvc.release("pub", iid)


def test_links_are_one_each_way_same_site_and_by_editors(psvc):
    pid, iid = pair(psvc)
    other = new_draft(psvc, INTERP, submit=False)
    with pytest.raises(PermissionDenied):
        psvc.link_interpretation("r1", pid, iid)
    with pytest.raises(InvalidInput):
        psvc.link_interpretation("ed", pid, pid)
    psvc.link_interpretation("ed", pid, iid)
    psvc.link_interpretation("ed", pid, iid)  # the same link again: nothing happens
    with pytest.raises(InvalidState):
        psvc.link_interpretation("ed", pid, other["id"])
    with pytest.raises(InvalidState):
        psvc.link_interpretation("ed", other["id"], iid)
    with pytest.raises(InvalidState):  # no chains or cycles
        psvc.link_interpretation("ed", iid, other["id"])
    with pytest.raises(InvalidInput):
        psvc.unlink_interpretation("ed", pid, "")
    assert psvc.get_draft("ed", iid)["site"] == SITE


def test_policy_and_interpretation_go_online_together_in_one_audit_event(psvc):
    import json
    from pathlib import Path

    pid, iid = pair(psvc)
    psvc.link_interpretation("ed", pid, iid)
    approve_route(psvc, pid)
    approve_route(psvc, iid)
    rel = psvc.release("pub", pid)
    p, i = psvc.get_draft("ed", pid), psvc.get_draft("ed", iid)
    assert p["status"] == i["status"] == "released"
    p_meta = json.loads((Path(rel["location"]).parent / "meta.json").read_text(encoding="utf-8"))
    i_loc = i["releases"][0]["location"]
    i_meta = json.loads((Path(i_loc).parent / "meta.json").read_text(encoding="utf-8"))
    assert p_meta["interpretation"]["draft_id"] == iid and i_meta["policy"]["draft_id"] == pid
    assert (Path(rel["location"]).parent / p_meta["interpretation"]["path"]).resolve() == Path(
        i_loc
    ).resolve()
    events = [e for e in psvc.audit_log(None, draft_id=pid) if e["action"] == "release"]
    assert len(events) == 1 and events[0]["details"]["interpretation"]["draft_id"] == iid
    assert not [e for e in psvc.audit_log(None, draft_id=iid) if e["action"] == "release"]
    assert psvc.verify_audit().ok
    assert psvc.release("pub", pid)["id"] == rel["id"]  # again: the same release


def test_a_failed_pair_release_leaves_neither_online(psvc):
    from pubguard.review import PublishFailed

    pid, iid = pair(psvc)
    psvc.link_interpretation("ed", pid, iid)
    approve_route(psvc, pid)
    approve_route(psvc, iid)
    real = psvc.publish_target(SITE)

    class FailsOnPolicy:
        kind = real.kind

        def describe(self):
            return real.describe()

        def publish(self, item):
            if item.draft_id == pid:
                raise PublishFailed("发布接口返回错误：测试。稿件未发布。")
            return real.publish(item)

        def withdraw(self, site, draft_id, location):
            return real.withdraw(site, draft_id, location)

        def __getattr__(self, name):
            return getattr(real, name)

    with pytest.raises(PublishFailed):
        psvc.release("pub", pid, target=FailsOnPolicy())
    p, i = psvc.get_draft("ed", pid), psvc.get_draft("ed", iid)
    assert p["status"] == i["status"] == "approved"
    assert not p["releases"] and not i["releases"]
    assert not real.present(SITE, iid)
    rel = psvc.release("pub", pid)  # and it can be released afterwards
    assert psvc.get_draft("ed", iid)["status"] == "released" and rel["location"]
