"""Progress on a terminal (files/s, ETA) and --quiet: run `pubguard scan` with stderr on a real
pseudo-terminal, as a user at a shell would."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

NOTICE = "关于做好冬季供暖工作的通知。各单位要按时供暖，确保群众温暖过冬。\n"


def scan_on_tty(folder: Path, *extra: str) -> tuple[int, str]:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pubguard.cli", "scan", str(folder), "--workers", "1",
         "--format", "json", "--output", str(folder.parent / "r.json"), *extra],
        stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for i in range(12):
        (site / f"p{i:02d}.txt").write_text(NOTICE * (i + 1), encoding="utf-8")
    return site


def test_progress_bar_on_a_terminal(folder: Path) -> None:
    code, err = scan_on_tty(folder)
    assert code == 0
    assert "个/秒" in err and "报告已写入" in err


def test_quiet_shows_nothing_but_errors(folder: Path) -> None:
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n\x00garbage")
    code, err = scan_on_tty(folder, "--quiet")
    assert code == 3  # partial scan: the broken file is in the report
    assert "个/秒" not in err and "报告已写入" not in err


def test_one_long_pdf_shows_its_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_progress import long_pdf

    from pubguard.progress import PAGE_DELAY_ENV

    site = tmp_path / "one"
    site.mkdir()
    (site / "长文件.pdf").write_bytes(long_pdf(6))
    monkeypatch.setenv(PAGE_DELAY_ENV, "0.15")  # inherited by the CLI and its isolated child
    code, err = scan_on_tty(site / "长文件.pdf")
    assert code == 0
    shown = {int(n) for n in re.findall(r"第 (\d) / 6 页", err)}
    assert shown & {1, 2, 3, 4, 5}, err  # intermediate pages were on the terminal
    assert "报告已写入" in err


def test_pages_are_not_shown_for_short_files(folder: Path) -> None:
    code, err = scan_on_tty(folder)
    assert code == 0 and " 页" not in err
