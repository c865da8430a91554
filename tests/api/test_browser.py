"""End to end in a real browser (Playwright driving Debian's /usr/bin/chromium): an editor
uploads a notice with a red seal and an ID number and sees both boxed on the page; a
proofreader confirms the problems and rejects (the rejection round trip); the editor uploads a
clean version and resubmits; six different users pass 一校 → 初审 → 二校 → 复审 → 三校 → 终审 and
the publisher releases it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.test_ui import seal_and_id_pdf

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-pass-1"
SITE_URL = "https://www.example.gov.cn/"
USERS = {
    "editor": ["editor"], "proof1": ["proofreader"], "reviewer1": ["reviewer1"], "proof2": ["proofreader"],
    "reviewer2": ["reviewer2"], "proof3": ["proofreader"], "reviewer3": ["reviewer3"], "publisher": ["publisher"],
}  # fmt: skip
STEPS = [
    ("proof1", "一校"),
    ("reviewer1", "初审"),
    ("proof2", "二校"),
    ("reviewer2", "复审"),
    ("proof3", "三校"),
    ("reviewer3", "终审"),
]

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian chromium: run scripts/ensure-chromium.sh"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """The real app (real scanner, one worker thread) under uvicorn on a loopback port."""
    import uvicorn

    from pubguard.api import ApiSettings, create_app

    app = create_app(ApiSettings(data_dir=tmp_path / "data", worker_threads=1, worker_poll_seconds=0.2))
    svc = app.state.service
    svc.create_site("demo", "示例市人民政府门户网站", publish={"type": "folder", "base_url": SITE_URL})
    for name, roles in USERS.items():
        svc.create_user(name, display_name=name, password=PASSWORD, roles=[("demo", r) for r in roles])
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        thread.join(15)


def test_upload_boxes_six_steps_release_and_a_rejection(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, app = server
    ARTIFACTS.mkdir(exist_ok=True)
    v1 = tmp_path / "补贴通知.pdf"
    v1.write_bytes(seal_and_id_pdf(with_problems=True))
    v2 = tmp_path / "补贴通知-修改.pdf"
    v2.write_bytes(seal_and_id_pdf(with_problems=False))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.set_default_timeout(30_000)

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)

        def shots(name: str) -> None:
            """The pages issue 18 changed, at the two widths people use (1366 and 1024 px)."""
            for width in (1366, 1024):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(ARTIFACTS / f"h18a-{name}-{width}.png"), full_page=True)
            page.set_viewport_size({"width": 1360, "height": 1000})

        def login(user: str) -> None:
            page.context.clear_cookies()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/queue")

        # 1. The editor uploads (drag-and-drop zone / file picker, progress, status polling).
        login("editor")
        page.click("a.nav-upload")
        page.fill("input[name=title]", "关于发放2024年春季农业补贴的通知")
        page.fill("input[name=column]", "通知公告")
        page.set_input_files("input[type=file]", str(v1))
        expect(page.locator(".file-name")).to_contain_text("补贴通知.pdf")
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/drafts/\d+$"))
        draft_url = page.url
        seal = page.locator('.box[data-category="seal"]')
        pid = page.locator('.box[data-category="personal_data"]')
        expect(seal.first).to_be_visible()
        expect(pid.first).to_be_visible()
        box = seal.first.bounding_box()
        img = page.locator(".page-frame img").first.bounding_box()
        assert box and img and box["x"] > img["x"] + img["width"] * 0.5  # the seal is on the right half
        expect(page.locator('.finding[data-category="seal"]')).to_contain_text("公章")
        shot("01-editor-sees-seal-and-id-boxed")
        # A finding click scrolls its box into view and highlights it (the workspace; six pages
        # and j/k in test_browser_workspace.py).
        page.mouse.wheel(0, 3000)
        expect(pid.first).not_to_be_in_viewport()
        page.locator('.finding[data-category="personal_data"] .f-msg').first.click()
        expect(pid.first).to_be_in_viewport()
        expect(pid.first).to_have_class(re.compile(r"\bsel\b"))

        # 2. Disclosure attribute and submission. The page stays where the user acted (issue
        #    18.3): the saved section keeps its place on screen and the message shows inside it.
        page.evaluate("document.getElementById('disclosure').scrollIntoView({block: 'center'})")
        where = (
            "[document.getElementById('disclosure').getBoundingClientRect().top, window.scrollY,"
            " document.querySelector('.draft-grid > .side').scrollTop]"
        )
        before, *scrolled_before = page.evaluate(where)
        assert page.evaluate("window.scrollY") > 100
        page.select_option("#disclosure-form select[name=attribute]", "主动公开")
        page.click("#btn-disclosure")
        expect(page.locator(".disc-current")).to_have_text("主动公开")
        expect(page.locator("#disclosure .inline-flash")).to_contain_text("公开属性已保存")
        after, *scrolled_after = page.evaluate(where)
        # was a jump to the bottom of the page; the section sits in the sticky side column, so the
        # correction must happen in that column's own scroll (the window does not move it)
        assert abs(after - before) < 80, (before, after, scrolled_before, scrolled_after)
        shots("editor-disclosure-saved-in-place")
        # 送审 with an open 阻断 finding needs the editor's confirmation (issue 18.4)
        expect(page.locator("#submit-warning")).to_contain_text("阻断级问题")
        page.click("#btn-submit")  # the box is required: the browser does not send the form
        assert page.evaluate("document.getElementById('ack-blockers').matches(':invalid')")
        expect(page.locator(".head-badges .st-draft")).to_be_visible()
        page.check("#ack-blockers")
        page.click("#btn-submit")
        expect(page.locator(".head-badges .st-in_review")).to_be_visible()
        expect(page.locator(".step.active")).to_contain_text("一校")

        # 3. The proofreader confirms both problems with one click each and rejects.
        login("proof1")
        expect(page.locator("a.draft-link")).to_have_count(1)  # in 我的待办
        page.click("a.draft-link")
        for category in ("seal", "personal_data"):
            card = page.locator(f'.finding[data-category="{category}"]').first
            card.locator(".btn-confirm").click()
            expect(page.locator(f'.finding[data-category="{category}"] .f-status').first).to_contain_text(
                "确认须修改"
            )
        # a confirmed blocker holds the step: no 通过 button, the reason instead (issue 18.4)
        expect(page.locator("#btn-approve")).to_have_count(0)
        expect(page.locator("#approval-hold")).to_contain_text("已确认须修改")
        shots("proofreader-approval-held")
        expect(page.locator("#pending-count")).to_contain_text("含 2 个确认须修改")
        page.click("#btn-reject")  # no comment: the library refuses; the message shows where the user acted
        expect(page.locator("#actions .alert-error")).to_contain_text("退回必须填写意见")
        page.fill(".review-form textarea[name=comment]", "请删除公章和联系人身份证号后重新上传。")
        page.click("#btn-reject")
        expect(page.locator(".badge.st-returned").first).to_be_visible()
        shot("02-proofreader-rejects")

        # 4. The editor sees it returned, uploads a fixed version (scan status without reload), resubmits.
        login("editor")
        expect(page.locator("tr.draft-row .st-returned").first).to_be_visible()
        # issue 18.8: the reason in the queue row, the top of the draft, and a 消息 with a count
        expect(page.locator("tr.draft-row .queue-reason").first).to_contain_text("请删除公章和联系人身份证号")
        expect(page.locator("#unread-count")).to_have_text("1")
        shots("editor-queue-with-reason")
        page.click("#nav-notes")
        expect(page.locator(".note.unread .note-link")).to_contain_text("被一校退回修改")
        expect(page.locator(".note.unread")).to_contain_text("请删除公章")
        shots("editor-notifications")
        page.click(".note.unread .note-link")  # opens the draft and marks the message read
        page.wait_for_url(draft_url)
        expect(page.locator("#unread-count")).to_have_count(0)
        expect(page.locator("#last-rejection")).to_contain_text("请删除公章和联系人身份证号")
        top = page.locator("#last-rejection").bounding_box()
        assert top and top["y"] < 400  # at the top of the page, not under 审核意见
        shots("editor-draft-rejection-on-top")
        expect(page.locator(".comments .c-rejection")).to_contain_text("请删除公章")
        page.set_input_files(".version-upload input[type=file]", str(v2))
        page.fill(".version-upload input[name=note]", "删除公章和身份证号")
        page.click(".version-upload button[type=submit]")
        expect(page.locator("#scan-status")).to_contain_text("第2版已检查")
        expect(page.locator('.box[data-category="seal"]')).to_have_count(0)
        expect(page.locator('.finding.fs-fixed[data-category="seal"]')).to_have_count(1)
        page.click("#btn-submit")
        expect(page.locator(".step.active")).to_contain_text("一校")

        # 5. Six steps, six different people.
        for user, step in STEPS:
            login(user)
            page.goto(draft_url)
            expect(page.locator(".step.active")).to_contain_text(step)
            page.fill(".review-form textarea[name=comment]", f"{step}同意。")
            page.click("#btn-approve")
            expect(page.locator(f'.step.approved:has-text("{step}")')).to_be_visible()
        shot("03-six-steps-approved")

        # 6. The publisher finds it in 我的待办 (待发布, issue 18.2) and releases it; the button
        #    gives way to 撤稿 and the record gives the page's web address.
        login("publisher")
        expect(page.locator("tr.draft-row .st-approved")).to_be_visible()
        expect(page.locator("#unread-count")).to_have_text("1")  # 消息: 待发布
        shots("publisher-queue")
        page.click("a.draft-link")
        expect(page.locator(".gate-ok")).to_be_visible()
        expect(page.locator("#unread-count")).to_have_count(0)  # opening the draft read its 消息
        page.click("#btn-release")
        expect(page.locator(".head-badges .st-released")).to_have_text("已发布")
        expect(page.locator("#btn-release")).to_have_count(0)
        expect(page.locator("#btn-withdraw")).to_be_visible()
        expect(page.locator("a.release-url")).to_have_text(
            re.compile(re.escape(SITE_URL) + r"\d+/补贴通知-修改\.pdf")
        )
        shot("04-released")
        shots("publisher-released-web-address")
        page.goto(f"{base}/queue")
        expect(page.locator("a.draft-link")).to_have_count(0)
        page.goto(draft_url.replace("/drafts/", "/api/v1/drafts/") + "/sheet.html")
        expect(page.locator("h1")).to_have_text("政府网站信息发布审核单")
        shot("05-review-sheet")
        shots("review-sheet")
        browser.close()

    published = list((Path(app.state.settings.data_dir) / "published").rglob("*.pdf"))
    assert len(published) == 1 and published[0].read_bytes() == v2.read_bytes()
