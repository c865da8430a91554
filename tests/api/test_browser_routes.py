"""分级审批 and 政策解读 in a real browser (Playwright on Debian's /usr/bin/chromium): a 通告 is
suggested 重大信息, the editor takes the suggestion, the route gains the 本级人民政府办公室's step
which only its own user can pass; a policy is linked to its 解读 on the page and releasing the
policy puts both online. The ordinary steps are approved through the library to keep it fast;
the browser does what is new. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, server  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")

NOTICE = "某某市人民政府\n关于元旦春节期间禁止燃放烟花爆竹的通告\n为保障公共安全，现通告如下。\n"
POLICY = (
    "某某市人民政府\n某政规〔2026〕2号\n某某市城市绿化管理办法\n第一条 为了加强城市绿化管理，制定本办法。\n"
)
INTERP = "《某某市城市绿化管理办法》政策解读\n一、起草背景\n为加强城市绿化管理……\n"
BASE_APPROVERS = {
    "proof1": "proof1", "review1": "reviewer1", "proof2": "proof2", "review2": "reviewer2",
    "proof3": "proof3", "readthrough": "proof1", "review3": "reviewer3",
}  # fmt: skip


def _draft(svc, title: str, text: str) -> int:
    d = svc.create_draft(
        "editor", "demo", title, column="通知公告", data=text.encode(), filename=f"{title}.txt"
    )
    svc.set_disclosure("editor", d["id"], "主动公开")
    return d["id"]


def _approve(svc, draft_id: int, until: str | None = None) -> None:
    d = svc.get_draft("editor", draft_id)
    while d["active_step"] is not None and d["active_step"]["key"] != until:
        key = d["active_step"]["key"]
        d = svc.approve(BASE_APPROVERS[key], draft_id, d["current_version_id"], step_key=key)


def test_major_route_and_policy_with_interpretation(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base, app = server
    svc = app.state.service
    svc.create_user("gov1", display_name="政府办", password=PASSWORD, roles=[("demo", "gov_office")])
    notice = _draft(svc, "禁放通告", NOTICE)
    policy = _draft(svc, "城市绿化管理办法", POLICY)
    interp = _draft(svc, "管理办法政策解读", INTERP)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.set_default_timeout(30_000)

        def login(user: str) -> None:
            page.context.clear_cookies()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/queue")

        # 1. 重大信息: the scanner's suggestion is shown; the editor takes it and submits.
        login("editor")
        page.goto(f"{base}/drafts/{notice}")
        expect(page.locator("#ic-proposal")).to_contain_text("重大信息")
        page.select_option("#info-class-form select[name=info_class]", "major")
        page.click("#btn-info-class")
        expect(page.locator(".ic-current")).to_have_text("重大信息")
        expect(page.locator('.step:has-text("本级人民政府办公室审批")')).to_be_visible()
        page.click("#btn-submit")
        expect(page.locator(".head-badges")).to_contain_text("审核中")
        _approve(svc, notice, until="gov_office")
        login("reviewer3")  # the site's own 终审 cannot pass the office's step
        page.goto(f"{base}/drafts/{notice}")
        expect(page.locator(".step.active")).to_contain_text("本级人民政府办公室审批")
        expect(page.locator("#btn-approve")).to_have_count(0)
        login("gov1")
        page.goto(f"{base}/drafts/{notice}")
        page.fill(".review-form textarea[name=comment]", "同意发布。")
        page.click("#btn-approve")
        expect(page.locator('.step.approved:has-text("本级人民政府办公室审批")')).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "browser-routes-01-major.png"), full_page=True)
        login("publisher")
        page.goto(f"{base}/drafts/{notice}")
        page.click("#btn-release")
        expect(page.locator(".head-badges .st-released")).to_have_text("已发布")

        # 2. A policy and its 解读: linked on the page, released together.
        svc.set_info_class("editor", policy, "policy")
        for d in (policy, interp):
            svc.submit("editor", d)
            _approve(svc, d)
        login("editor")
        page.goto(f"{base}/drafts/{policy}")
        expect(page.locator("#links")).to_contain_text("尚未关联")
        page.fill("#link-form input[name=interpretation_id]", str(interp))
        page.click("#btn-link")
        expect(page.locator("#link-interpretation")).to_contain_text("管理办法政策解读")
        login("publisher")
        page.goto(f"{base}/drafts/{interp}")
        expect(page.locator("#btn-release")).to_have_count(0)  # never before its policy
        page.goto(f"{base}/drafts/{policy}")
        page.click("#btn-release")
        expect(page.locator(".head-badges .st-released")).to_have_text("已发布")
        page.goto(f"{base}/drafts/{interp}")
        expect(page.locator(".head-badges .st-released")).to_have_text("已发布")
        page.goto(f"{base}/register")
        expect(page.locator("#register tbody tr")).to_have_count(3)
        page.screenshot(path=str(ARTIFACTS / "browser-routes-02-register.png"), full_page=True)
        browser.close()
