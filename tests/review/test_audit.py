"""The hash-chained audit log: written with every state change, verifiable, tamper-evident."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from pubguard.review import InvalidState, PermissionDenied
from review.helpers import approve_through, new_draft


def _raw(svc, sql: str, **params) -> None:
    with svc.db.write_engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def _drop_guards(svc) -> None:
    """What an attacker with DDL rights would do first."""
    if svc.db.is_sqlite:
        _raw(svc, "DROP TRIGGER audit_log_no_update")
        _raw(svc, "DROP TRIGGER audit_log_no_delete")
    else:
        _raw(svc, "DROP TRIGGER audit_log_no_update ON audit_log")


def test_every_action_is_logged_in_order(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    svc.release("pub", d["id"])
    log = svc.audit_log("adm", draft_id=d["id"])
    actions = [e["action"] for e in log]
    assert actions[:5] == [
        "draft.create",
        "version.upload",
        "scan.complete",
        "disclosure.set",
        "draft.submit",
    ]
    assert actions.count("step.approve") == 6 and actions[-1] == "release"
    approvals = [e for e in log if e["action"] == "step.approve"]
    assert [e["actor"] for e in approvals] == ["p1", "r1", "p2", "r2", "p3", "r3"]
    assert all(e["version_id"] == d["current_version_id"] for e in approvals)
    seqs = [e["seq"] for e in svc.audit_log("root", limit=10_000)]
    assert seqs == list(range(1, len(seqs) + 1))
    with pytest.raises(PermissionDenied):
        svc.audit_log("r1")  # the whole log is for admins


def test_failed_action_leaves_no_entry(svc):
    d = new_draft(svc)
    before = len(svc.audit_log("root", limit=10_000))
    with pytest.raises(InvalidState):
        svc.archive("pub", d["id"])
    assert len(svc.audit_log("root", limit=10_000)) == before


def test_crash_inside_an_action_rolls_everything_back(svc, monkeypatch):
    d = new_draft(svc)
    before = svc.get_draft("ed", d["id"])
    from pubguard.review import audit

    def crash(*a, **k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "append", crash)
    with pytest.raises(RuntimeError):
        svc.approve("p1", d["id"], d["current_version_id"])
    monkeypatch.undo()
    after = svc.get_draft("ed", d["id"])
    assert after["steps"] == before["steps"] and after["lock_version"] == before["lock_version"]
    assert svc.verify_audit().ok


def test_chain_verifies(svc):
    d = new_draft(svc)
    approve_through(svc, d["id"], until="review2")
    v = svc.verify_audit()
    assert v.ok and v.problems == [] and len(v.head_hash) == 64
    log = svc.audit_log("root", limit=10_000)
    assert v.entries == len(log) == 8 and v.head_hash == log[-1]["hash"]


def test_database_refuses_update_and_delete(svc):
    new_draft(svc)
    with pytest.raises(DBAPIError):
        _raw(svc, "UPDATE audit_log SET comment = 'x' WHERE seq = 1")
    with pytest.raises(DBAPIError):
        _raw(svc, "DELETE FROM audit_log WHERE seq = 1")
    assert svc.verify_audit().ok


def test_tampered_entry_is_detected(svc):
    d = new_draft(svc)
    svc.reject("p1", d["id"], d["current_version_id"], "格式不对")
    _drop_guards(svc)
    _raw(svc, "UPDATE audit_log SET comment = '同意' WHERE action = 'step.reject'")
    v = svc.verify_audit()
    assert not v.ok
    seq = svc.audit_log("root", limit=10_000)[-1]["seq"]
    assert any(p["seq"] == seq and "篡改" in p["message"] for p in v.problems)


def test_removed_entry_and_rewritten_actor_are_detected(svc):
    d = new_draft(svc)
    approve_through(svc, d["id"], until="review1")
    _drop_guards(svc)
    _raw(svc, "DELETE FROM audit_log WHERE seq = 3")
    v = svc.verify_audit()
    assert not v.ok and any("序号不连续" in p["message"] for p in v.problems)


def test_truncated_tail_is_detected(svc):
    new_draft(svc)
    _drop_guards(svc)
    last = svc.audit_log("root", limit=1)[-1]["seq"]
    _raw(svc, "DELETE FROM audit_log WHERE seq = :s", s=last)
    v = svc.verify_audit()
    assert not v.ok and any("链头" in p["message"] for p in v.problems)
