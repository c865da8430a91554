"""Site scans: baselines, inline suppressions, incremental cache, URL mapping, HTML/XLSX reports,
timeouts, and the crawler against a local http.server (loopback only)."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest
from factories import make_id_number

from pubguard.config import ScanConfig
from pubguard.report import load_schema
from pubguard.site.cache import ResultCache
from pubguard.site.runner import FileJob, iter_jobs, run_jobs, scan_job, time_limit

CLEAN = "<html><body><h1>关于开展全民健身日活动的通知</h1><p>活动免费向市民开放。</p></body></html>"


def leak_page(extra: str = "") -> str:
    return (
        "<html><head><meta charset='utf-8'></head><body><h1>2024年低保对象公示</h1>"
        f"<table><tr><th>姓名</th><th>身份证号</th></tr><tr><td>张伟民</td><td>{make_id_number()}</td></tr></table>"
        f"{extra}</body></html>"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "zwgk").mkdir(parents=True)
    (root / "index.html").write_text(CLEAN, encoding="utf-8")
    (root / "zwgk" / "dibao.html").write_text(leak_page(), encoding="utf-8")
    return root


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pubguard.cli", *args], capture_output=True, text=True, timeout=180, cwd=cwd
    )


def test_urls_and_identities(site: Path) -> None:
    jobs = list(iter_jobs([site], "https://www.example.gov.cn"))
    assert [j.identity for j in jobs] == [
        "https://www.example.gov.cn/index.html",
        "https://www.example.gov.cn/zwgk/dibao.html",
    ]
    plain = list(iter_jobs([site]))
    assert [j.identity for j in plain] == ["index.html", "zwgk/dibao.html"]


def test_baseline_suppresses_known_and_fails_on_new(site: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    first = cli("scan", str(site), "--write-baseline", str(base), "--format", "json")
    assert first.returncode == 1
    stored = base.read_text(encoding="utf-8")
    assert make_id_number() not in stored and "张伟民" not in stored  # hashes and rule ids only
    again = cli("scan", str(site), "--baseline", str(base), "--format", "json")
    assert again.returncode == 0, again.stdout
    report = json.loads(again.stdout)
    jsonschema.validate(report, load_schema())
    assert report["summary"]["baseline_suppressed"] >= 2
    # a new leak on another page is reported although the old one stays suppressed
    (site / "zwgk" / "new.html").write_text(
        leak_page().replace("张伟民", "李秀兰").replace(make_id_number(), make_id_number(seq="555")),
        encoding="utf-8",
    )
    third = cli("scan", str(site), "--baseline", str(base), "--format", "json")
    assert third.returncode == 1
    files = {Path(f["path"]).name: f for f in json.loads(third.stdout)["files"]}
    assert files["dibao.html"]["findings"] == []
    assert files["new.html"]["findings"]


def test_baseline_survives_edits_above(site: Path, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    cli("scan", str(site), "--write-baseline", str(base))
    page = site / "zwgk" / "dibao.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("<h1>", "<p>更新说明：调整了公示期。</p><h1>"),
        encoding="utf-8",
    )
    assert cli("scan", str(site), "--baseline", str(base)).returncode == 0


def test_inline_allow_is_counted_and_unused_listed(site: Path) -> None:
    page = site / "zwgk" / "dibao.html"
    page.write_text(
        leak_page("<!-- pubguard:allow person_name, proofreading/repeated_char -->"), encoding="utf-8"
    )
    result = scan_job(FileJob(str(page), "dibao.html", "dibao.html"), ScanConfig(ocr=False))
    rules = {f.rule for f in result.findings}
    assert "person_name" not in rules and "id_card" in rules
    assert result.suppressed >= 1
    assert result.unused_suppressions == ["proofreading/repeated_char"]


def test_cache_skips_unchanged_files(site: Path, tmp_path: Path) -> None:
    config = ScanConfig(ocr=False)
    cache = ResultCache(tmp_path / "cache.sqlite", config)
    jobs = list(iter_jobs([site]))
    first, stats1 = run_jobs(jobs, config, cache=cache)
    second, stats2 = run_jobs(jobs, config, cache=cache)
    assert stats1.cached == 0 and stats2.cached == len(jobs)
    assert [f.fingerprint for r in first for f in r.findings] == [
        f.fingerprint for r in second for f in r.findings
    ]
    (site / "index.html").write_text(CLEAN.replace("免费", "全部免费"), encoding="utf-8")
    _, stats3 = run_jobs(jobs, config, cache=cache)
    assert stats3.cached == len(jobs) - 1
    # a different rule set (extra wordlist) invalidates the cache
    wl = tmp_path / "w.txt"
    wl.write_text("全民健身\n", encoding="utf-8")
    other = ScanConfig(ocr=False, wordlists=[wl])
    _, stats4 = run_jobs(jobs, other, cache=ResultCache(tmp_path / "cache.sqlite", other))
    assert stats4.cached == 0
    cache.close()


def test_parallel_matches_sequential(site: Path) -> None:
    for i in range(6):
        (site / f"p{i}.html").write_text(leak_page() if i % 2 else CLEAN, encoding="utf-8")
    jobs = list(iter_jobs([site]))
    config = ScanConfig(ocr=False)
    seq, _ = run_jobs(jobs, config, workers=1)
    par, _ = run_jobs(jobs, config, workers=2)
    assert [r.path for r in seq] == [r.path for r in par]
    assert [[f.fingerprint for f in r.findings] for r in seq] == [
        [f.fingerprint for f in r.findings] for r in par
    ]


def test_time_limit_interrupts() -> None:
    from pubguard.errors import ScanTimeout

    with pytest.raises(ScanTimeout), time_limit(0.2):
        while True:
            sum(range(1000))


def test_html_and_xlsx_reports(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    hist = tmp_path / "history"
    for _ in range(2):
        proc = cli(
            "scan",
            str(site),
            "--format",
            "html",
            "-o",
            str(out),
            "--history",
            str(hist),
            "--base-url",
            "https://www.example.gov.cn",
        )
        assert proc.returncode == 1
    html = out.read_text(encoding="utf-8")
    assert "PubGuard 网站内容检查报告" in html and "<svg" in html
    assert "https://www.example.gov.cn/zwgk/dibao.html" in html
    assert make_id_number() not in html and "zwgk" in html
    assert len(list(hist.glob("summary-*.json"))) == 2 and "polyline" in html
    xlsx = tmp_path / "r.xlsx"
    assert cli("scan", str(site), "--format", "xlsx", "-o", str(xlsx)).returncode == 1
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    values = [c.value for row in wb["问题清单"].iter_rows() for c in row]
    assert "身份证号码" in values and "personal_data/id_card" in values and make_id_number() not in values


@pytest.fixture
def local_site(site: Path):
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (site / "private").mkdir()
    (site / "private" / "secret.html").write_text(leak_page(), encoding="utf-8")
    (site / "index.html").write_text(
        CLEAN.replace("</body>", '<a href="/zwgk/dibao.html">公示</a><a href="/private/secret.html">内部</a>'
                      '<a href="http://other.invalid/x.html">外站</a></body>'),
        encoding="utf-8",
    )  # fmt: skip
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_crawl_same_host_respects_robots(local_site: str, tmp_path: Path) -> None:
    from pubguard.site.crawl import crawl

    mirror = tmp_path / "mirror"
    res = crawl(local_site + "/index.html", mirror, max_pages=20, delay=0.0)
    saved = {p.relative_to(mirror).as_posix() for p in res.saved}
    assert saved == {"index.html", "zwgk/dibao.html"}
    assert any("private" in u for u in res.skipped_robots)
    proc = cli("scan", str(mirror), "--base-url", local_site, "--format", "json")
    assert proc.returncode == 1
    paths = {f["path"] for f in json.loads(proc.stdout)["files"] if f["findings"]}
    assert paths == {local_site + "/zwgk/dibao.html"}


def test_dask_local_cluster_matches_local_run(site: Path) -> None:
    from distributed import Client, LocalCluster

    from pubguard.site.distributed import run_jobs_dask

    for i in range(4):  # the same roster on 5 of 6 pages: both sides report it once
        (site / f"copy{i}.html").write_text(leak_page(), encoding="utf-8")
    jobs = list(iter_jobs([site]))
    config = ScanConfig(ocr=False)
    local, stats = run_jobs(jobs, config)
    assert stats.boilerplate_collapsed > 0
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        remote = run_jobs_dask(jobs, config, client, batch_size=1)
    assert [r.path for r in remote] == [r.path for r in local]
    assert [[f.fingerprint for f in r.findings] for r in remote] == [
        [f.fingerprint for f in r.findings] for r in local
    ]
