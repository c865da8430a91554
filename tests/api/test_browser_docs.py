"""/docs in a real browser: the vendored Swagger UI renders FastAPI's OpenAPI 3.1 document and
lists the operations (Swagger UI 4 showed "Unable to render this definition"), with no request
leaving the machine."""

from __future__ import annotations

import shutil

import pytest

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, server  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian chromium")


def test_docs_list_operations_offline(server) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, _app = server
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary", timeout=30_000)
        assert page.locator(".opblock-summary").count() > 20
        assert page.get_by_text("Unable to render this definition").count() == 0
        assert page.locator(".opblock-summary-path", has_text="/api/v1/check").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "docs-1366.png"))
        browser.close()
    assert outside == []
