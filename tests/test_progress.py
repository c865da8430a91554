"""Page progress of a long PDF: reported per page by the PDF extractor, in-process and across the
crash-isolation boundary (`pubguard.isolate`), never for archive members, and never able to
break a scan."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from pubguard.config import ScanConfig
from pubguard.isolate import IsolatedScanner
from pubguard.progress import (
    ANALYSE,
    PAGE_DELAY_ENV,
    READ,
    Throttle,
    bar_value,
    page_progress,
    report_analysed,
    report_pages,
)
from pubguard.scan import FAULT_INJECT_ENV, scan_bytes

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def long_pdf(pages: int = 4) -> bytes:
    """A real multi-page notice: one line of Chinese text per page."""
    doc = pymupdf.open()
    for n in range(1, pages + 1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((80, 120), f"关于做好防汛工作的通知（第{n}页）", fontname="china-s", fontsize=14)
        page.insert_text(
            (80, 160), "各乡镇人民政府：请于6月1日前完成汛前检查。", fontname="china-s", fontsize=12
        )
    return doc.tobytes()


def test_pdf_pages_are_reported_in_process():
    seen: list[tuple[int, int]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total))):
        result = scan_bytes(long_pdf(4), "长文件.pdf")
    assert result.status == "ok" and result.pages == 4
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def seal_pdf(pages: int = 3) -> bytes:
    """The sample 红头+印章 notice (an embedded seal picture) repeated: pixels on every page."""
    src = pymupdf.open(SAMPLES / "red_header_seal.pdf")
    out = pymupdf.open()
    for _ in range(pages):
        out.insert_pdf(src)
    return out.tobytes()


def test_pictures_are_analysed_page_by_page_after_reading():
    seen: list[tuple[int, int, str]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total, stage))):
        result = scan_bytes(seal_pdf(3), "印章.pdf")
    assert sum(f.category == "seal" for f in result.findings) >= 1
    reading = [(d, t) for d, t, st in seen if st == READ]
    analysing = [(d, t) for d, t, st in seen if st == ANALYSE]
    assert reading == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert analysing == [(1, 3), (2, 3), (3, 3)]  # the seal detector looks at each page's picture
    assert [st for *_, st in seen] == [READ] * 4 + [ANALYSE] * 3  # reading first, then pixels
    assert [bar_value(*r) for r in seen] == [0, 1, 2, 3, 4, 5, 6]  # one bar, never backwards


def test_pixels_loaded_outside_a_scan_or_before_reading_report_nothing():
    seen: list[tuple[int, int, str]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total, stage))):
        report_analysed(1)  # no page count yet
        report_pages(0, 2)
        report_analysed(1)  # still reading (OCR loads page pixels too)
        report_pages(2, 2)
        report_analysed(3)  # beyond the last page
        report_analysed(2)
        report_analysed(1)  # not backwards
    assert seen == [(0, 2, READ), (2, 2, READ), (2, 2, ANALYSE)]


def test_nothing_is_reported_without_a_listener_or_for_text():
    seen: list[tuple[int, int]] = []
    scan_bytes(long_pdf(2), "a.pdf")  # no listener: nothing to call, nothing fails
    with page_progress(lambda done, total, stage: seen.append((done, total))):
        scan_bytes("关于通知\n".encode(), "a.txt")
    assert seen == []


def test_archive_members_do_not_report_the_outer_files_pages():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("附件.pdf", long_pdf(3))
    seen: list[tuple[int, int]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total))):
        result = scan_bytes(buf.getvalue(), "附件.zip")
    assert result.status == "ok" and result.members[0]["pages"] == 3
    assert seen == []


@pytest.fixture(scope="module")
def child() -> Iterator[IsolatedScanner]:
    """One isolated child for the tests below (a child start is the slow part). Each page takes
    at least 60 ms there (above the child's 50 ms send interval), so every page is sent; files
    named *boom* abort the child as a native crash would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PAGE_DELAY_ENV, "0.06")
        mp.setenv(FAULT_INJECT_ENV, "abort:boom")
        with IsolatedScanner(ScanConfig()) as scanner:
            scanner(b"warm up", "a.txt")  # starts the child with this environment
            yield scanner


def test_pages_come_from_the_isolated_child(child):
    seen: list[tuple[int, int]] = []
    started = child.started
    with page_progress(lambda done, total, stage: seen.append((done, total))):
        result = child(long_pdf(4), "长文件.pdf")
    assert result.status == "ok" and result.pages == 4
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    # The next file without a listener: the child is asked for no progress, same child.
    seen.clear()
    assert child(long_pdf(2), "b.pdf").pages == 2
    assert seen == [] and child.started == started


def test_analysis_pages_come_from_the_child_too(child):
    seen: list[tuple[int, int, str]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total, stage))):
        assert child(seal_pdf(3), "印章.pdf").status == "ok"
    analysing = [d for d, _, st in seen if st == ANALYSE]
    # The child sends at most one report per 50 ms within a stage: the first and last always.
    assert analysing[0] == 1 and analysing[-1] == 3 and analysing == sorted(set(analysing))
    assert [bar_value(*r) for r in seen] == sorted(bar_value(*r) for r in seen)


def test_a_failing_callback_is_not_a_crash(child):
    def broken(done: int, total: int, stage: str) -> None:
        raise RuntimeError("database gone")

    started = child.started
    with page_progress(broken):
        result = child(long_pdf(3), "c.pdf")
        assert scan_bytes(long_pdf(2), "d.pdf").status == "ok"  # in-process likewise
    assert result.status == "ok" and result.pages == 3 and child.started == started


def test_a_crash_with_a_listener_is_still_the_files_error(child):
    seen: list[tuple[int, int]] = []
    with page_progress(lambda done, total, stage: seen.append((done, total))):
        crashed = child(long_pdf(2), "boom.pdf")
        after = child(long_pdf(2), "fine.pdf")
    assert crashed.error_code == "native_crash" and after.status == "ok"
    assert seen == [(0, 2), (1, 2), (2, 2)]  # only the file that was read


@pytest.mark.parametrize(
    ("reports", "passed"),
    [
        ([(0, 5), (1, 5), (2, 5), (5, 5)], [(0, 5), (5, 5)]),  # in between: throttled
        ([(0, 5), (0, 5)], [(0, 5)]),  # a repeat is never written twice
        (
            [(0, 5), (5, 5), (1, 5, ANALYSE), (2, 5, ANALYSE)],
            [(0, 5), (5, 5), (1, 5, ANALYSE)],
        ),  # a new stage
    ],
)
def test_throttle_passes_first_and_last(reports, passed):
    throttle = Throttle(60.0)
    assert [r for r in reports if throttle.due(*r)] == passed


def test_test_delay_only_applies_when_set(monkeypatch):
    import time

    monkeypatch.delenv(PAGE_DELAY_ENV, raising=False)
    t0 = time.monotonic()
    report_pages(1, 2)
    assert time.monotonic() - t0 < 0.05
    monkeypatch.setenv(PAGE_DELAY_ENV, "0.1")
    t0 = time.monotonic()
    report_pages(1, 2)
    assert time.monotonic() - t0 >= 0.1
