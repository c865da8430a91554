"""Crash safety of a release, with a real `kill -9`: a subprocess releases a draft and is
killed by `PUBGUARD_FAULT` at each step; `reconcile()` then finishes or rolls back, nothing
partial stays in the served tree, and 撤稿 works on whatever is online."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pubguard.review import ReviewService, ReviewSettings
from pubguard.review.models import Release, ReleaseIntent
from pubguard.review.publish import FolderTarget
from review.helpers import CLEAN, SITE, approve_through, new_draft

CHILD = """
import sys
from pathlib import Path
from pubguard.review import ReviewService, ReviewSettings
svc = ReviewService(ReviewSettings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]))
svc.release("pub", int(sys.argv[3]))
print("released")
"""


def release_in_child(svc, draft_id: int, fault: str) -> subprocess.CompletedProcess:
    """A fresh interpreter releases the draft and SIGKILLs itself at `fault`."""
    env = {**os.environ, "PUBGUARD_FAULT": fault}
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(svc.settings.data_dir), svc.db.url, str(draft_id)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _forked_release(data_dir: str, url: str, draft_id: int, fault: str) -> None:
    os.environ["PUBGUARD_FAULT"] = fault
    child = ReviewService(ReviewSettings(data_dir=Path(data_dir), database_url=url))
    child.release("pub", draft_id)


def release_in_fork(svc, draft_id: int, fault: str) -> int:
    """The same in a forked process (no second interpreter start-up: the test stays fast).
    Returns the exit code: -9 when the fault point killed it."""
    proc = multiprocessing.get_context("fork").Process(
        target=_forked_release, args=(str(svc.settings.data_dir), svc.db.url, draft_id, fault)
    )
    proc.start()
    proc.join(60)
    return proc.exitcode


def served_files(svc) -> list[str]:
    root = svc.settings.publish_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def temp_files(svc) -> list[Path]:
    data = svc.settings.data_dir
    return [p for p in data.rglob("*") if p.name.startswith((".tmp-", ".upload-", ".withdrawn-"))]


def state(svc, draft_id: int) -> tuple[str, int, list[str]]:
    with svc.db.read() as s:
        releases = s.query(Release).filter_by(draft_id=draft_id).count()
        intents = [i.state for i in s.query(ReleaseIntent).filter_by(draft_id=draft_id)]
    return svc.get_draft("pub", draft_id)["status"], releases, intents


BIG = CLEAN + "附件说明。" * 20_000  # ≈ 300 KB


@pytest.mark.parametrize("fault", ["release:after_intent", "release:during_file", "release:after_file"])
def test_kill_before_the_release_is_complete_rolls_back(svc, fault):
    d = approve_through(svc, new_draft(svc, BIG)["id"])
    assert release_in_fork(svc, d["id"], fault) == -signal.SIGKILL
    # whatever the crash left, nothing partial is inside the served tree
    assert not [f for f in served_files(svc) if ".tmp" in f]
    assert state(svc, d["id"]) == ("approved", 0, ["pending"])

    out = svc.reconcile()
    assert out["rolled_back"] == [d["id"]]
    assert state(svc, d["id"]) == ("approved", 0, ["rolled_back"])
    assert served_files(svc) == [] and temp_files(svc) == []
    assert "release.rollback" in [e["action"] for e in svc.audit_log("pub", draft_id=d["id"])]
    # the release can simply be run again
    rel = svc.release("pub", d["id"])
    assert served_files(svc) == [f"{SITE}/{d['id']}/meta.json", f"{SITE}/{d['id']}/notice.txt"]
    assert state(svc, d["id"]) == ("released", 1, ["rolled_back", "done"])
    assert rel["location"].endswith("notice.txt")


def test_kill_after_the_metadata_is_finished_by_reconcile_and_can_be_withdrawn(svc):
    d = approve_through(svc, new_draft(svc)["id"])
    assert release_in_fork(svc, d["id"], "release:after_metadata") == -signal.SIGKILL
    assert served_files(svc) == [f"{SITE}/{d['id']}/meta.json", f"{SITE}/{d['id']}/notice.txt"]
    assert state(svc, d["id"]) == ("approved", 0, ["pending"])  # online, but not yet recorded

    out = svc.reconcile()
    assert out["finished"] == [d["id"]]
    assert state(svc, d["id"]) == ("released", 1, ["done"])
    entry = [e for e in svc.audit_log("pub", draft_id=d["id"]) if e["action"] == "release"][-1]
    assert entry["details"]["reconciled"] is True and entry["details"]["released_by"] == "pub"
    meta = json.loads((svc.settings.publish_dir / SITE / str(d["id"]) / "meta.json").read_text("utf-8"))
    assert meta["version_id"] == d["current_version_id"]
    assert svc.release("pub", d["id"])["draft_id"] == d["id"]  # idempotent after recovery
    svc.withdraw("pub", d["id"], "发布后发现错误")
    assert served_files(svc) == [] and temp_files(svc) == []
    assert svc.get_draft("pub", d["id"])["status"] == "withdrawn"


def test_withdraw_takes_down_what_is_online_even_without_a_release_row(svc):
    """The reported failure: killed after the metadata, 撤稿 said '稿件未在网站发布'."""
    d = approve_through(svc, new_draft(svc)["id"])
    assert release_in_fork(svc, d["id"], "release:after_metadata") == -signal.SIGKILL
    assert served_files(svc)
    svc.withdraw("pub", d["id"], "紧急撤下")  # no reconcile first
    assert served_files(svc) == []
    assert state(svc, d["id"])[2] == ["rolled_back"]
    entry = [e for e in svc.audit_log("pub", draft_id=d["id"]) if e["action"] == "withdraw"][-1]
    assert entry["details"]["untracked"] is True
    assert svc.reconcile()["finished"] == []  # nothing left to finish: it stays offline


def test_kill_while_replacing_a_version_keeps_the_old_one_online(svc, clock):
    d = approve_through(svc, new_draft(svc)["id"])
    svc.release("pub", d["id"])
    clock.advance(days=1)
    svc.upload_version("ed", d["id"], "notice-v2.txt", (CLEAN + "更正\n").encode())
    d = approve_through(svc, d["id"])
    assert release_in_fork(svc, d["id"], "release:after_file") == -signal.SIGKILL
    svc.reconcile()
    folder = svc.settings.publish_dir / SITE / str(d["id"])
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "notice.txt"]  # v1, whole
    assert json.loads((folder / "meta.json").read_text("utf-8"))["version"] == 1
    assert state(svc, d["id"])[0] == "approved"
    svc.release("pub", d["id"])
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "notice-v2.txt"]


def test_reconcile_leaves_a_live_process_alone_and_sweeps_only_dead_temp_files(svc, tmp_path):
    t = FolderTarget(tmp_path / "site")
    t.staging.mkdir(parents=True)
    mine = t.staging / f".tmp-{os.getpid()}-abc"
    mine.write_bytes(b"in progress")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    theirs = t.staging / f".tmp-{dead.stdout.strip()}-def"
    theirs.write_bytes(b"left by a dead process")
    assert t.sweep() == [str(theirs)]
    assert mine.exists()


def test_published_files_are_readable_by_the_web_server(svc):
    d = approve_through(svc, new_draft(svc)["id"])
    svc.release("pub", d["id"])
    folder = svc.settings.publish_dir / SITE / str(d["id"])
    assert {oct(p.stat().st_mode & 0o777) for p in folder.iterdir()} == {"0o644"}
    assert oct(folder.stat().st_mode & 0o777) == "0o755"


def test_cli_reconcile_after_a_fresh_process_was_killed(svc):
    """A separate interpreter (as `pubguard review release` would be) dies after the metadata;
    `pubguard review reconcile` records the release."""
    from typer.testing import CliRunner

    from pubguard.review.cli import review_app

    d = approve_through(svc, new_draft(svc)["id"])
    child = release_in_child(svc, d["id"], "release:after_metadata")
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "released" not in child.stdout
    args = ["--db", svc.db.url, "--data-dir", str(svc.settings.data_dir), "reconcile", "--json"]
    result = CliRunner().invoke(review_app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["finished"] == [d["id"]]
    assert state(svc, d["id"]) == ("released", 1, ["done"])
