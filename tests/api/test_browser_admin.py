"""In Chromium (issue 18 items 9, 12, 13, 14): the login page uses the system Chinese fonts
first, no request 404s (favicon), the upload form's 栏目 follows the chosen site and the status
is one line, a 附件 is attached and listed, the drafts list searches and bulk-archives, the
用户管理 page creates a user, the audit log names people. Screenshots at 1366 and 1024 px."""

from __future__ import annotations

import re
import shutil

import pytest

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, server  # noqa: F401 (fixture)
from api.test_ui import seal_and_id_pdf

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian chromium: run scripts/ensure-chromium.sh"
)
WIDTHS = (1366, 1024)


def test_admin_pages_in_the_browser(server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base, app = server
    svc = app.state.service
    svc.set_site_columns("demo", ["通知公告", "政策文件", "工作动态"])
    svc.create_site("dept", "示例市农业农村局网站")
    svc.grant_role("editor", "dept", "editor")
    svc.create_user("boss", display_name="王管理", password=PASSWORD, is_admin=True)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = tmp_path / "补贴通知.pdf"
    pdf.write_bytes(seal_and_id_pdf(with_problems=False))
    annex = tmp_path / "附件1-名单.txt"
    annex.write_text("联系人：张伟，手机 13701234567\n", encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

        def shots(name: str) -> None:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(ARTIFACTS / f"admin-{name}-{width}.png"), full_page=True)
            page.set_viewport_size({"width": 1366, "height": 900})

        def login(user: str) -> None:
            page.context.clear_cookies()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/queue")

        # fonts: system Chinese fonts first, the bundled one last before the generic family
        page.goto(f"{base}/login")
        stack = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert stack.startswith('"PingFang SC"') and stack.index("Microsoft YaHei") < stack.index(
            "PubGuard CJK"
        )
        assert stack.rstrip().endswith('"PubGuard CJK", sans-serif')
        shots("login")

        # upload: 栏目 from the chosen site's list, free text for a site without one; one status line
        login("editor")
        page.goto(f"{base}/upload")
        column = page.locator('.column-field[data-site="demo"] select[name=column]')
        expect(column).to_be_visible()
        assert column.locator("option").all_inner_texts() == ["通知公告", "政策文件", "工作动态"]
        page.select_option("select[name=site]", "dept")
        expect(column).to_be_hidden()
        expect(page.locator('.column-field[data-site="dept"] input[name=column]')).to_be_visible()
        page.select_option("select[name=site]", "demo")
        page.select_option('.column-field[data-site="demo"] select', "政策文件")
        shots("upload")
        page.fill("input[name=title]", "关于发放2024年春季农业补贴的通知")
        page.set_input_files("#upload-form input[type=file]", str(pdf))
        statuses: list[str] = []
        page.expose_function("pgStatus", lambda t: statuses.append(t))
        page.evaluate(
            "new MutationObserver(() => pgStatus(document.querySelector('.upload-status').textContent))"
            ".observe(document.querySelector('.upload-status'), {subtree: true, childList: true, characterData: true})"
        )
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/drafts/\d+$"))
        draft_url = page.url
        assert statuses and all(s.count("上传完成") <= 1 for s in statuses), statuses
        assert svc.list_drafts("editor", limit=1)[0]["column"] == "政策文件"

        # 附件: attach, listed with its findings, downloadable
        page.set_input_files(".attachment-upload input[type=file]", str(annex))
        page.click(".attachment-upload button[type=submit]")
        row = page.locator(".attachment-row")
        expect(row).to_contain_text("附件1-名单.txt")
        expect(row).to_contain_text("手机号码")
        with page.expect_download() as dl:
            row.locator("a[download]").click()
        assert dl.value.suggested_filename == "附件1-名单.txt"
        page.locator("#attachments").scroll_into_view_if_needed()
        shots("draft-attachments")

        # drafts list: search, the admin's bulk archive; user management; audit names
        login("boss")
        page.goto(f"{base}/drafts")
        page.fill("input[name=q]", "春季农业")
        page.click(".filters button[type=submit]")
        expect(page.locator(".draft-link")).to_have_count(1)
        shots("drafts")
        page.locator("input[name=draft]").first.check()
        page.select_option("select[name=bulk_action]", "archive")
        page.click("#bulk-form button[type=submit]")
        expect(page.locator(".alert-ok")).to_contain_text("归档：完成")
        assert svc.get_draft("boss", int(draft_url.rsplit("/", 1)[1]))["status"] == "archived"
        page.click("a[href='/users']")
        page.fill("#create-user input[name=username]", "newbie")
        page.fill("#create-user input[name=display_name]", "新同事")
        page.check("#create-user input[name=role][value=reviewer1]")
        page.click("#create-user button[type=submit]")
        expect(page.locator(".alert-ok")).to_contain_text("初始密码")
        expect(page.locator('tr[data-user="newbie"]')).to_contain_text("初审")
        shots("users")
        page.goto(f"{base}/audit")
        expect(page.locator("table.audit")).to_contain_text("王管理")
        expect(page.locator("table.audit")).to_contain_text("用户 newbie")
        text = page.locator("table.audit").inner_text()
        for code in ("user.create", "draft.create", "archive"):
            assert re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text) is None, code
        assert "：reviewer1）" not in text and "：编辑）" in text  # roles by their names (users keep theirs)
        shots("audit")
        page.goto(f"{base}/messages")
        shots("messages")
        browser.close()
    assert not missing, missing
