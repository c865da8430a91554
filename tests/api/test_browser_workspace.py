"""The draft page as a workspace, in a real browser (Playwright on Debian's /usr/bin/chromium):
a six-page PDF with findings on pages 2 and 5 shows a thumbnail rail; clicking a finding scrolls
its box into the viewport and highlights it while the findings column stays beside the pages;
j/k move between findings; filters hide findings and their boxes and survive an htmx swap of the
body; a thumbnail jumps to its page; at 1024 px the findings still sit beside the pages and at
700 px above them. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest
from factories import make_id_number

from api.test_browser import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, server  # noqa: F401  (fixture)

SEL = re.compile(r"\bsel\b")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")


def six_page_pdf() -> bytes:
    """Six pages of body text; an ID number on page 2, a mobile and an ID number on page 5."""
    doc = pymupdf.open()
    for n in range(1, 7):
        page = doc.new_page(width=595, height=842)
        page.insert_text(
            (120, 110), f"关于做好春季农业生产工作的通知（第{n}页）", fontname="china-s", fontsize=15
        )
        for i in range(18):
            page.insert_text(
                (80, 160 + 28 * i),
                f"第{n}页第{i + 1}段：各乡镇要认真组织春耕备耕工作。",
                fontname="china-s",
                fontsize=12,
            )
        if n == 2:
            page.insert_text(
                (80, 700), "联系人：张伟，身份证号：" + make_id_number(), fontname="china-s", fontsize=12
            )
        if n == 5:
            page.insert_text((80, 690), "联系人：李娜，手机：13877120456", fontname="china-s", fontsize=12)
            page.insert_text(
                (80, 760), "申请人：王强，身份证号：" + make_id_number(), fontname="china-s", fontsize=12
            )
    return doc.tobytes()


def test_workspace_rail_finding_scroll_keys_filters(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base, app = server
    svc = app.state.service
    d = svc.create_draft(
        "editor", "demo", "春季农业生产通知", column="通知公告", data=six_page_pdf(), filename="通知.pdf"
    )
    draft_url = f"{base}/drafts/{d['id']}"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{base}/queue")
        page.goto(draft_url)

        # The rail: one thumbnail per page, the pages with findings carry a count.
        expect(page.locator(".page-rail .thumb")).to_have_count(6)
        on5 = page.locator('.page[data-page="5"] .box').count()
        assert on5 >= 2
        expect(page.locator('.thumb[data-page="5"] .thumb-count')).to_have_text(str(on5))
        expect(page.locator('.thumb[data-page="1"] .thumb-count')).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "workspace-1366.png"))

        # A finding on page 5, far below the fold: clicking it brings its box into view.
        box5 = page.locator('.page[data-page="5"] .box').first
        fid = box5.get_attribute("data-finding")
        expect(box5).not_to_be_in_viewport()
        page.locator(f"#finding-{fid} .f-msg").click()
        expect(box5).to_be_in_viewport()
        expect(box5).to_have_class(SEL)
        expect(page.locator(f"#finding-{fid}")).to_be_in_viewport()  # the findings column followed
        expect(page.locator('.thumb[data-page="5"]')).to_have_class(re.compile(r"\bcurrent\b"))
        page.screenshot(path=str(ARTIFACTS / "workspace-1366-finding-selected.png"))

        # j / k: the next and previous finding, each box scrolled into view.
        ids = [el.get_attribute("data-finding") for el in page.locator(".findings .finding").all()]
        at = ids.index(fid)
        page.keyboard.press("k")
        prev = page.locator(f'.box[data-finding="{ids[at - 1]}"]')
        expect(prev).to_have_class(SEL)
        expect(prev).to_be_in_viewport()
        expect(box5).not_to_have_class(SEL)
        page.keyboard.press("j")
        expect(box5).to_have_class(SEL)
        # typing j in a text field does not move the selection
        page.locator(".comment-form textarea").fill("")
        page.locator(".comment-form textarea").press("j")
        expect(box5).to_have_class(SEL)

        # A thumbnail jumps to its page.
        page.locator('.thumb[data-page="1"]').click()
        expect(page.locator('.page[data-page="1"] img')).to_be_in_viewport()
        expect(box5).not_to_be_in_viewport()

        # Filters: by severity hide the others and their boxes; kept across an htmx swap of the body.
        sev = page.locator('.f-filters select[data-filter="severity"]')
        options = [o.get_attribute("value") for o in sev.locator("option").all() if o.get_attribute("value")]
        chosen = options[0]
        page.select_option('.f-filters select[data-filter="severity"]', chosen)
        visible = page.locator(".findings .finding:not(.f-hidden)")
        total = page.locator(".findings .finding").count()
        shown = visible.count()
        assert 0 < shown <= total
        assert all(el.get_attribute("data-severity") == chosen for el in visible.all())
        hidden_boxes = page.locator(f'.box:not([class*="sev-{chosen}"])')
        for i in range(hidden_boxes.count()):
            expect(hidden_boxes.nth(i)).to_be_hidden()
        expect(page.locator(".f-shown")).to_contain_text(f"{shown} / {total}")
        page.fill(".comment-form textarea[name=body]", "请核对第5页联系人信息。")
        page.click(".comment-form button[type=submit]")  # htmx re-renders the draft body
        expect(page.locator(".comments")).to_contain_text("请核对第5页联系人信息")
        expect(page.locator('.f-filters select[data-filter="severity"]')).to_have_value(chosen)
        expect(page.locator(".findings .finding:not(.f-hidden)")).to_have_count(shown)
        page.select_option('.f-filters select[data-filter="severity"]', "")
        expect(page.locator(".findings .finding:not(.f-hidden)")).to_have_count(total)

        # 1024 px: the findings column still sits beside the pages (rail across the top).
        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto(draft_url)
        side, doc = (
            page.locator(".draft-grid > .side").bounding_box(),
            page.locator(".doc-view").bounding_box(),
        )
        assert side and doc and side["x"] >= doc["x"] + doc["width"] - 1 and side["y"] < doc["y"] + 200
        page.locator(f"#finding-{fid} .f-msg").click()
        expect(box5).to_be_in_viewport()
        expect(page.locator(f"#finding-{fid}")).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / "workspace-1024.png"))

        # 700 px: one column, the side (with the findings) above the pages, not below all of them.
        page.set_viewport_size({"width": 700, "height": 900})
        side, doc = (
            page.locator(".draft-grid > .side").bounding_box(),
            page.locator(".doc-view").bounding_box(),
        )
        assert side and doc and side["y"] + side["height"] <= doc["y"] + 1
        page.locator(f"#finding-{fid} .f-msg").click()
        expect(box5).to_be_in_viewport()
        browser.close()


def long_docx() -> bytes:
    """Eighty paragraphs, then a table with an ID number in it; the author in the properties."""
    import io

    import docx

    d = docx.Document()
    d.core_properties.author = "王建国"
    d.add_paragraph("关于2024年度临时救助对象的公示")
    for i in range(80):
        d.add_paragraph(f"第{i + 1}段：按照有关规定，现将临时救助对象公示如下。")
    table = d.add_table(rows=2, cols=3)
    for j, v in enumerate(["姓名", "身份证号", "乡镇"]):
        table.cell(0, j).text = v
    for j, v in enumerate(["张伟民", make_id_number(), "石埠街道"]):
        table.cell(1, j).text = v
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_text_view_finding_scrolls_to_its_mark_in_a_table(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base, app = server
    svc = app.state.service
    d = svc.create_draft(
        "editor", "demo", "临时救助公示", column="公示公告", data=long_docx(), filename="公示.docx"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{base}/queue")
        page.goto(f"{base}/drafts/{d['id']}")
        expect(page.locator(".text-view table.tv-table tr")).to_have_count(2)
        expect(page.locator(".tv-props dd").first).to_have_text(re.compile(r"王\*\*"))
        card = page.locator('.finding[data-category="personal_data"]').first
        fid = card.get_attribute("data-finding")
        mark = page.locator(f'.tv-table mark.hl[data-finding="{fid}"]')
        expect(mark).not_to_be_in_viewport()
        card.locator(".f-msg").click()
        expect(mark).to_be_in_viewport()
        expect(mark).to_have_class(SEL)
        page.screenshot(path=str(ARTIFACTS / "workspace-textview-1366.png"))
        browser.close()
