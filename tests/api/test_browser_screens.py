"""Screenshots of every main page at 1366 and 1024 px (issue 18: "looked at before closing"), in
a real browser (Playwright on Debian's /usr/bin/chromium) against the demo data of `make run`
plus a six-page PDF, a scan with two versions (the OCR diff) and a released draft. Each page is
also checked for what would make it unusable: a server error, an element wider than the
window (horizontal scroll), or a request leaving the machine. Files go to test-artifacts/screens/
(git-ignored): `<name>-<width>.png`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, _free_port

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
    pytest.mark.slow,
]
SHOTS = ARTIFACTS / "screens"
WIDTHS = (1366, 1024)
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


# Short table headers (a word or two, no space; long notes may wrap) whose text runs over more than one line (e.g. 稿/件).
WRAPPED_HEADERS = """() => [...document.querySelectorAll('th')].filter(th => {
  const t = th.innerText.trim(); if (!t || t.length > 8 || /\\s/.test(t) || !th.offsetParent) return false;
  const r = document.createRange(); r.selectNodeContents(th);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1;
}).map(th => th.innerText.trim())"""
# 值班读网: px between the filter row and the run form, and between the run form and the next heading.
DUTY_GAPS = """() => { const f = document.querySelector('form.filters'), r = document.querySelector('#duty-run-form');
  const h = r.nextElementSibling;
  return [r.getBoundingClientRect().top - f.getBoundingClientRect().bottom,
          h.getBoundingClientRect().top - r.getBoundingClientRect().bottom]; }"""


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, object, dict[str, int]]]:
    """`make run`'s demo data, and a few drafts the demo lacks, under uvicorn on a loopback port."""
    import uvicorn

    from api.test_browser_workspace import six_page_pdf
    from api.test_documents import docx_with_table_and_author, notice_png
    from pubguard.api import ApiSettings, create_app
    from pubguard.api.demo import DEMO_SITE, seed

    app = create_app(ApiSettings(data_dir=tmp_path / "data", worker_threads=1, worker_poll_seconds=0.2))
    svc = app.state.service
    seed(svc, SAMPLES)
    ids: dict[str, int] = {}
    with svc.db.read() as s:
        from sqlalchemy import select

        from pubguard.review.models import Draft

        for d in s.execute(select(Draft)).scalars():
            ids[d.title] = d.id
    ids["pdf6"] = svc.create_draft(
        "editor",
        DEMO_SITE,
        "春季农业生产工作通知（六页）",
        column="通知公告",
        data=six_page_pdf(),
        filename="通知.pdf",
    )["id"]
    ids["table"] = svc.create_draft(
        "editor",
        DEMO_SITE,
        "临时救助对象公示",
        column="公示公告",
        data=docx_with_table_and_author(),
        filename="公示.docx",
    )["id"]
    scan = svc.create_draft(
        "editor",
        DEMO_SITE,
        "植树活动通知（扫描件）",
        column="通知公告",
        data=notice_png(True),
        filename="扫描.png",
    )
    svc.upload_version("editor", scan["id"], "扫描-去红头.png", notice_png(False), note="去掉红头")
    ids["scan"] = scan["id"]
    people = {"proofreader": ["proof1", "proof2", "proof3"], "reviewer1": ["reviewer1"], "reviewer2": ["reviewer2"],
              "reviewer3": ["reviewer3"]}  # fmt: skip

    def approved(title: str) -> dict:
        text = f"{title}\n各单位：\n请按时组织植树活动。\n"
        d = svc.create_draft(
            "editor", DEMO_SITE, title, column="通知公告", data=text.encode(), filename="植树.txt"
        )
        svc.set_disclosure("editor", d["id"], "主动公开")
        svc.submit("editor", d["id"], d["current_version_id"])
        d = svc.get_draft("editor", d["id"])
        used: dict[str, int] = {}
        while d["active_step"] is not None:
            step = d["active_step"]
            pool = people.get(step["role"], ["proof1"])
            who = pool[min(used.get(step["role"], 0), len(pool) - 1)]
            used[step["role"]] = used.get(step["role"], 0) + 1
            d = svc.approve(who, d["id"], d["current_version_id"], step_key=step["key"], comment="同意。")
        return d

    ids["waiting"] = approved("关于开展植树节宣传活动的通知")["id"]  # 待发布: in the publisher's queue
    released = approved("关于开展春季植树活动的通知")
    svc.release("publisher", released["id"], released["current_version_id"])
    ids["released"] = released["id"]

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}", app, ids
    finally:
        srv.should_exit = True
        thread.join(15)


def test_screenshots_of_the_main_pages(demo_server) -> None:
    from playwright.sync_api import sync_playwright

    from pubguard.api.demo import DEMO_PASSWORD

    base, app, ids = demo_server
    svc = app.state.service
    SHOTS.mkdir(parents=True, exist_ok=True)
    scan_versions = svc.get_draft("editor", ids["scan"])["versions"]
    red = ids.get("南宁市人民政府办公室关于春季农业生产的通知（含红头、公章）")
    tracked = ids.get("2024年度部门工作要点（含修订痕迹）")
    roster = ids.get("2024年春季农业补贴发放名单")
    foi = [f["id"] for f in svc.list_foi("yishenqing")]
    messages = [m["id"] for m in svc.list_messages("hudong")]
    # (name, user or None, path, full page)
    plan: list[tuple[str, str | None, str, bool]] = [
        ("login", None, "/login", True),
        ("queue-editor", "editor", "/queue", True),
        ("drafts", "editor", "/drafts", True),
        ("upload", "editor", "/upload", True),
        ("draft-redheader", "editor", f"/drafts/{red}", False),
        ("draft-6pages", "editor", f"/drafts/{ids['pdf6']}", False),
        ("textview-docx-props", "editor", f"/drafts/{tracked}", False),
        ("textview-table", "editor", f"/drafts/{ids['table']}", False),
        ("textview-xlsx", "editor", f"/drafts/{roster}", False),
        ("queue-publisher", "publisher", "/queue", True),
        ("release-record", "publisher", f"/drafts/{ids['released']}#actions", False),
        ("register", "publisher", "/register", True),
        ("duty", "publisher", "/duty", True),
        ("audit", "admin", "/audit", False),
        ("messages", "hudong", "/messages", True),
        ("interaction-stats", "hudong", "/interaction/stats", True),
        ("interaction-qa", "hudong", "/interaction/qa?site=demo", True),
        ("foi", "yishenqing", "/foi", True),
        ("annual-report", "gongkai", "/annual-report", True),
        ("docs", "editor", "/docs", False),
    ]
    assert len(scan_versions) == 2
    plan.insert(9, ("diff-scan", "editor", f"/drafts/{ids['scan']}/diff", True))
    if foi:
        plan.append(("foi-request", "yishenqing", f"/foi/{foi[0]}", True))
    if messages:
        plan.append(("message", "hudong", f"/messages/{messages[0]}", True))
    plan.append(("sheet", "publisher", f"/api/v1/drafts/{ids['released']}/sheet.html", True))
    # pages other helpers of this session were adding: shot when the app has them
    optional = {"users": ("admin", "/users"), "notifications": ("editor", "/notifications")}
    for name, (user, path) in optional.items():
        plan.append((name, user, path, True))

    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width in WIDTHS:
            ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            page.on(
                "request",
                lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None,
            )
            who: str | None = "-"
            for name, user, path, full in plan:
                if user != who:
                    ctx.clear_cookies()
                    if user is not None:
                        page.goto(f"{base}/login")
                        page.fill("input[name=username]", user)
                        page.fill("input[name=password]", DEMO_PASSWORD)
                        page.click("#login-form button[type=submit]")
                        page.wait_for_url(f"{base}/queue")
                    who = user
                response = page.goto(f"{base}{path}")
                status = response.status if response else 0
                if name in optional and status == 404:
                    continue
                page.wait_for_load_state("networkidle")
                if name == "docs":
                    page.wait_for_selector(".opblock-summary")
                if name == "draft-6pages":  # the workspace with a finding selected
                    page.locator(".findings .finding .f-msg").last.click()
                    page.wait_for_timeout(600)
                if status >= 400:
                    problems.append(f"{name}@{width}: HTTP {status}")
                wrapped = page.evaluate(WRAPPED_HEADERS)
                if wrapped and name != "sheet":
                    problems.append(f"{name}@{width}: headers broken inside a word: {wrapped}")
                if name == "duty":  # the run band is not glued to the filter row or the 值班表 heading
                    gaps = page.evaluate(DUTY_GAPS)
                    if min(gaps) < 12:
                        problems.append(f"{name}@{width}: cramped under the filter row, gaps {gaps}")
                wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if wide > 2:
                    problems.append(f"{name}@{width}: {wide}px wider than the window")
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=full)
            ctx.close()
        browser.close()
    assert outside == []
    assert not problems, problems
