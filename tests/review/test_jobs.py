"""Deferred scans: the upload returns at once and a durable job scans the version later."""

from __future__ import annotations

import pytest

from pubguard.review import InvalidState
from review.helpers import CLEAN, SITE, fake_scanner


def test_deferred_scan_job(svc):
    d = svc.create_draft(
        "ed",
        SITE,
        "异步检查",
        data=("!high personal_data mobile 138****0000\n" + CLEAN).encode(),
        filename="a.txt",
        scan=False,
    )
    assert d["scan_status"] == "pending"
    svc.set_disclosure("ed", d["id"], "主动公开")
    with pytest.raises(InvalidState, match="尚未完成"):
        svc.submit("ed", d["id"])
    job = svc.claim_job("w1")
    assert job["status"] == "running" and job["attempts"] == 1
    assert svc.claim_job("w2") is None  # nothing else queued
    done = svc.run_job(job["id"])
    assert done["status"] == "done"
    d = svc.get_draft("ed", d["id"])
    assert d["scan_status"] == "ok" and d["open_findings"] == {"high": 1}
    assert d["disclosure"]["proposed"] == "主动公开"
    svc.submit("ed", d["id"])


def test_failing_scanner_is_retried_then_marked_failed(svc):
    d = svc.create_draft("ed", SITE, "x", data=CLEAN.encode(), filename="a.txt", scan=False)
    calls = []

    def broken(*a, **k):
        calls.append(1)
        raise RuntimeError("boom")

    for attempt in (1, 2, 3):
        job = svc.claim_job("w")
        assert job["attempts"] == attempt
        result = svc.run_job(job["id"], scanner=broken)
        assert result["status"] == ("failed" if attempt == 3 else "queued")
        assert result["error"] == "RuntimeError"
    assert len(calls) == 3 and svc.claim_job("w") is None
    assert svc.get_draft("ed", d["id"])["scan_status"] == "pending"


def test_job_of_a_dead_worker_is_taken_over(svc, clock):
    svc.create_draft("ed", SITE, "x", data=CLEAN.encode(), filename="a.txt", scan=False)
    job = svc.claim_job("dead")
    assert svc.claim_job("w2") is None
    clock.advance(minutes=20)
    again = svc.claim_job("w2")
    assert again["id"] == job["id"] and again["attempts"] == 2
    assert svc.run_job(again["id"], scanner=fake_scanner)["status"] == "done"


def test_new_version_while_in_review_waits_for_scan(svc):
    d = svc.create_draft("ed", SITE, "x", data=CLEAN.encode(), filename="a.txt")
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    v2 = svc.upload_version("ed", d["id"], "b.txt", (CLEAN + "改\n").encode(), scan=False)
    with pytest.raises(InvalidState, match="检查"):
        svc.approve("p1", d["id"], v2["id"])
    svc.run_pending_jobs("w")
    svc.approve("p1", d["id"], v2["id"])


def test_job_worker_turns_a_native_crash_into_the_files_error(svc, monkeypatch):
    """The web service's job worker scans in a supervised child process: a file that kills
    the process scanning it fails its own version with a Chinese message, the next job runs."""
    from pubguard.review.jobs import WorkerPool
    from pubguard.scan import FAULT_INJECT_ENV

    monkeypatch.setenv(FAULT_INJECT_ENV, "abort:boom")
    bad = svc.create_draft("ed", SITE, "崩溃", data=CLEAN.encode(), filename="boom.txt", scan=False)
    good = svc.create_draft("ed", SITE, "正常", data=CLEAN.encode(), filename="ok.txt", scan=False)
    assert WorkerPool(svc).run_until_empty() == 2
    bad_draft = svc.get_draft("ed", bad["id"])
    assert bad_draft["scan_status"] == "error"
    assert svc.get_draft("ed", good["id"])["scan_status"] == "ok"
    svc.set_disclosure("ed", bad["id"], "主动公开")
    with pytest.raises(InvalidState, match="崩溃"):
        svc.submit("ed", bad["id"])
