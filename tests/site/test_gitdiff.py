"""`pubguard scan --diff BASE` in a real git repository, and the pre-commit hook manifest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_id_number

ROOT = Path(__file__).resolve().parents[2]
CLEAN = "<html><body><p>关于做好冬季供暖工作的通知。各单位要按时供暖。</p></body></html>"


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(repo), "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def scan(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pubguard.cli", "scan", ".", "--no-ocr", "--format", "json", *args],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "site"
    (r / "news").mkdir(parents=True)
    for name in ("index.html", "news/a.html", "news/b.html"):
        (r / name).write_text(CLEAN, encoding="utf-8")
    git(r, "init", "-q", "-b", "main")
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "site")
    git(r, "checkout", "-q", "-b", "change")
    return r


def paths_in(proc: subprocess.CompletedProcess) -> list[str]:
    return sorted(f["path"].removeprefix("./") for f in json.loads(proc.stdout)["files"])


def test_only_changed_and_untracked_files_are_scanned(repo: Path) -> None:
    leak = f"<html><body><p>联系人：王建国，身份证号：{make_id_number()}。</p></body></html>"
    (repo / "news" / "a.html").write_text(leak, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit a")
    (repo / "news" / "new.html").write_text(CLEAN, encoding="utf-8")  # untracked
    (repo / "news" / "b.html").unlink()  # deleted: nothing to scan
    proc = scan(repo, "--diff", "main")
    assert proc.returncode == 1, proc.stderr
    assert paths_in(proc) == ["news/a.html", "news/new.html"]
    full = scan(repo)
    assert paths_in(full) == ["index.html", "news/a.html", "news/new.html"]
    # identities (and so fingerprints and baselines) are those of a full scan
    fp = {
        f["path"].removeprefix("./"): [x["fingerprint"] for x in f["findings"]]
        for f in json.loads(proc.stdout)["files"]
    }
    fp_full = {
        f["path"].removeprefix("./"): [x["fingerprint"] for x in f["findings"]]
        for f in json.loads(full.stdout)["files"]
    }
    assert fp["news/a.html"] == fp_full["news/a.html"] and fp["news/a.html"]


def test_no_change_is_success_with_an_empty_report(repo: Path) -> None:
    proc = scan(repo, "--diff", "main")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"] == []
    assert "没有改动" in proc.stderr


def test_unknown_ref_and_no_repository_are_usage_errors(repo: Path, tmp_path: Path) -> None:
    proc = scan(repo, "--diff", "no-such-branch")
    assert proc.returncode == 2 and "no-such-branch" in proc.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.html").write_text(CLEAN, encoding="utf-8")
    proc = scan(plain, "--diff", "main")
    assert proc.returncode == 2 and "--diff" in proc.stderr


def test_pre_commit_manifest_is_valid_and_its_entry_works(tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = {h["id"]: h for h in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"pubguard", "pubguard-baseline"}
    files = re.compile(hooks["pubguard"]["files"])
    for name in ("公告.PDF", "名单.xlsx", "index.html", "附件.zip", "scan.jpg", "通知.doc"):
        assert files.search(name), name
    for name in ("generate.py", "manifest.json", "style.css", "README.md"):
        assert not files.search(name), name
    leak = tmp_path / "leak.html"
    leak.write_text(f"<p>身份证号：{make_id_number()}</p>", encoding="utf-8")
    clean = tmp_path / "ok.html"
    clean.write_text(CLEAN, encoding="utf-8")
    entry = hooks["pubguard"]["entry"].split()
    assert entry[:2] == ["pubguard", "scan"]
    cmd = [sys.executable, "-m", "pubguard.cli", *entry[1:]]
    assert subprocess.run([*cmd, str(clean)], capture_output=True, timeout=120).returncode == 0
    assert subprocess.run([*cmd, str(clean), str(leak)], capture_output=True, timeout=120).returncode == 1
