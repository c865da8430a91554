"""Page progress of the file being scanned: "第 N / M 页", in two stages.

1. `read`: extractors that walk pages (PDF, and through it the formats converted to PDF) call
   `report_pages(done, total)` before the first page and after each one (text layer, drawings,
   OCR of scanned pages).
2. `analyse`: once every page is read, the detectors look at pixels (seals, red headers, leader
   annotations); each page image or embedded picture they load calls `report_analysed(page)`
   (`pubguard.document`), and the highest page seen so far is reported. On a text PDF with
   pictures this is most of the time (measured: 20-page 红头+印章 PDF, 0.3 s reading, 4.2 s
   seal analysis), so without it the display would sit at "M / M" for most of the scan.

Whoever wants to show progress wraps the scan in `page_progress(callback)`; the callback gets
`(done, total, stage)`. Without a callback a report costs one context-variable lookup. The
callback is per context (thread), so concurrent scans in other threads never see each other's
pages.

Across the crash-isolation boundary (`pubguard.isolate`) the child sends each report to the
parent as a message on its reply pipe and the parent calls the callback that was current when
the scan was asked for: the same code reports progress whether the file is scanned in-process
or in the isolated child.

Archive members and embedded files are scanned with progress switched off (their pages are not
the outer file's pages).

Test hooks, never set in production: `PUBGUARD_TEST_PAGE_DELAY=SECONDS` sleeps that long after
each page read; `PUBGUARD_TEST_PAGE_GATE=DIR` holds the scan after page N of M (N < M) has been
reported until the file DIR/N exists (at most GATE_SECONDS), so a test sees every intermediate page
of a real scan however loaded the machine is, and lets the scan go on when it has.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger("pubguard.progress")

READ = "read"
ANALYSE = "analyse"
# What each stage is called where people see it (web pages, the CLI).
STAGE_LABELS = {READ: "读取内容", ANALYSE: "分析图像"}

PageCallback = Callable[[int, int, str], None]

PAGE_DELAY_ENV = "PUBGUARD_TEST_PAGE_DELAY"
PAGE_GATE_ENV = "PUBGUARD_TEST_PAGE_GATE"
GATE_SECONDS = 60.0


@dataclass(slots=True)
class _Listener:
    callback: PageCallback
    total: int = 0
    read: int = 0
    analysed: int = 0


_listener: ContextVar[_Listener | None] = ContextVar("pubguard_page_progress", default=None)


def current() -> PageCallback | None:
    """The callback of this context, or None when nobody listens."""
    listener = _listener.get()
    return listener.callback if listener is not None else None


@contextlib.contextmanager
def page_progress(callback: PageCallback | None) -> Iterator[None]:
    """Report pages of the scans run inside to `callback(done, total, stage)`; None switches
    it off."""
    token = _listener.set(_Listener(callback) if callback is not None else None)
    try:
        yield
    finally:
        _listener.reset(token)


def _call(listener: _Listener, done: int, total: int, stage: str) -> None:
    try:
        listener.callback(done, total, stage)
    except Exception:  # showing progress must never break a scan
        log.exception("page progress callback failed")


def report_pages(done: int, total: int) -> None:
    """Called by extractors: `done` of `total` pages read. Never raises."""
    if done:
        delay = os.environ.get(PAGE_DELAY_ENV)
        if delay:
            with contextlib.suppress(ValueError):
                time.sleep(float(delay))
    listener = _listener.get()
    if listener is None:
        return
    if done == 0:  # a new file (or a converted file read again): start over
        listener.analysed = 0
    listener.total, listener.read = total, done
    _call(listener, done, total, READ)
    gate = os.environ.get(PAGE_GATE_ENV)
    if gate and 0 < done < total:
        _wait_for_gate(os.path.join(gate, str(done)))


def _wait_for_gate(path: str) -> None:
    deadline = time.monotonic() + GATE_SECONDS
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


def report_analysed(page: int) -> None:
    """Called when a detector loads the pixels of `page` (1-based), after reading. Never raises."""
    listener = _listener.get()
    if listener is None or not listener.total or listener.read < listener.total:
        return  # nobody listens, no page count, or still reading (OCR loads pixels too)
    if page <= listener.analysed or page > listener.total:
        return
    listener.analysed = page
    _call(listener, page, listener.total, ANALYSE)


class Throttle:
    """Pass the first report of each stage, the last, and at most one every `interval` seconds
    in between: the rate at which progress is written somewhere (a database row, a job file)."""

    def __init__(self, interval: float):
        self.interval = interval
        self._last = -1.0
        self.last: tuple[int, int, str] | None = None

    def due(self, done: int, total: int, stage: str = READ) -> bool:
        now = time.monotonic()
        new_stage = self.last is None or self.last[2] != stage
        # Under the test page gate the scan waits for every page to be seen: pass them all.
        interval = 0.0 if os.environ.get(PAGE_GATE_ENV) else self.interval
        if not new_stage and done < total and now - self._last < interval:
            return False
        if self.last == (done, total, stage):
            return False
        self._last = now
        self.last = (done, total, stage)
        return True


def bar_value(done: int, total: int, stage: str) -> int:
    """One bar over both stages: 0..total while reading, total..2*total while analysing."""
    return done + (total if stage == ANALYSE else 0)
