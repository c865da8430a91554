"""政民互动 in a real browser (Playwright on Debian's /usr/bin/chromium): the 受理 desk registers a
message with the writer's data through the form and assigns it; the unit member finds it in 我的待办
and drafts a reply that greets the writer by name; the unit head approves it (审阅); the publisher
runs the 保密审查 and publishes — the published Q&A shows the reply with the writer's data masked.
Only the register page ever shows the writer's data. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, _free_port

PASSWORD = "browser-pass-1"
USERS = {"desk": ["interaction"], "h1": [], "head": [], "publisher": ["publisher"]}
NAME, PHONE = "欧阳建国", "13901234567"

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian chromium: run scripts/ensure-chromium.sh"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    from pubguard.api import ApiSettings, create_app

    app = create_app(ApiSettings(data_dir=tmp_path / "data", worker_threads=0))
    svc = app.state.service
    svc.create_site("demo", "示例市人民政府门户网站")
    for name, roles in USERS.items():
        svc.create_user(name, display_name=name, password=PASSWORD, roles=[("demo", r) for r in roles])
    svc.create_user("root", is_admin=True)
    svc.create_unit("root", "demo", "市城管局", head="head", members=["h1"])
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(15)
        svc.close()


def test_message_from_arrival_to_published_masked_reply(server):
    from playwright.sync_api import expect, sync_playwright

    base = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(20_000)
        pages_seen: list[str] = []

        def login(user: str) -> None:
            page.context.clear_cookies()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/queue")

        def seen() -> None:
            pages_seen.append(page.content())

        # 1. The desk registers the message through the form and assigns it.
        login("desk")
        page.click("nav >> text=政民互动")
        page.fill("#message-form input[name=subject]", "小区路灯坏了")
        page.fill(
            "#message-form textarea[name=body]",
            f"我叫{NAME}，电话{PHONE}。小区门口路灯坏了半年，请尽快修复。",
        )
        page.select_option("#message-form select[name=type]", "complaint")
        page.fill("#message-form input[name=name]", NAME)
        page.fill("#message-form input[name=phone]", PHONE)
        page.click("#message-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/messages/\d+\?done=receive$"))
        expect(page.locator("#message-body")).to_contain_text("欧***")
        seen()
        page.click("#assign-form button[type=submit]")
        expect(page.locator("#message-status")).to_have_text("办理中")
        page.screenshot(path=str(ARTIFACTS / "browser-message-01-assigned.png"), full_page=True)
        seen()

        # 2. The unit member finds it in 我的待办 and replies, greeting the writer by name.
        login("h1")
        expect(page.locator("#todo-messages a.message-link")).to_have_count(1)
        seen()
        page.click("#todo-messages a.message-link")
        page.fill(
            "#reply-form textarea[name=text]", f"{NAME}您好：路灯已于本周修复，如有问题请拨打{PHONE}回访。"
        )
        page.click("#reply-form button.primary")
        expect(page.locator("#message-status")).to_have_text("待审阅")
        expect(page.locator("#message-reply")).to_contain_text("139****4567")
        seen()

        # 3. The head reads and approves (审阅).
        login("head")
        page.click("#todo-messages a.message-link")
        page.click("#review-form button.primary")
        expect(page.locator("#message-status")).to_have_text("已答复")
        seen()

        # 4. The publisher: 保密审查 and publication of the masked Q&A.
        login("publisher")
        page.click("#todo-messages a.message-link")
        page.click("#publish-form button[type=submit]")
        expect(page.locator("#message-status")).to_have_text("已公开")
        expect(page.locator("#published-answer")).to_contain_text("路灯已于本周修复")
        expect(page.locator("#published-answer")).to_contain_text("欧***")
        page.screenshot(path=str(ARTIFACTS / "browser-message-02-published.png"), full_page=True)
        seen()
        page.goto(f"{base}/interaction/qa?site=demo")
        expect(page.locator("article.qa")).to_have_count(1)
        seen()

        # The register page (desk only) is the one place with the writer's data.
        login("desk")
        page.goto(page.url.replace("/queue", "/messages"))
        page.click("a.message-link")
        page.click("a.register-link")
        expect(page.locator("table.kv")).to_contain_text(NAME)
        browser.close()

    for html in pages_seen:
        assert NAME not in html and PHONE not in html
