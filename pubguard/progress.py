"""Page progress of the file being scanned: "第 N / M 页".

Extractors that walk pages (PDF, and through it the formats converted to PDF) call
`report_pages(done, total)` before the first page and after each one. Whoever wants to show
progress wraps the scan in `page_progress(callback)`; without a callback a report costs one
context-variable lookup. The callback is per context (thread), so concurrent scans in other
threads never see each other's pages.

Across the crash-isolation boundary (`pubguard.isolate`) the child sends each report to the
parent as a message on its reply pipe and the parent calls the callback that was current when
the scan was asked for: the same code reports progress whether the file is scanned in-process
or in the isolated child.

Archive members and embedded files are scanned with progress switched off (their pages are not
the outer file's pages).

Test hook: `PUBGUARD_TEST_PAGE_DELAY=SECONDS` sleeps that long after each page, so a test can
watch intermediate progress of a real scan deterministically. Never set it in production.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

log = logging.getLogger("pubguard.progress")

PageCallback = Callable[[int, int], None]

PAGE_DELAY_ENV = "PUBGUARD_TEST_PAGE_DELAY"

_callback: ContextVar[PageCallback | None] = ContextVar("pubguard_page_progress", default=None)


def current() -> PageCallback | None:
    """The callback of this context, or None when nobody listens."""
    return _callback.get()


@contextlib.contextmanager
def page_progress(callback: PageCallback | None) -> Iterator[None]:
    """Report pages of the scans run inside to `callback(done, total)`; None switches it off."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)


def report_pages(done: int, total: int) -> None:
    """Called by extractors: `done` of `total` pages read. Never raises."""
    if done:
        delay = os.environ.get(PAGE_DELAY_ENV)
        if delay:
            with contextlib.suppress(ValueError):
                time.sleep(float(delay))
    callback = _callback.get()
    if callback is None:
        return
    try:
        callback(done, total)
    except Exception:  # showing progress must never break a scan
        log.exception("page progress callback failed")


class Throttle:
    """Pass the first and the last report and at most one every `interval` seconds in between:
    the rate at which progress is written somewhere (a database row, a job file)."""

    def __init__(self, interval: float):
        self.interval = interval
        self._last = -1.0
        self.last: tuple[int, int] | None = None

    def due(self, done: int, total: int) -> bool:
        now = time.monotonic()
        if self.last is not None and done < total and now - self._last < self.interval:
            return False
        if self.last == (done, total):
            return False
        self._last = now
        self.last = (done, total)
        return True
