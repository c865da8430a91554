"""Linked local stylesheets in folder and site scans (pubguard.extract.local).

Look-alikes of saved government pages (`index.html` + `static/css/*.css`, as the 文明网 and
gov.cn snapshots are laid out): a red header coloured by a class of a linked sheet is found in a
folder scan, the same class in blue is not, and nothing outside the scanned root, remote, too
large or not `.css` is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pubguard.config import Limits, ScanConfig
from pubguard.extract.html import extract_html
from pubguard.extract.local import LocalFiles
from pubguard.site.runner import iter_jobs, scan_job

CONFIG = ScanConfig(ocr=False)
BODY = (
    "为切实做好今年汛期防汛抗旱工作，确保人民群众生命财产安全，经市政府同意，现将有关事项通知如下。"
    "各地各部门要提高思想认识，压实防汛责任，加强监测预警，做好应急准备。"
)
RED_CSS = (
    '@charset "utf-8";\n'
    ".doc-head{color:#e60012;font-size:30px;text-align:center;font-weight:bold}\n"
    ".doc-no{text-align:center;border-bottom:3px solid #e60012}\n"
)
BLUE_CSS = RED_CSS.replace("#e60012", "#1f5fa8")


def page(href: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于做好2024年防汛工作的通知 - 某某市人民政府</title>
<link rel="stylesheet" type="text/css" href="{href}">
</head><body>
<div class="crumb">首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="doc-head">某某市人民政府办公室文件</div>
<div class="doc-no">某政办发〔2024〕12号</div>
<p>关于做好2024年防汛工作的通知</p><p>{BODY}</p>
<p>某某市人民政府办公室</p><p>2024年5月6日</p>
</body></html>"""


def site(tmp_path: Path, css: str, href: str = "static/css/main.css?v=20240506") -> Path:
    root = tmp_path / "site"
    (root / "static" / "css").mkdir(parents=True)
    (root / "static" / "css" / "main.css").write_text(css, encoding="utf-8")
    (root / "index.html").write_text(page(href), encoding="utf-8")
    return root


def folder_scan(root: Path) -> list[tuple[str, str]]:
    (job,) = [j for j in iter_jobs([root]) if j.path.endswith(".html")]
    result = scan_job(job, CONFIG)
    return [(f.rule, str(f.severity)) for f in result.findings if f.category == "red_header"]


def test_red_header_from_a_linked_local_stylesheet_is_found_in_a_folder_scan(tmp_path: Path) -> None:
    root = site(tmp_path, RED_CSS)
    assert folder_scan(root) == [("red_header", "blocker")]
    # the same page on its own (an upload, no folder): the linked sheet is unknown, as before
    doc = extract_html((root / "index.html").read_bytes(), "index.html", CONFIG)
    assert not any(is_red(b) for b in doc.blocks)


def test_same_classes_in_blue_are_no_red_header(tmp_path: Path) -> None:
    assert folder_scan(site(tmp_path, BLUE_CSS)) == []


def test_root_relative_link_is_looked_up_under_the_scanned_root(tmp_path: Path) -> None:
    root = site(tmp_path, RED_CSS, href="/static/css/main.css")
    (root / "news").mkdir()
    (root / "news" / "t20240506.html").write_text(page("/static/css/main.css"), encoding="utf-8")
    jobs = {Path(j.path).name: j for j in iter_jobs([root])}
    result = scan_job(jobs["t20240506.html"], CONFIG)
    assert [f.rule for f in result.findings if f.category == "red_header"] == ["red_header"]


def test_a_named_file_reads_sheets_of_its_own_folder(tmp_path: Path) -> None:
    root = site(tmp_path, RED_CSS)
    (job,) = list(iter_jobs([root / "index.html"]))
    assert job.root == str(root)
    assert [f.rule for f in scan_job(job, CONFIG).findings if f.category == "red_header"] == ["red_header"]


def test_stylesheet_outside_the_scanned_root_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    (tmp_path / "outside.css").write_text(RED_CSS, encoding="utf-8")
    (root / "news" / "index.html").write_text(page("../../outside.css"), encoding="utf-8")
    local = LocalFiles(str(root / "news" / "index.html"), str(root))
    assert local.resolve("../../outside.css") is None
    assert local.resolve("/../outside.css") is None
    assert folder_scan(root) == []


def test_symlink_pointing_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (tmp_path / "secret.css").write_text(RED_CSS, encoding="utf-8")
    os.symlink(tmp_path / "secret.css", root / "main.css")
    (root / "index.html").write_text(page("main.css"), encoding="utf-8")
    assert LocalFiles(str(root / "index.html"), str(root)).resolve("main.css") is None
    assert folder_scan(root) == []


@pytest.mark.parametrize(
    "href",
    [
        "http://www.example.gov.cn/static/css/main.css",
        "https://www.example.gov.cn/static/css/main.css",
        "//www.example.gov.cn/static/css/main.css",
        "file:///etc/passwd",
        "data:text/css,.doc-head{color:red}",
        "static/css/main.txt",  # not a stylesheet file
        "",
    ],
)
def test_remote_and_non_css_links_are_never_read(tmp_path: Path, href: str) -> None:
    root = site(tmp_path, RED_CSS)
    (root / "static" / "css" / "main.txt").write_text(RED_CSS, encoding="utf-8")
    local = LocalFiles(str(root / "index.html"), str(root))
    assert local.stylesheet(href) is None
    assert local.read_paths == []


def test_size_and_count_caps(tmp_path: Path) -> None:
    root = site(tmp_path, RED_CSS)
    small = Limits(max_stylesheet_bytes=64, max_stylesheets=1)
    local = LocalFiles(str(root / "index.html"), str(root), small)
    assert local.stylesheet("static/css/main.css") is None  # over 64 bytes
    assert local.refused and local.read_paths == []
    (root / "a.css").write_text(".x{color:red}", encoding="utf-8")
    (root / "b.css").write_text(".y{color:red}", encoding="utf-8")
    assert local.stylesheet("a.css") is not None
    assert local.stylesheet("b.css") is None  # one sheet per page at most
    assert len(local.read_paths) == 1


def test_print_and_alternate_sheets_do_not_apply(tmp_path: Path) -> None:
    root = site(tmp_path, RED_CSS)
    html = (root / "index.html").read_text(encoding="utf-8")
    for link in (
        '<link rel="stylesheet" media="print" href="static/css/main.css">',
        '<link rel="alternate stylesheet" href="static/css/main.css">',
    ):
        (root / "index.html").write_text(
            html.replace(
                '<link rel="stylesheet" type="text/css" href="static/css/main.css?v=20240506">', link
            ),
            encoding="utf-8",
        )
        assert folder_scan(root) == [], link


def test_linked_sheet_keeps_cascade_order_with_style_elements(tmp_path: Path) -> None:
    """A later <style> overrides the linked sheet, as in a browser (source order)."""
    root = site(tmp_path, RED_CSS)
    html = (root / "index.html").read_text(encoding="utf-8")
    later = "</head>".join(
        [html.split("</head>")[0] + "<style>.doc-head{color:#333}</style>", html.split("</head>")[1]]
    )

    def head_colour(markup: str) -> object:
        local = LocalFiles(str(root / "index.html"), str(root))
        doc = extract_html(markup.encode(), "index.html", CONFIG, local)
        return next(b for b in doc.blocks if "办公室文件" in b.text).color

    assert head_colour(html) == (0xE6, 0x00, 0x12)  # from the linked sheet
    assert head_colour(later) == (0x33, 0x33, 0x33)


def is_red(block) -> bool:  # noqa: ANN001
    from pubguard.document import is_red as red

    return block.color is not None and red(block.color)


def test_site_cache_rescans_a_page_when_its_linked_sheet_changes(tmp_path: Path) -> None:
    from pubguard.site.cache import ResultCache
    from pubguard.site.runner import run_jobs

    root = site(tmp_path, RED_CSS)
    cache_path = tmp_path / "cache.sqlite"

    def run() -> tuple[list[str], int]:
        cache = ResultCache(cache_path, CONFIG)
        results, stats = run_jobs(list(iter_jobs([root])), CONFIG, cache=cache, isolate=False)
        cache.close()
        rules = [f.rule for r in results for f in r.findings if f.category == "red_header"]
        return rules, stats.cached

    assert run() == (["red_header"], 0)
    assert run() == (["red_header"], 1)  # unchanged page and sheet: answered from the cache
    (root / "static" / "css" / "main.css").write_text(BLUE_CSS, encoding="utf-8")
    assert run() == ([], 0)  # the page did not change, its sheet did: rescanned
    assert run() == ([], 1)
