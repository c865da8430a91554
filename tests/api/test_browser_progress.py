"""In a real browser: the upload page shows a long PDF's scan progress page by page
(「正在检查：第 N / M 页」 and its bar) while the worker's isolated child reads it, then opens the
draft. Pages are slowed by the test-only delay hook so the browser sees intermediate pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_progress import long_pdf

from api.test_browser import ARGS, CHROMIUM, PASSWORD, server  # noqa: F401 - the server fixture
from pubguard.progress import PAGE_DELAY_ENV
from pubguard.review import base

pytestmark = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason="needs Debian chromium: run scripts/ensure-chromium.sh"
    ),
    pytest.mark.slow,
]
PAGES = 6


def test_upload_page_shows_pages_while_scanning(
    server,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv(PAGE_DELAY_ENV, "0.5")  # the worker's child starts with the first job
    monkeypatch.setattr(base, "JOB_PROGRESS_SECONDS", 0.0)
    url, _app = server
    pdf = tmp_path / "长文件.pdf"
    pdf.write_bytes(long_pdf(PAGES))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{url}/login")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{url}/queue")
        page.click("a.nav-upload")
        page.fill("input[name=title]", "关于做好防汛工作的通知")
        page.set_input_files("input[type=file]", str(pdf))
        page.click("#upload-form button[type=submit]")
        status = page.locator(".upload-status")
        expect(status).to_contain_text(re.compile(rf"正在检查：第 [1-{PAGES - 1}] / {PAGES} 页（读取内容）"))
        bar = page.locator(".upload-progress")
        assert bar.get_attribute("max") == str(2 * PAGES)
        assert 0 < int(float(bar.evaluate("b => b.value"))) < 2 * PAGES
        page.wait_for_url(re.compile(r".*/drafts/\d+$"))  # done: the draft opens
        expect(page.locator("#scan-status")).to_contain_text("已检查")
        browser.close()
