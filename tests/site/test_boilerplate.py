"""Template boilerplate in site scans (findings repeated on many pages reported once), the
navigation-menu handling of the HTML extractor, and the cache's stat pre-check."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.extract.html import extract_html
from pubguard.scan import scan_bytes
from pubguard.site import runner
from pubguard.site.boilerplate import collapse_boilerplate, site_sections
from pubguard.site.cache import ResultCache
from pubguard.site.runner import FileJob, iter_jobs, run_jobs, scan_job

CONFIG = ScanConfig(ocr=False)
NAV = (
    '<nav class="nav"><ul><li><a href="/index.html">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
    '<li><a href="/xwzx/">新闻中心</a></li><li><a href="/bsfw/">办事服务</a></li>'
    '<li><a href="/hdjl/">互动交流</a></li><li><a href="/zcwj/">政策文件</a></li>'
    '<li><a href="/rsxx/">人事信息</a></li><li><a href="/czzj/">财政资金</a></li></ul></nav>'
)
TEMPLATE_LEAK = "<!-- 原联系人：陈志强，手机 13907712345 -->"
TOPICS = ["老旧小区改造", "森林防火", "防汛抗旱", "食品安全抽检", "稳岗就业补贴", "城市更新", "数字政府建设"]


def page(n: int, footer_extra: str = "", body_extra: str = "") -> str:
    topic = TOPICS[n % len(TOPICS)]
    return (
        f"<html><head><meta charset='utf-8'><title>关于{topic}工作的通知（{n}）</title></head><body>"
        f"{NAV}<h1>关于做好{topic}工作的通知</h1>"
        f"<p>各县（区）人民政府：为做好{topic}工作，现将第{n}批任务安排通知如下。</p>"
        f"<p>各单位要高度重视，加强组织领导，确保第{n}批任务按期完成。</p>{body_extra}"
        f'<div class="footer">{footer_extra}<p>主办单位：某某市人民政府办公室</p></div></body></html>'
    )


def write_site(root: Path, n: int, leak_on: range | None = None, folder: str = "") -> list[Path]:
    (root / folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = root / folder / f"p{i:03d}.html"
        p.write_text(page(i, TEMPLATE_LEAK if leak_on is None or i in leak_on else ""), encoding="utf-8")
        paths.append(p)
    return paths


def template_findings(results) -> dict[str, list]:
    return {
        Path(r.path).name: [f for f in r.findings if f.category in ("personal_data", "hidden_content")]
        for r in results
    }


def test_template_leak_reported_once_with_page_count(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, 8)
    # one page also carries its own leak in page-specific text: reported on that page as usual
    (root / "p005.html").write_text(
        page(5, TEMPLATE_LEAK, "<p>联系人：李秀兰，电话 13812340005，第5批</p>"), encoding="utf-8"
    )
    results, stats = run_jobs(list(iter_jobs([root])), CONFIG)
    found = template_findings(results)
    first = found["p000.html"]
    assert {f.rule for f in first} >= {"html_comment", "mobile"}
    for f in first:
        assert f.details.boilerplate.pages == 8
        assert f.details.boilerplate.scope_pages == 8
        assert len(f.details.boilerplate.examples) == 8
        assert "仅在此报告一次" in f.message
    for name in ("p001.html", "p004.html", "p007.html"):
        assert found[name] == []
    own = found["p005.html"]
    assert own and all(f.details.boilerplate is None for f in own)
    assert stats.boilerplate_templates == len(first)
    assert stats.boilerplate_collapsed == 7 * len(first)
    from jsonschema import validate

    from pubguard.report import build_report, load_schema
    from pubguard.site.sitereport import to_html

    assert "网站模板重复内容" in to_html(results)
    validate(build_report(results), load_schema())


def test_below_threshold_small_site_and_page_specific_text_stay_per_page(tmp_path: Path) -> None:
    rare = tmp_path / "rare"
    write_site(rare, 10, leak_on=range(2))  # 2 of 10 pages: under 30%
    results, stats = run_jobs(list(iter_jobs([rare])), CONFIG)
    found = template_findings(results)
    assert found["p000.html"] and found["p001.html"] and stats.boilerplate_collapsed == 0

    small = tmp_path / "small"
    write_site(small, 4)  # every page, but fewer than 5 pages: not a site
    results, stats = run_jobs(list(iter_jobs([small])), CONFIG)
    assert all(template_findings(results).values()) and stats.boilerplate_collapsed == 0

    # the same phone number on every page, but inside each page's own sentence: not template text
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for i in range(6):
        (mixed / f"p{i}.html").write_text(
            page(i, body_extra=f"<p>第{i}批联系人陈志强，手机 13907712345。</p>"), encoding="utf-8"
        )
    results, stats = run_jobs(list(iter_jobs([mixed])), CONFIG)
    assert stats.boilerplate_collapsed == 0
    assert all(any(f.rule == "mobile" for f in fs) for fs in template_findings(results).values())


def test_section_template_collapsed_within_its_section(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, 6, folder="rsxx")  # the section's template carries the leak
    write_site(root, 24, leak_on=range(0), folder="zwgk")  # 6 of 30 pages site-wide: 20%
    results, stats = run_jobs(list(iter_jobs([root])), CONFIG)
    with_leak = [r for r in results if template_findings([r])[Path(r.path).name]]
    assert [Path(r.path).parent.name + "/" + Path(r.path).name for r in with_leak] == ["rsxx/p000.html"]
    template = with_leak[0].findings[0].details.boilerplate
    assert template.scope == "rsxx" and template.pages == 6 and template.scope_pages == 6
    assert stats.boilerplate_collapsed == 5 * stats.boilerplate_templates > 0


def test_template_fingerprint_survives_new_first_page_and_parallel_cached_runs(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_site(root, 6)
    cache = ResultCache(tmp_path / "cache" / "c.sqlite", CONFIG)
    seq, _ = run_jobs(list(iter_jobs([root])), CONFIG, workers=1, cache=cache)
    par, _ = run_jobs(list(iter_jobs([root])), CONFIG, workers=2)
    cached, stats = run_jobs(list(iter_jobs([root])), CONFIG, workers=2, cache=cache)
    assert stats.cached == 6 and stats.boilerplate_collapsed > 0  # block hashes kept in the cache
    prints = [[f.fingerprint for f in r.findings] for r in seq]
    assert prints == [[f.fingerprint for f in r.findings] for r in par]
    assert prints == [[f.fingerprint for f in r.findings] for r in cached]
    # a new page sorted first now carries the report: same fingerprints, so baselines still match
    (root / "a000.html").write_text(page(99, TEMPLATE_LEAK), encoding="utf-8")
    again, _ = run_jobs(list(iter_jobs([root])), CONFIG, cache=cache)
    assert [f.fingerprint for f in again[0].findings] == prints[0]
    assert again[1].findings == []
    cache.close()


def test_worker_ships_hashes_not_documents(tmp_path: Path) -> None:
    p = tmp_path / "p.html"
    p.write_text(page(1, TEMPLATE_LEAK), encoding="utf-8")
    result = scan_job(FileJob(str(p), "p.html", "p.html"), CONFIG)
    assert result.document is None
    assert set(result.block_hashes) == {
        f.fingerprint for f in result.findings if f.location.start is not None
    }
    assert "block_hashes" not in result.to_dict()  # internal, not part of the report contract
    # collapse_boilerplate leaves non-HTML results and results without hashes alone
    txt = scan_bytes("联系人：陈志强，手机 13907712345".encode(), "a.txt", CONFIG)
    before = [f.fingerprint for f in txt.findings]
    collapse_boilerplate([txt] * 6)
    assert [f.fingerprint for f in txt.findings] == before


def test_site_sections() -> None:
    assert site_sections(
        ["/m/site/a/1.html", "/m/site/a/2.html", "/m/site/b/x/3.html", "/m/site/i.html"]
    ) == [
        "a",
        "a",
        "b",
        "（根目录）",
    ]
    urls = ["https://www.example.gov.cn/zwgk/1.html", "https://www.example.gov.cn/xwzx/2.html"]
    assert site_sections(urls) == ["zwgk", "xwzx"]


# -- the extractor: navigation menus ------------------------------------------------------------


def test_nav_menu_labels_are_links_not_text() -> None:
    doc = extract_html(page(1).encode(), "p.html", CONFIG)
    assert "政务公开" not in doc.text and "办事服务" not in doc.text
    assert "关于做好" in doc.text and "主办单位" in doc.text
    assert {"政务公开", "办事服务"} <= {link.text for link in doc.links}
    # role=navigation too; links outside menus stay page text
    html = (
        '<html><body><div role="navigation"><a href="/a">首页</a></div>'
        '<p>详见<a href="/b">政务公开</a>栏目。</p></body></html>'
    )
    doc = extract_html(html.encode(), "r.html", CONFIG)
    assert "首页" not in doc.text and "详见政务公开栏目。" in doc.text


def test_nav_keeps_what_a_menu_label_is_not() -> None:
    html = (
        "<html><body><nav>"
        '<a href="/c">联系电话 13907712345</a>'  # digits: contact data stays text
        '<a href="/d"><span style="display:none">此稿暂缓发布</span>通知</a>'  # markup inside
        '<a href="/e">关于进一步做好城乡居民医疗保险参保缴费工作的通知</a>'  # long: not a menu label
        '<a href="/f" style="color:#fff">内部资料</a>'  # white text: hidden content, kept
        "<!-- 原联系人：陈志强 --><span>值班电话</span>"
        '</nav><nav style="display:none"><a href="/g">内部通讯录</a></nav></body></html>'
    )
    doc = extract_html(html.encode(), "n.html", CONFIG)
    text = doc.text
    for kept in ("13907712345", "此稿暂缓发布", "医疗保险参保缴费", "内部资料", "值班电话", "内部通讯录"):
        assert kept in text
    hidden = {b.text for b in doc.blocks if b.hidden}
    assert "此稿暂缓发布" in hidden and "内部资料" in hidden and "内部通讯录" in hidden
    assert any(b.kind == "comment" for b in doc.blocks)


def test_internal_mark_under_a_menu_is_at_the_top_of_the_page() -> None:
    mark = '<p style="text-align:right"><b>内部资料 注意保存</b></p>'
    marked = page(3).replace("<h1>", mark + "<h1>")
    rules = {(f.category, f.rule) for f in scan_bytes(marked.encode(), "m.html", CONFIG).findings}
    assert ("classification_mark", "internal_marking") in rules
    assert scan_bytes(page(3).encode(), "c.html", CONFIG).findings == []


# -- the cache: (path, size, mtime, inode) pre-check ------------------------------------------


def _age(paths: list[Path], seconds: float = 3600) -> None:
    past = time.time() - seconds
    for p in paths:
        os.utime(p, (past, past))


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = runner._sha256_file

    def counting(path: str) -> str:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(runner, "_sha256_file", counting)
    return reads


def test_unchanged_files_are_not_read_again(tmp_path: Path, counted_reads: list[str]) -> None:
    root = tmp_path / "site"
    paths = write_site(root, 3)
    _age(paths)
    cache = ResultCache(tmp_path / "c.sqlite", CONFIG)
    jobs = list(iter_jobs([root]))
    _, s1 = run_jobs(jobs, CONFIG, cache=cache)
    assert s1.hashed == 3 and s1.cached == 0
    counted_reads.clear()
    _, s2 = run_jobs(jobs, CONFIG, cache=cache)
    assert s2.cached == 3 and s2.hashed == 0 and counted_reads == []
    # touched (new mtime, same bytes): hashed once, answered from the cache, then trusted again
    os.utime(paths[0], None)
    _age([paths[0]], 60)
    _, s3 = run_jobs(jobs, CONFIG, cache=cache)
    assert s3.cached == 3 and s3.hashed == 1
    _, s4 = run_jobs(jobs, CONFIG, cache=cache)
    assert s4.hashed == 0
    # edited: size and mtime differ, so it is hashed and scanned again
    paths[1].write_text(page(1, TEMPLATE_LEAK, "<p>补充说明。</p>"), encoding="utf-8")
    _age([paths[1]], 30)
    _, s5 = run_jobs(jobs, CONFIG, cache=cache)
    assert s5.hashed == 1 and s5.cached == 2
    cache.close()


def test_stat_precheck_falls_back_to_content(tmp_path: Path, counted_reads: list[str]) -> None:
    root = tmp_path / "site"
    paths = write_site(root, 2)
    cache = ResultCache(tmp_path / "c.sqlite", CONFIG)
    jobs = list(iter_jobs([root]))
    # in-process (isolate=False): both runs must end within RACY_SECONDS of the write, which
    # starting the isolated child (~1 s) could exceed on a loaded machine
    run_jobs(jobs, CONFIG, cache=cache, isolate=False)
    # just written: a stat taken in the same clock tick as a write is never trusted
    _, fresh = run_jobs(jobs, CONFIG, cache=cache, isolate=False)
    assert fresh.cached == 2 and fresh.hashed == 2
    # same identities read from another folder (a moved mirror): hashed, still cache hits
    _age(paths)
    run_jobs(jobs, CONFIG, cache=cache)
    moved = tmp_path / "moved"
    root.rename(moved)
    _, s = run_jobs(list(iter_jobs([moved])), CONFIG, cache=cache)
    assert s.cached == 2 and s.hashed == 2
    # same size, new content, new mtime: never answered from the stale stat
    p = moved / "p000.html"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace("各单位要高度重视", "各部门要高度重视"), encoding="utf-8")
    assert len(p.read_bytes()) == len(text.encode())
    _, s = run_jobs(list(iter_jobs([moved])), CONFIG, cache=cache)
    assert s.cached == 1
    cache.close()


# -- the pool: chunks of files per task, a file that kills its worker --------------------------


def test_worker_crash_is_one_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    write_site(root, 9, leak_on=range(0))
    real = runner.scan_job

    def fragile(job: FileJob, config: ScanConfig):  # noqa: ANN202
        if job.identity == "p004.html":
            os._exit(3)  # a parser bug that takes the whole process down
        return real(job, config)

    monkeypatch.setattr(runner, "scan_job", fragile)  # workers are forked: they see the patch
    monkeypatch.setattr(runner, "chunk_size", lambda files, workers: 3)
    results, stats = run_jobs(list(iter_jobs([root])), CONFIG, workers=2)
    status = {Path(r.path).name: (r.status, r.error_code) for r in results}
    assert status.pop("p004.html") == ("error", "native_crash")
    assert set(status.values()) == {("ok", None)} and len(status) == 8
    assert stats.files == 9


def test_chunk_size() -> None:
    assert runner.chunk_size(10, 2) == 1
    assert runner.chunk_size(22000, 2) == runner.MAX_CHUNK
    assert 1 < runner.chunk_size(100, 2) < runner.MAX_CHUNK


def test_ruleset_hash_covers_what_changes_findings() -> None:
    from pubguard.site.cache import FINDING_CODE, ruleset_hash

    base = ruleset_hash(ScanConfig(ocr=False))
    assert base == ruleset_hash(ScanConfig(ocr=False))
    assert base != ruleset_hash(ScanConfig(ocr=False, ocr_dpi=300))
    assert base != ruleset_hash(ScanConfig(ocr=False, disabled={"proofreading"}))
    import pubguard

    package = Path(pubguard.__file__).resolve().parent
    covered = {p for pattern in FINDING_CODE for p in package.glob(pattern)}
    # modules detectors read thresholds and colours from, and sub-packages of extract/detectors
    for name in ("colour.py", "thresholds.py", "config.py", "detectors/vision.py", "extract/html.py"):
        assert package / name in covered, name
    assert "extract/**/*.py" in FINDING_CODE and "detectors/**/*.py" in FINDING_CODE


def test_unkeyed_ruleset_survives_a_new_fingerprint_key(tmp_path, monkeypatch) -> None:
    # the realworld evaluation reuses results across test sessions, each with a fresh key
    from pubguard import keys
    from pubguard.site.cache import ruleset_hash

    config = ScanConfig(ocr=False)
    keyed, unkeyed = ruleset_hash(config), ruleset_hash(config, keyed=False)
    monkeypatch.setenv(keys.ENV_FILE, str(tmp_path / "other.key"))
    keys.reset_cache()
    try:
        assert ruleset_hash(config) != keyed
        assert ruleset_hash(config, keyed=False) == unkeyed
    finally:
        monkeypatch.undo()
        keys.reset_cache()
