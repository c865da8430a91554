"""Two reviewers acting on the same step at the same moment: one wins, the other gets a clear
conflict, and nothing is half-written."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from pubguard.review import Conflict, ReviewError
from review.helpers import approve_through, make_service, new_draft


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("rounds", [3])
def test_concurrent_approvals_one_wins(svc, db_url, tmp_path, clock, rounds):
    # a second service = a second process' connections to the same database
    other = make_service(db_url, tmp_path / "data", clock)
    try:
        for _ in range(rounds):
            d = new_draft(svc)
            d = approve_through(svc, d["id"], until="review1")
            vid = d["current_version_id"]
            results = _race(
                [
                    lambda d=d, vid=vid: svc.approve("r1", d["id"], vid, step_key="review1"),
                    lambda d=d, vid=vid: other.approve("r1b", d["id"], vid, step_key="review1"),
                ]
            )
            wins = [r for r in results if isinstance(r, dict)]
            losses = [r for r in results if isinstance(r, Exception)]
            assert len(wins) == 1 and len(losses) == 1, results
            assert isinstance(losses[0], Conflict), repr(losses[0])
            assert "刷新" in losses[0].message
            d = svc.get_draft("ed", d["id"])
            approved = [s for s in d["steps"] if s["key"] == "review1"][0]
            assert approved["approved_by"] in ("r1", "r1b")
            assert d["active_step"]["key"] == "proof2"
            log = [e for e in svc.audit_log("adm", draft_id=d["id"]) if e["action"] == "step.approve"]
            assert [e["step"] for e in log].count("review1") == 1  # the loser left no trace
        assert svc.verify_audit().ok
    finally:
        other.close()


def test_different_actions_on_one_draft_are_serialised(svc, db_url, tmp_path, clock):
    other = make_service(db_url, tmp_path / "data", clock)
    try:
        d = new_draft(svc, "!low proofreading typo 按排\n关于通知\n")
        fid = svc.list_findings("r1", d["id"])[0]["id"]
        results = _race(
            [
                lambda: svc.approve("p1", d["id"], d["current_version_id"]),
                lambda: other.decide_finding("p2", fid, "false_positive", reason="人名"),
            ]
        )
        # Different actions on one draft queue on the draft lock: both succeed, neither is lost.
        assert all(isinstance(r, dict) for r in results), results
        d = svc.get_draft("ed", d["id"])
        assert d["steps"][0]["status"] == "approved"
        assert svc.list_findings("r1", d["id"])[0]["status"] == "false_positive"
        assert svc.verify_audit().ok
    finally:
        other.close()


def test_optimistic_lock_catches_a_lost_update(svc):
    """Even a writer that skipped the row lock cannot overwrite a newer state."""
    from pubguard.review.models import Draft

    d = new_draft(svc)
    with svc.db._write() as s1:
        stale = s1.get(Draft, d["id"])
        s1.expunge(stale)
    svc.approve("p1", d["id"], d["current_version_id"])  # bumps lock_version
    with pytest.raises(ReviewError) as exc, svc.db.write() as s2:
        merged = s2.merge(stale, load=False)
        merged.status = "draft"
    assert isinstance(exc.value, Conflict)
    with svc.db.read() as s:
        assert s.execute(sa.select(Draft.status).where(Draft.id == d["id"])).scalar() == "in_review"
