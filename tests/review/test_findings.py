"""Finding decisions, their carry-over by fingerprint, `fixed`, and per-detector precision."""

from __future__ import annotations

import pytest

from pubguard.review import InvalidInput, InvalidState, PermissionDenied
from review.helpers import CLEAN, new_draft

SECRET = "!blocker classification_mark secret_mark 秘密★1年\n"
PHONE = "!high personal_data mobile 138****5678\n"
TYPO = "!low proofreading typo 按排\n"
TERM = "!medium sensitive_term outdated 计划生育委员会\n"


def by_rule(findings: list[dict]) -> dict[str, dict]:
    return {f["rule"]: f for f in findings if f["status"] != "fixed"}


def test_findings_are_stored_with_scan(svc):
    d = new_draft(svc, SECRET + PHONE + CLEAN, submit=False)
    f = svc.list_findings("r1", d["id"])
    assert {x["rule"] for x in f} == {"secret_mark", "mobile"}
    assert all(x["status"] == "open" and len(x["fingerprint"]) == 32 for x in f)
    assert f[0]["severity"] == "blocker"  # most severe first
    assert d["open_findings"] == {"blocker": 1, "high": 1}
    v = svc.get_draft("ed", d["id"])["versions"][0]
    assert v["scan_status"] == "ok" and v["sha256"] and v["format"] == "txt"
    assert svc.get_scan_result("r1", v["id"])["findings"][0]["rule"] == "secret_mark"


def test_decision_rules(svc):
    d = new_draft(svc, SECRET + PHONE + TYPO + TERM + CLEAN)
    f = by_rule(svc.list_findings("r1", d["id"]))
    with pytest.raises(InvalidInput, match="理由"):
        svc.decide_finding("r1", f["typo"]["id"], "false_positive")
    with pytest.raises(InvalidInput, match="阻断"):
        svc.decide_finding("r3", f["secret_mark"]["id"], "accepted", reason="领导同意", level=3)
    with pytest.raises(InvalidInput, match="审核级别"):
        svc.decide_finding("r3", f["mobile"]["id"], "accepted", reason="公开电话")
    with pytest.raises(InvalidInput, match="3 级"):
        svc.decide_finding("r1", f["mobile"]["id"], "accepted", reason="公开电话", level=1)
    with pytest.raises(PermissionDenied, match="角色"):
        svc.decide_finding("r1", f["mobile"]["id"], "accepted", reason="公开电话", level=3)
    with pytest.raises(InvalidInput):
        svc.decide_finding("r1", f["mobile"]["id"], "maybe")
    with pytest.raises(PermissionDenied):
        svc.decide_finding("ed", f["typo"]["id"], "false_positive", reason="不是错别字")  # own draft
    with pytest.raises(PermissionDenied):
        svc.decide_finding("pub", f["typo"]["id"], "confirmed")  # no review role
    got = svc.decide_finding("r3", f["mobile"]["id"], "accepted", reason="单位办公电话，依法公开", level=3)
    assert got["status"] == "accepted" and got["decision_level"] == 3 and got["decided_by"] == "r3"
    got = svc.decide_finding("r2", f["outdated"]["id"], "accepted", reason="历史文件原文引用", level=2)
    assert got["status"] == "accepted"
    got = svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="此处为“按排”人名")
    assert got["status"] == "false_positive"
    got = svc.decide_finding("r1", f["secret_mark"]["id"], "confirmed", reason="须删除密级标志")
    assert got["status"] == "confirmed"
    got = svc.decide_finding("r1", f["secret_mark"]["id"], "open")
    assert got["status"] == "open" and got["decided_by"] is None


def test_decisions_carry_over_and_vanished_findings_become_fixed(svc):
    d = new_draft(svc, SECRET + PHONE + TYPO + CLEAN)
    f = by_rule(svc.list_findings("r1", d["id"]))
    svc.decide_finding("r1", f["secret_mark"]["id"], "confirmed", reason="须删除")
    svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="专有名词")
    svc.decide_finding("r3", f["mobile"]["id"], "accepted", reason="办公电话", level=3)
    # v2: the secret mark is removed, a new sensitive term appears, the rest stays
    v2 = svc.upload_version("ed", d["id"], "v2.txt", (TERM + PHONE + TYPO + CLEAN).encode())
    cur = svc.list_findings("r1", d["id"])
    now = by_rule(cur)
    assert set(now) == {"mobile", "typo", "outdated"}
    assert now["typo"]["status"] == "false_positive" and now["typo"]["carried_over"]
    assert now["typo"]["fingerprint"] == f["typo"]["fingerprint"]  # same draft identity
    assert now["mobile"]["status"] == "accepted" and now["mobile"]["decision_level"] == 3
    assert now["outdated"]["status"] == "open" and not now["outdated"]["carried_over"]
    fixed = [x for x in cur if x["status"] == "fixed"]
    assert [x["rule"] for x in fixed] == ["secret_mark"]
    assert fixed[0]["fixed_in_version_id"] == v2["id"] and fixed[0]["decision"] == "confirmed"
    # decisions on an old version cannot be changed
    with pytest.raises(InvalidState):
        svc.decide_finding("r1", f["typo"]["id"], "confirmed")


def test_confirmed_finding_still_present_stays_confirmed(svc):
    d = new_draft(svc, TYPO + CLEAN)
    f = svc.list_findings("r1", d["id"])[0]
    svc.decide_finding("p1", f["id"], "confirmed", reason="错别字")
    svc.upload_version("ed", d["id"], "v2.txt", (TYPO + CLEAN + "补充\n").encode())
    again = svc.list_findings("r1", d["id"])
    assert [x["status"] for x in again] == ["confirmed"]
    assert "已确认须修改" in " ".join(svc.check_release(d["id"])["reasons"])


def test_detector_precision_from_decisions(svc):
    d = new_draft(svc, SECRET + PHONE + TYPO + TERM + CLEAN)
    f = by_rule(svc.list_findings("r1", d["id"]))
    svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="人名")
    svc.decide_finding("r1", f["outdated"]["id"], "confirmed")
    svc.decide_finding("r2", f["mobile"]["id"], "false_positive", reason="不是手机号")
    # v2 drops the secret mark (fixed, counts as a true positive) and keeps the others
    svc.upload_version("ed", d["id"], "v2.txt", (PHONE + TYPO + TERM + CLEAN).encode())
    d2 = new_draft(svc, TYPO + CLEAN)
    svc.decide_finding("p1", svc.list_findings("r1", d2["id"])[0]["id"], "confirmed")
    stats = {s["detector"]: s for s in svc.detector_precision()}
    # names come from the detector registry when the detector exists, else the category
    cls_stats = next(v for k, v in stats.items() if "classification" in k)
    assert cls_stats["fixed"] == 1 and cls_stats["precision"] == 1.0
    proof = next(v for k, v in stats.items() if "proofreading" in k)
    assert proof["false_positive"] == 1 and proof["confirmed"] == 1 and proof["precision"] == 0.5
    pii = next(v for k, v in stats.items() if "personal" in k)
    assert pii["precision"] == 0.0
    term = next(v for k, v in stats.items() if "sensitive" in k)
    assert term["confirmed"] == 1  # counted once although present in two versions
    assert svc.detector_precision(site="other") == []


def test_withdrawn_decision_is_not_resurrected(svc):
    d = new_draft(svc, TYPO + CLEAN)
    fid = svc.list_findings("r1", d["id"])[0]["id"]
    svc.decide_finding("p1", fid, "false_positive", reason="人名")
    svc.upload_version("ed", d["id"], "v2.txt", (TYPO + CLEAN + "二\n").encode())
    f2 = svc.list_findings("r1", d["id"])[0]
    assert f2["status"] == "false_positive"
    svc.decide_finding("p1", f2["id"], "open")  # second thoughts
    svc.upload_version("ed", d["id"], "v3.txt", (TYPO + CLEAN + "三\n").encode())
    assert [f["status"] for f in svc.list_findings("r1", d["id"])] == ["open"]


def test_blocker_acceptance_never_carries(svc):
    """A decision made when the detector rated a finding lower is not carried onto a blocker."""
    d = new_draft(svc, "!high seal official_seal 公章\n" + CLEAN)
    fid = svc.list_findings("r3", d["id"])[0]["id"]
    svc.decide_finding("r3", fid, "accepted", reason="示意图", level=3)
    svc.upload_version("ed", d["id"], "v2.txt", ("!blocker seal official_seal 公章\n" + CLEAN).encode())
    assert [f["status"] for f in svc.list_findings("r3", d["id"])] == ["open"]
