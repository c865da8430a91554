"""`make bench` (site section): a generated government site scanned as a batch job.

The site (default 20,000 HTML pages plus about one attachment per ten pages) is built from
templated strings in a few seconds: shared header/navigation/footer on every page, realistic
prose, and a small share of pages with problems (ID numbers in tables, hidden divs, 内部资料,
a commented-out contact line in one section's template) plus xlsx/pdf/txt attachments, some of
them rosters. Then, each scan in a fresh process so its time and memory are its own:

1. files/s with 1 worker (on a sample spread over the site) and with all cores (the whole
   site): the scaling ratio, also against what the machine gives for a pure-CPU loop in the
   same run (shared virtual CPUs often give less than one core per process);
2. peak memory: max RSS of the scanning process and of its largest worker;
3. the incremental cache: the first run with --cache, an unchanged re-run (target >= 20x
   faster; files matched by size/mtime are not even read) and a re-run after editing 1% of
   the pages;
4. template boilerplate: one section's template carries a commented-out contact line, reported
   once instead of on every page of the section.

Figures are printed as ratios against the first run; nothing asserts a wall-clock limit.
Quick run: `python bench/site.py --pages 2000`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pubguard.config import ScanConfig

SITE = "某某市人民政府"
SECTIONS = {
    "zwgk": "政务公开",
    "xwzx": "新闻中心",
    "zcwj": "政策文件",
    "tzgg": "通知公告",
    "bsfw": "办事服务",
    "hdjl": "互动交流",
    "rsxx": "人事信息",
    "czzj": "财政资金",
}
DEPTS = [
    "市发展和改革委员会", "市教育局", "市科学技术局", "市工业和信息化局", "市民政局", "市司法局",
    "市财政局", "市人力资源和社会保障局", "市自然资源局", "市生态环境局", "市住房和城乡建设局",
    "市交通运输局", "市水利局", "市农业农村局", "市商务局", "市文化广电和旅游局", "市卫生健康委员会",
    "市应急管理局", "市审计局", "市市场监督管理局", "市统计局", "市医疗保障局", "市政务服务管理局",
]  # fmt: skip
TOPICS = [
    "优化营商环境", "城乡居民医疗保险参保缴费", "农村人居环境整治", "安全生产专项整治", "老旧小区改造",
    "义务教育招生入学", "高校毕业生就业创业", "森林防火", "防汛抗旱", "食品安全抽检", "稳岗就业补贴",
    "数字政府建设", "乡村振兴衔接资金", "政务公开重点工作", "城市更新", "冬春农田水利建设",
]  # fmt: skip
SENTENCES = [
    "为深入贯彻落实党中央、国务院关于{topic}的决策部署，进一步提升工作效能，结合我市实际，制定本方案。",
    "{dept}要切实履行牵头职责，会同有关部门细化工作措施，明确时间节点，确保各项任务落到实处。",
    "各县（区）人民政府要把{topic}作为重点工作，纳入年度绩效考核，定期调度工作进展。",
    "{year}年以来，全市累计投入资金{money}亿元，完成项目{count}个，惠及群众{people}万人。",
    "对工作中发现的问题，要建立台账、限期整改，整改情况于{month}月{day}日前报送{dept}。",
    "加强政策宣传解读，通过政府网站、政务新媒体等渠道及时发布信息，回应社会关切。",
    "严格落实信息公开保密审查制度，涉及国家秘密、商业秘密和个人隐私的信息不得公开。",
    "本通知自印发之日起施行，有效期{years}年。此前规定与本通知不一致的，以本通知为准。",
    "申请人可通过政务服务网或线下窗口提交申请材料，办理时限为{count}个工作日。",
    "会议指出，要坚持问题导向，聚焦群众急难愁盼，推动{topic}取得新成效。",
    "下一步，{dept}将继续加大工作力度，完善长效机制，确保工作取得实效。",
    "各单位要高度重视，加强组织领导，强化协调配合，形成工作合力。",
    "{month}月{day}日，{dept}召开专题会议，研究部署{topic}有关工作。",
    "经研究，同意将{count}个项目纳入{year}年度重点项目库，按程序组织实施。",
    "对不按规定履行职责、造成不良影响的，依法依规追究有关单位和人员责任。",
    "咨询电话：0771-{tel}（工作日上午9:00—12:00，下午13:00—17:00）。",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

NAV = "".join(f'<li><a href="/{k}/index.html">{v}</a></li>' for k, v in SECTIONS.items())
HEAD = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_{site}</title>'
    '<meta name="SiteName" content="{site}"><meta name="ColumnName" content="{column}">'
    '<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date}">'
    '<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script>'
    "<script>var _hmt = _hmt || [];</script></head><body>"
    '<div class="top"><div class="logo"><img src="/images/logo.png" alt="{site}门户网站"></div>'
    '<div class="search"><form action="/search"><input type="text" name="q" placeholder="请输入关键词">'
    '<button>搜索</button></form></div><div class="links"><a href="/wza/index.html">无障碍</a> '
    '<a href="/english/index.html">English</a> <a href="/m/index.html">移动版</a></div></div>'
    '<nav class="nav"><ul><li><a href="/index.html">首页</a></li>' + NAV + "</ul></nav>"
    '<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/{section}/index.html">{column}</a></div>'
    '<div class="article"><h1>{title}</h1><div class="info">发布时间：{date} 来源：{dept} '
    '浏览次数：{views} 字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</div>'
    '<div class="content">'
)
FOOT = (
    '</div><div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>'
    '<div class="print"><a href="javascript:window.print()">【打印本页】</a> '
    '<a href="javascript:window.close()">【关闭窗口】</a></div></div>'
    '<div class="footer">{extra}<p>主办单位：{site}办公室 承办单位：某某市大数据发展局</p>'
    "<p>地址：某某市人民大道1号 邮编：530028</p>"
    "<p>网站标识码：4501000001 桂ICP备05001234号 桂公网安备45010302000123号</p>"
    '<p><a href="/sitemap.html">网站地图</a> | <a href="/contact.html">联系我们</a></p></div>'
    "</body></html>"
)
# One section's template carries a commented-out contact line: boilerplate on ~1/8 of the site.
TEMPLATE_COMMENT = "<!-- 原联系人：{name}，手机 {mobile} -->"


def id_number(rng: random.Random) -> str:
    area = rng.choice(["450102", "450103", "450105", "450107", "450108", "450122"])
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = area + birth + f"{rng.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        topic=rng.choice(TOPICS), dept=rng.choice(DEPTS), year=rng.randint(2019, 2024),
        money=round(rng.uniform(0.5, 80), 2), count=rng.randint(3, 400), people=round(rng.uniform(1, 90), 1),
        month=rng.randint(1, 12), day=rng.randint(1, 28), years=rng.randint(2, 5), tel=rng.randint(2000000, 5999999),
    )  # fmt: skip


def roster_rows(rng: random.Random, n: int) -> list[tuple[str, str, str, str]]:
    return [
        (str(i + 1), person(rng), id_number(rng), rng.choice(["城市低保", "农村低保", "特困供养"]))
        for i in range(n)
    ]


def make_page(rng: random.Random, section: str, n: int, problem: str | None, attachment: str | None) -> str:
    topic = rng.choice(TOPICS)
    dept = rng.choice(DEPTS)
    title = f"{dept}关于{topic}的{rng.choice(['通知', '公告', '实施方案', '工作动态', '情况通报'])}"
    date = f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    head = HEAD.format(title=title, site=SITE, column=SECTIONS[section], section=section, date=date, dept=dept,
                       views=rng.randint(30, 9000))  # fmt: skip
    body = [
        f"<p>{''.join(sentence(rng) for _ in range(rng.randint(1, 4)))}</p>"
        for _ in range(rng.randint(5, 14))
    ]
    if problem == "roster":
        rows = "".join(
            f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in roster_rows(rng, 8)
        )
        body.insert(
            2, f"<table><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>类别</th></tr>{rows}</table>"
        )
    elif problem == "hidden":
        body.insert(
            rng.randrange(len(body)),
            f'<div style="display:none">{person(rng)}同志意见：此稿暂不公开，待领导审定后再发布。</div>',
        )
    elif problem == "internal":
        body.insert(0, '<p style="text-align:right"><b>内部资料 注意保存</b></p>')
    elif problem == "table":
        rows = "".join(
            f"<tr><td>{DEPTS[k]}</td><td>{rng.randint(10, 99)}</td><td>{rng.randint(1, 9)}</td></tr>"
            for k in range(6)
        )
        body.insert(1, f"<table><tr><th>单位</th><th>完成项目（个）</th><th>排名</th></tr>{rows}</table>")
    if attachment:
        body.append(f'<p>附件：<a href="{attachment}">{Path(attachment).name}</a></p>')
    extra = TEMPLATE_COMMENT.format(name="陈志强", mobile="13907712345") if section == "rsxx" else ""
    return head + "".join(body) + FOOT.format(site=SITE, extra=extra)


def make_xlsx(rng: random.Random, roster: bool) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if roster:
        ws.append(["序号", "姓名", "身份证号", "联系电话", "补贴金额（元）"])
        for i in range(40):
            ws.append(
                [i + 1, person(rng), id_number(rng), f"139{rng.randrange(10**8):08d}", rng.randint(300, 900)]
            )
    else:
        ws.append(["单位", "计划数", "完成数", "完成率"])
        for dept in DEPTS:
            plan = rng.randint(10, 200)
            ws.append([dept, plan, plan - rng.randint(0, 9), f"{rng.uniform(80, 100):.1f}%"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_pdf(rng: random.Random, roster: bool) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 90
    page.insert_text((150, y), f"关于{rng.choice(TOPICS)}的公示", fontname="china-s", fontsize=18)
    lines = [short for short in (sentence(rng) for _ in range(40)) if len(short) <= 38][:10]  # one line each
    if roster:
        lines += [f"{i + 1}  {person(rng)}  {id_number(rng)}" for i in range(12)]
    for line in lines:
        y += 22
        page.insert_text((72, y), line, fontname="china-s", fontsize=11)
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def generate_site(root: Path, pages: int, seed: int = 20240601) -> dict:
    """Write the site under root; return counts. Problem pages ~3%, attachments ~1 per 10 pages.
    PDFs and workbooks come from a small pool of distinct files (building them is the slow part),
    every HTML page and text file is distinct."""
    rng = random.Random(seed)
    pool_rng = random.Random(seed + 1)
    xlsx_pool = [make_xlsx(pool_rng, roster=i % 3 == 0) for i in range(24)]
    pdf_pool = [make_pdf(pool_rng, roster=i % 4 == 0) for i in range(24)]
    counts: Counter[str] = Counter()
    sections = list(SECTIONS)
    made_dirs: set[Path] = set()
    for n in range(pages):
        section = sections[n % len(sections)]
        folder = root / section / f"{2019 + (n // 4000) % 6}{(n // 350) % 12 + 1:02d}"
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        r = rng.random()
        problem = (
            "roster"
            if r < 0.008
            else "hidden"
            if r < 0.014
            else "internal"
            if r < 0.02
            else "table"
            if r < 0.12
            else None
        )
        attachment = None
        if n % 10 == 3:
            kind = ("xlsx", "pdf", "txt")[(n // 10) % 3]
            name = f"P0{n:06d}.{kind}"
            if kind == "xlsx":
                (folder / name).write_bytes(xlsx_pool[counts[kind] % len(xlsx_pool)])
            elif kind == "pdf":
                (folder / name).write_bytes(pdf_pool[counts[kind] % len(pdf_pool)])
            else:
                text = "\n".join(sentence(rng) for _ in range(rng.randint(8, 30)))
                (folder / name).write_text(text, encoding="utf-8")
            counts[kind] += 1
            attachment = f"/{section}/{folder.name}/{name}"
        if problem:
            counts[problem] += 1
        page = make_page(rng, section, n, problem, attachment)
        (folder / f"t{n:06d}.html").write_text(page, encoding="utf-8")
        counts["html"] += 1
    return dict(counts)


def peak_rss_mb() -> tuple[float, float]:
    """(this process, the largest child) max RSS in MB; ru_maxrss is KiB on Linux."""
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / (1024 * 1024)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return own, kids


def scan_child(root: Path, workers: int, cache_dir: Path | None, limit: int, warm: bool) -> dict:
    """One scan, run in a fresh process (see `scan`): its figures and peak memory are its own."""
    import hashlib

    from pubguard.site.cache import ResultCache
    from pubguard.site.runner import iter_jobs, run_jobs

    config = ScanConfig(ocr=False)
    if warm:  # imports, jieba, the wordlist automaton: once, outside the timing
        from pubguard.scan import scan_bytes

        scan_bytes(page_for_warmup().encode(), "warm.html", config)
    t0 = time.perf_counter()
    jobs = list(iter_jobs([root]))
    if limit:
        step = max(len(jobs) // limit, 1)
        jobs = jobs[::step][:limit]  # a spread-out sample: every section and kind
    cache = ResultCache(cache_dir / "pubguard-cache.sqlite", config) if cache_dir else None
    results, stats = run_jobs(jobs, config, workers, cache=cache)
    if cache is not None:
        cache.close()
    seconds = time.perf_counter() - t0
    own, kids = peak_rss_mb()
    me, workers_cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    prints = hashlib.sha256(
        "\n".join(f.fingerprint for r in results for f in r.findings).encode()
    ).hexdigest()
    return {
        "seconds": seconds,
        "files": len(results),
        "cached": stats.cached,
        "hashed": stats.hashed,
        "boilerplate_templates": stats.boilerplate_templates,
        "boilerplate_collapsed": stats.boilerplate_collapsed,
        "errors": sum(r.status == "error" for r in results),
        "files_with_findings": sum(bool(r.findings) for r in results),
        "findings_by_rule": dict(
            Counter(f"{f.category}/{f.rule}" for r in results for f in r.findings).most_common()
        ),
        "fingerprints": prints,
        "ruleset": cache.ruleset if cache is not None else None,
        "cpu_parent_s": round(me.ru_utime + me.ru_stime, 2),
        "cpu_workers_s": round(workers_cpu.ru_utime + workers_cpu.ru_stime, 2),
        "rss_parent_mb": round(own, 1),
        "rss_largest_worker_mb": round(kids, 1),
    }


def page_for_warmup() -> str:
    return make_page(random.Random(0), "zwgk", 0, None, None)


def scan(root: Path, workers: int, cache_dir: Path | None = None, limit: int = 0, warm: bool = False) -> dict:
    args = [sys.executable, __file__, "--child", str(root), "--workers", str(workers), "--limit", str(limit)]
    if cache_dir:
        args += ["--cache", str(cache_dir)]
    if warm:
        args.append("--warm")
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _burn(n: int) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def cpu_scaling(workers: int, n: int = 4_000_000, repeat: int = 4) -> float:
    """What the machine gives right now: the same pure-CPU loop on 1 core and on `workers`
    cores at once, interleaved, best of `repeat` each, at most `workers` (shared or throttled
    virtual CPUs often give less than `workers`)."""
    from concurrent.futures import ProcessPoolExecutor

    one, many = [], []
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_burn, [1000] * workers))  # workers started
        for _ in range(repeat):
            one.append(pool.submit(_burn, n).result())
            t0 = time.perf_counter()
            list(pool.map(_burn, [n] * workers))
            many.append(time.perf_counter() - t0)
    return min(workers, workers * min(one) / min(many))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Site-scale batch scan benchmark (ratios, no wall-clock asserts)"
    )
    parser.add_argument("--pages", type=int, default=20000, help="HTML pages to generate (default 20000)")
    parser.add_argument(
        "--sample", type=int, default=2000, help="files scanned with 1 worker (spread over the site)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="generate the site here and keep it")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(scan_child(args.child, args.workers, args.cache, args.limit, args.warm)))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="pubguard-site-bench-"))
    root = args.keep or tmp / "site"
    n = args.workers
    try:
        t0 = time.perf_counter()
        counts = generate_site(root, args.pages)
        t_gen = time.perf_counter() - t0
        files = sum(counts[k] for k in ("html", "xlsx", "pdf", "txt"))
        size_mb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / (1024 * 1024)
        print(f"== site: {files} files ({size_mb:.0f} MB) generated in {t_gen:.1f} s: {counts}", flush=True)

        hw_before = cpu_scaling(n)
        one = scan(root, 1, limit=args.sample, warm=True)
        rate1 = one["files"] / one["seconds"]
        print(f"  1 worker, {one['files']}-file sample: {rate1:.1f} files/s", flush=True)
        first = scan(root, n)
        raten = first["files"] / first["seconds"]
        hw_after = cpu_scaling(n)
        hw = (hw_before + hw_after) / 2
        print(f"  {n} workers, whole site: {first['seconds']:.1f} s, {raten:.1f} files/s", flush=True)
        print(f"  machine: {n} busy processes run {hw:.2f}x one (pure-CPU loop, same run)", flush=True)

        cache_dir = tmp / "cache"
        fill = scan(root, n, cache_dir)
        print(f"  {n} workers, first run with --cache: {fill['seconds']:.1f} s", flush=True)
        rerun = scan(root, n, cache_dir)
        print(f"  unchanged re-run from the cache: {rerun['seconds']:.2f} s", flush=True)
        edited = sorted(root.rglob("*.html"))[::100]  # 1% of the pages get a new title
        for p in edited:
            p.write_text(p.read_text(encoding="utf-8").replace("</h1>", "（更新）</h1>", 1), encoding="utf-8")
        after_edit = scan(root, n, cache_dir)
        print(f"  re-run after editing {len(edited)} pages: {after_edit['seconds']:.2f} s", flush=True)
        if len({fill["ruleset"], rerun["ruleset"], after_edit["ruleset"]}) > 1:
            print(
                "  !! detector/extractor code or wordlists changed during the run: the cache was", flush=True
            )
            print("  !! rightly invalidated, so the re-run figures below are not comparable.", flush=True)
        figures = {
            "files": files,
            "html_pages": counts["html"],
            "generate_seconds": round(t_gen, 2),
            "files_per_s_1_worker": round(rate1, 1),
            f"files_per_s_{n}_workers": round(raten, 1),
            "scaling_ratio": round(raten / rate1, 2),
            "machine_cpu_scaling": round(hw, 2),
            "scaling_vs_machine": round(raten / rate1 / hw, 2),
            "first_run_seconds": round(first["seconds"], 1),
            "peak_rss_parent_mb": first["rss_parent_mb"],
            "peak_rss_largest_worker_mb": first["rss_largest_worker_mb"],
            "peak_rss_1_worker_mb": one["rss_parent_mb"],
            "cpu_parent_vs_workers_first": round(
                first["cpu_parent_s"] / max(first["cpu_workers_s"], 1e-9), 3
            ),
            "cache_fill_vs_first": round(fill["seconds"] / first["seconds"], 2),
            "cpu_parent_vs_workers_cache_fill": round(
                fill["cpu_parent_s"] / max(fill["cpu_workers_s"], 1e-9), 3
            ),
            "rerun_seconds": round(rerun["seconds"], 2),
            "rerun_vs_cache_fill": round(rerun["seconds"] / fill["seconds"], 4),
            "rerun_speedup": round(fill["seconds"] / rerun["seconds"], 1),
            "rerun_files_cached": rerun["cached"],
            "rerun_files_read": rerun["hashed"],
            "rerun_same_findings": rerun["fingerprints"] == fill["fingerprints"],
            "edited_pages": len(edited),
            "edited_rerun_rescanned": after_edit["files"] - after_edit["cached"],
            "edited_rerun_speedup": round(fill["seconds"] / after_edit["seconds"], 1),
            "boilerplate_templates": first["boilerplate_templates"],
            "boilerplate_copies_collapsed": first["boilerplate_collapsed"],
            "errors": first["errors"],
            "files_with_findings": first["files_with_findings"],
            "findings_by_rule": first["findings_by_rule"],
        }
        for k, v in figures.items():
            print(f"  {k:<32} {v}")
        if args.json:
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
