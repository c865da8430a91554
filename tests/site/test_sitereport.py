"""The CLI HTML report (issue 18.15): the site's time zone, the UI's severity colours, and a
findings table that filters and sorts in the browser (inline script, no CDN)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from pubguard.finding import SEVERITY_COLOURS, Finding, Location, Severity
from pubguard.scan import FileResult
from pubguard.site.sitereport import to_html

CHROMIUM = "/usr/bin/chromium"
APP_CSS = Path(__file__).resolve().parents[2] / "pubguard/api/static/app.css"


def _result(path: str, items: list[tuple[str, str, str]]) -> FileResult:
    findings = [
        Finding(
            category=cat,
            rule="r",
            severity=Severity(sev),
            message=msg,
            evidence="…",
            location=Location(page=1),
        )
        for sev, cat, msg in items
    ]
    return FileResult(path=path, format="txt", pages=1, findings=findings)


RESULTS = [
    _result(
        "a/通知.txt", [("low", "proofreading", "错别字甲"), ("blocker", "classification_mark", "密级标志乙")]
    ),
    _result("b/名单.txt", [("high", "personal_data", "身份证号丙"), ("low", "proofreading", "错别字丁")]),
]


def _generated(html: str) -> tuple[str, str]:
    m = re.search(r"生成时间：(\d{4}-\d\d-\d\d \d\d:\d\d)（([^）]+)）", html)
    assert m, "generation time missing"
    return m.group(1), m.group(2)


def test_times_are_in_the_site_time_zone_beijing_by_default(monkeypatch):
    monkeypatch.delenv("PUBGUARD_TIMEZONE", raising=False)
    before = dt.datetime.now(dt.UTC)
    stamp, label = _generated(to_html(RESULTS))
    after = dt.datetime.now(dt.UTC)
    assert label == "北京时间"
    candidates = {(t + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") for t in (before, after)}
    assert stamp in candidates  # UTC+8, not the machine's (UTC) clock
    monkeypatch.setenv("PUBGUARD_TIMEZONE", "UTC")
    stamp, label = _generated(to_html(RESULTS))
    assert label == "UTC" and stamp in {
        t.strftime("%Y-%m-%d %H:%M") for t in (before, after, dt.datetime.now(dt.UTC))
    }


def test_bad_time_zone_name_is_a_chinese_error(monkeypatch):
    from pubguard.errors import PubGuardError

    monkeypatch.setenv("PUBGUARD_TIMEZONE", "Mars/Olympus")
    with pytest.raises(PubGuardError, match="时区无效"):
        to_html(RESULTS)


def test_severity_colours_are_the_web_uis():
    css = APP_CSS.read_text("utf-8")
    variables = dict(re.findall(r"--([a-z]+):(#[0-9a-f]{6})", css))
    for sev, colour in SEVERITY_COLOURS.items():
        m = re.search(rf"\.sev\.sev-{sev.value} \{{ background:var\(--([a-z]+)\)", css)
        assert m, f"app.css has no colour for {sev.value}"
        assert variables[m.group(1)] == colour, sev
    html = to_html(RESULTS)
    for sev, colour in SEVERITY_COLOURS.items():
        assert f"span.sev-{sev.value}{{background:{colour}}}" in html


def test_report_has_no_external_resources():
    html = to_html(RESULTS)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script>" in html  # the table script is inline


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian chromium: run scripts/ensure-chromium.sh"
)
def test_findings_table_filters_and_sorts_in_a_browser(tmp_path):
    from api.test_browser import ARGS, ARTIFACTS
    from playwright.sync_api import expect, sync_playwright

    report = tmp_path / "report.html"
    report.write_text(to_html(RESULTS), "utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(report.as_uri())
        rows = page.locator("#findings tbody tr:visible")
        expect(rows).to_have_count(4)
        page.select_option("#f-sev", "low")
        expect(rows).to_have_count(2)
        expect(page.locator("#f-count")).to_have_text("显示 2 / 4 项")
        page.select_option("#f-sev", "")
        page.select_option("#f-cat", "personal_data")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("身份证号丙")
        page.select_option("#f-cat", "")
        page.fill("#f-text", "密级")
        expect(rows).to_have_count(1)
        page.fill("#f-text", "")
        page.click("#findings th[data-sort=rank]")  # most severe first
        firsts = page.locator("#findings tbody tr td:first-child").all_inner_texts()
        assert firsts == ["阻断", "高", "低", "低"]
        page.click("#findings th[data-sort=rank]")
        assert page.locator("#findings tbody tr td:first-child").all_inner_texts() == [
            "低",
            "低",
            "高",
            "阻断",
        ]
        colour = page.locator("#findings tbody tr .sev-blocker").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert colour == "rgb(198, 40, 40)"
        row = page.locator("#findings tbody tr.sev-blocker td:nth-child(3)").first
        assert (
            row.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
        )  # only the badge is coloured
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (1366, 1024):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"cli-html-report-{width}.png"), full_page=True)
        browser.close()
