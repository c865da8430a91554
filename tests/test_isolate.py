"""Native-crash isolation: a file that kills the process scanning it becomes that file's error
(error_code native_crash, a Chinese message), in single-file scans and serial batches; the PDF
Stamp annotation that segfaulted PyMuPDF is judged without crashing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from pubguard.config import ScanConfig
from pubguard.isolate import IsolatedScanner, crash_result
from pubguard.scan import FAULT_INJECT_ENV
from pubguard.site.runner import iter_jobs, run_jobs

NOTICE = "关于做好防汛工作的通知\n各乡镇人民政府、县直各单位：请于6月1日前完成汛前检查。\n"
# pdfplumber's tests/pdfs/annotations.pdf (MIT): not committed (fetched material), used when present.
REAL_REPRO = [
    Path(__file__).resolve().parents[1] / "realworld/external/pdfplumber/annotations.pdf",
    Path("/work/shared/repro/stamp-annotation-crash.pdf"),
]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pubguard.cli", "scan", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "batch"
    root.mkdir()
    for name in ("a_notice.txt", "b_boom.txt", "c_notice.txt", "d_boom.txt", "e_notice.txt"):
        (root / name).write_text(NOTICE, encoding="utf-8")
    return root


def stamp_pdf(path: Path) -> Path:
    """A look-alike of the crashing file: a page of text with a Stamp, a note and a highlight."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), "Minutes of the budget hearing")
    stamp = page.add_stamp_annot(pymupdf.Rect(130, 40, 205, 112), stamp=0)
    stamp.set_info(title="Reviewer")
    stamp.update()
    doc.xref_set_key(stamp.xref, "Contents", "()")  # like the real file: no contents
    page.add_highlight_annot(pymupdf.Rect(55, 75, 182, 95))
    doc.save(path)
    return path


def test_single_file_crash_is_a_report_not_a_dead_process(tmp_path: Path) -> None:
    target = tmp_path / "boom.txt"
    target.write_text(NOTICE, encoding="utf-8")
    proc = _cli(str(target), env={FAULT_INJECT_ENV: "abort:boom"})
    assert proc.returncode == 2, proc.stderr[-500:]  # no file could be read: exit 2, not 134
    (entry,) = json.loads(proc.stdout)["files"]
    assert entry["status"] == "error" and entry["error_code"] == "native_crash"
    assert "崩溃" in entry["error"] and "SIGABRT" in entry["error"]


def test_without_injection_the_same_file_scans(tmp_path: Path) -> None:
    target = tmp_path / "boom.txt"
    target.write_text(NOTICE, encoding="utf-8")
    proc = _cli(str(target))
    assert proc.returncode == 0, proc.stderr[-500:]
    assert json.loads(proc.stdout)["files"][0]["status"] == "ok"


def test_serial_batch_goes_on_after_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_INJECT_ENV, "segv:boom")
    results, stats = run_jobs(list(iter_jobs([_folder(tmp_path)])), ScanConfig(ocr=False), workers=1)
    status = {Path(r.path).name: (r.status, r.error_code) for r in results}
    assert status == {
        "a_notice.txt": ("ok", None),
        "b_boom.txt": ("error", "native_crash"),
        "c_notice.txt": ("ok", None),
        "d_boom.txt": ("error", "native_crash"),
        "e_notice.txt": ("ok", None),
    }
    assert stats.files == 5
    assert "SIGSEGV" in next(r.error for r in results if r.error_code)


def test_pool_batch_reports_the_crashing_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_INJECT_ENV, "abort:boom")
    results, _ = run_jobs(list(iter_jobs([_folder(tmp_path)])), ScanConfig(ocr=False), workers=2)
    bad = sorted(Path(r.path).name for r in results if r.status == "error")
    assert bad == ["b_boom.txt", "d_boom.txt"]
    assert {r.error_code for r in results if r.status == "error"} == {"native_crash"}


def test_scanner_is_reused_and_restarted_after_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_INJECT_ENV, "abort:boom")
    with IsolatedScanner(ScanConfig(ocr=False)) as scanner:
        first = scanner(NOTICE.encode(), "one.txt")
        second = scanner(NOTICE.encode(), "two.txt")
        assert first.status == second.status == "ok" and scanner.started == 1
        assert scanner(NOTICE.encode(), "boom.txt").error_code == "native_crash"
        after = scanner(NOTICE.encode(), "three.txt", identity="draft-3")
        assert after.status == "ok" and scanner.started == 2


def test_crash_message_names_the_signal_in_chinese() -> None:
    assert "SIGSEGV" in crash_result("x.pdf", -11).error
    assert "退出码 3" in crash_result("x.pdf", 3).error
    assert crash_result("x.pdf", None).error_code == "native_crash"


def test_stamp_annotation_is_judged_without_rendering(tmp_path: Path) -> None:
    from pubguard.scan import scan_path

    result = scan_path(stamp_pdf(tmp_path / "stamp.pdf"), ScanConfig(ocr=False))
    assert result.status == "ok"
    comments = [f for f in result.findings if f.rule == "comment"]
    assert comments and "图章注释" in comments[0].evidence and "Appro" in comments[0].evidence


def test_plain_pdf_without_annotations_has_no_comment(tmp_path: Path) -> None:
    from pubguard.scan import scan_path

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 90), "Minutes of the budget hearing")
    doc.save(tmp_path / "plain.pdf")
    result = scan_path(tmp_path / "plain.pdf", ScanConfig(ocr=False))
    assert result.status == "ok" and not [f for f in result.findings if f.rule == "comment"]


@pytest.mark.parametrize("path", [p for p in REAL_REPRO if p.exists()] or [None])
def test_real_stamp_annotation_file_scans(path: Path | None) -> None:
    if path is None:
        pytest.skip("pdfplumber annotations.pdf not collected (scripts/collect_realworld.py)")
    proc = _cli(str(path))
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-500:])  # a report, not 139
    (entry,) = json.loads(proc.stdout)["files"]
    assert entry["status"] == "ok"
    assert any("图章注释" in f["evidence"] for f in entry["findings"])


def test_forked_child_restarts_after_a_crash_like_a_spawned_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_INJECT_ENV, "segv:boom")
    for start in ("fork", "spawn"):
        with IsolatedScanner(ScanConfig(ocr=False), start=start) as scanner:
            assert scanner(NOTICE.encode(), "one.txt").status == "ok"
            crashed = scanner(NOTICE.encode(), "boom.txt")
            assert crashed.error_code == "native_crash" and "SIGSEGV" in (crashed.error or ""), start
            assert scanner(NOTICE.encode(), "two.txt").status == "ok" and scanner.started == 2


def test_forked_child_keeps_no_other_pipe_open() -> None:
    """A second scanner's child must not hold the first one's request pipe: closing the first
    scanner ends its child (EOF), whatever else is running."""
    first = IsolatedScanner(ScanConfig(ocr=False), start="fork")
    second = IsolatedScanner(ScanConfig(ocr=False), start="fork")
    try:
        assert first(NOTICE.encode(), "a.txt").status == "ok"
        assert second(NOTICE.encode(), "b.txt").status == "ok"
        proc = first._proc
        assert proc is not None
        first.close()  # waits for the child; a leaked pipe end would make this time out
        assert proc.poll() == 0
    finally:
        first.close()
        second.close()


def test_cli_parent_forks_its_child_and_a_loaded_native_library_spawns() -> None:
    probe = (
        "import sys; import pubguard.cli; from pubguard.isolate import can_fork; a = can_fork(); "
        "import numpy; print(a, can_fork())"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
    with pytest.raises(ValueError):
        IsolatedScanner(start="thread")
