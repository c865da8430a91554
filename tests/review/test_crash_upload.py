"""Crash safety of an upload, with a real `kill -9` (`PUBGUARD_FAULT`): a new draft and its
first version commit together, and a temporary `.upload-*` file of a dead process is swept."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from pubguard.review import ReviewService, ReviewSettings
from pubguard.review.models import Draft, Job, Version
from review.helpers import CLEAN, SITE


def _forked_upload(data_dir: str, url: str, fault: str) -> None:
    os.environ["PUBGUARD_FAULT"] = fault
    svc = ReviewService(ReviewSettings(data_dir=Path(data_dir), database_url=url))
    stream = io.BytesIO((CLEAN * 40_000).encode())  # ≈ 4 MB, streamed in 1 MB pieces
    svc.create_draft("ed", SITE, "春季农业生产通知", data=stream, filename="notice.txt", scan=False)


def upload_in_fork(svc, fault: str) -> int:
    proc = multiprocessing.get_context("fork").Process(
        target=_forked_upload, args=(str(svc.settings.data_dir), svc.db.url, fault)
    )
    proc.start()
    proc.join(60)
    return proc.exitcode


def counts(svc) -> tuple[int, int, int]:
    with svc.db.read() as s:
        return s.query(Draft).count(), s.query(Version).count(), s.query(Job).count()


def strays(svc) -> list[Path]:
    return [p for p in svc.settings.files_dir.rglob(".*") if p.is_file()]


@pytest.mark.parametrize("fault", ["upload:during_store", "upload:after_store"])
def test_killed_upload_leaves_no_orphan_draft_and_its_temp_file_is_swept(svc, fault):
    assert upload_in_fork(svc, fault) == -signal.SIGKILL
    assert counts(svc) == (0, 0, 0)  # no draft without a version
    if fault == "upload:during_store":
        assert [p.name.split("-")[0] for p in strays(svc)] == [".upload"]
    svc.reconcile()
    assert strays(svc) == []
    d = svc.create_draft("ed", SITE, "通知", data=CLEAN.encode(), filename="notice.txt", scan=False)
    assert counts(svc) == (1, 1, 1) and d["current_version_id"] is not None


def test_create_with_scan_stores_draft_version_and_scan(svc):
    d = svc.create_draft("ed", SITE, "通知", data=CLEAN.encode(), filename="notice.txt")
    v = d["versions"][0]
    assert v["scan_status"] == "ok"
    with svc.db.read() as s:
        assert [j.status for j in s.query(Job)] == ["done"]
