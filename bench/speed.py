"""`make bench` part for issue 14's inputs: start-up, scraped-style prose at two sizes, a long
born-digital PDF, and repeated findings. CPU time (getrusage / process_time), medians of 3,
every figure next to a baseline measured in the same run. Inputs are generated (bench/prose.py,
make_long_pdf below), never committed.

    python bench/speed.py [startup prose pdf repeats] [--prose-mb 3 30] [--pdf-pages 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prose import SENTENCES, gov_text, wordlist_terms  # noqa: E402

PY = sys.executable


def cpu(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median CPU seconds of this process for `fn`."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def child_cpu(cmd: list[str], repeat: int = 3) -> tuple[float, float]:
    """Median CPU seconds (user + sys) of a command and all its children; peak RSS in MB."""
    times, peak = [], 0.0
    for _ in range(repeat):
        probe = (
            "import resource, subprocess, sys, json; r = subprocess.run(sys.argv[1:], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); u = resource.getrusage("
            "resource.RUSAGE_CHILDREN); print(json.dumps([u.ru_utime + u.ru_stime, u.ru_maxrss]))"
        )
        out = subprocess.run([PY, "-c", probe, *cmd], capture_output=True, text=True, check=True).stdout
        t, rss = json.loads(out)
        times.append(t)
        peak = max(peak, rss / 1024)
    return statistics.median(times), peak


# -- start-up ---------------------------------------------------------------------------------
def bench_startup() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "one-page.pdf"
        doc = pymupdf.open()
        page = doc.new_page()
        page.insert_text((72, 100), SENTENCES[0][:30], fontname="china-s", fontsize=12)
        doc.save(pdf)
        scan, _ = child_cpu([PY, "-m", "pubguard.cli", "scan", str(pdf), "--format", "json"])
        bare, _ = child_cpu([PY, "-c", "pass"])
        floor, _ = child_cpu([PY, "-c", "import typer, typer._adapters, numpy, pymupdf"])
        inproc, _ = child_cpu([PY, "-c", f"from pubguard.scan import scan_path; scan_path({str(pdf)!r})"])
    return {
        "scan_one_page_pdf_cpu_s": scan,
        "in_process_scan_cpu_s": inproc,
        "python_bare_cpu_s": bare,
        "imports_floor_cpu_s": floor,
        "scan_vs_floor_ratio": scan / floor,
    }


# -- prose ------------------------------------------------------------------------------------
def bench_prose(sizes: list[float], terms: int) -> dict:
    from pubguard.config import ScanConfig
    from pubguard.scan import scan_bytes

    out: dict = {"terms": terms}
    with tempfile.TemporaryDirectory() as tmp:
        wl = Path(tmp) / "terms.txt"
        wl.write_text("\n".join(wordlist_terms(terms)), encoding="utf-8")
        config = ScanConfig(ocr=False, wordlists=[wl])
        scan_bytes("各单位要高度重视,认真落实。".encode(), "warm.txt", config)  # automaton, jieba
        per_mb = []
        for mb in sizes:
            data = gov_text(mb).encode("utf-8")
            real_mb = len(data) / (1024 * 1024)
            t_read = cpu(lambda data=data: data.decode("utf-8").splitlines())
            result = scan_bytes(data, "prose.txt", config)
            t_scan = cpu(lambda data=data: scan_bytes(data, "prose.txt", config))
            key = f"{mb:g}mb"
            out[f"{key}_scan_mb_per_s"] = real_mb / t_scan
            out[f"{key}_read_decode_mb_per_s"] = real_mb / t_read
            out[f"{key}_scan_vs_read_ratio"] = t_scan / t_read
            out[f"{key}_findings"] = len(result.findings)
            per_mb.append(t_scan / real_mb)
            if mb == sizes[0]:
                path = Path(tmp) / "prose.txt"
                path.write_bytes(data)
                whole, rss = child_cpu(
                    [PY, "-m", "pubguard.cli", "scan", str(path), "--wordlist", str(wl), "--format", "json"]
                )
                out[f"{key}_whole_cli_mb_per_s"] = real_mb / whole
                out[f"{key}_whole_cli_peak_rss_mb"] = rss
        if len(per_mb) > 1:
            out["seconds_per_mb_largest_vs_smallest"] = per_mb[-1] / per_mb[0]  # 1.0 = linear
    return out


# -- long PDF ---------------------------------------------------------------------------------
def make_long_pdf(pages: int, distinct: int = 20) -> bytes:
    """`pages` A4 pages of Chinese text (28 lines each; a rule on every 5th distinct page), one
    content stream per page. Built from `distinct` pages copied, so 2,000 pages take seconds."""
    rng = random.Random(1)
    base = pymupdf.open()
    for n in range(distinct):
        page = base.new_page(width=595, height=842)
        page.insert_text((79, 100), f"关于做好政务服务工作的通知（{n + 1}）", fontname="china-s", fontsize=16)
        y = 100
        for _ in range(28):
            y += 24
            page.insert_text((79, y), rng.choice(SENTENCES)[:36], fontname="china-s", fontsize=12)
        if n % 5 == 0:
            page.draw_line((79, 780), (516, 780), color=(0, 0, 0), width=0.5)
        page.clean_contents()
    out = pymupdf.open()
    while out.page_count < pages:
        out.insert_pdf(base, to_page=min(distinct, pages - out.page_count) - 1)
    return out.tobytes(garbage=1, deflate=True)


def bench_long_pdf(pages: int) -> dict:
    from pubguard.config import ScanConfig
    from pubguard.scan import scan_bytes

    config = ScanConfig(ocr=False)
    big, one = make_long_pdf(pages), make_long_pdf(1)

    def floor(data: bytes) -> Callable[[], None]:
        def run() -> None:
            with pymupdf.open(stream=data, filetype="pdf") as d:
                for p in d:
                    p.get_text("dict")
                    p.get_drawings()

        return run

    t_floor_big, t_floor_one = cpu(floor(big)), cpu(floor(one))
    t_scan_big = cpu(lambda: scan_bytes(big, "long.pdf", config))
    t_scan_one = cpu(lambda: scan_bytes(one, "one.pdf", config))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.pdf"
        path.write_bytes(big)
        _, rss = child_cpu(
            [PY, "-m", "pubguard.cli", "scan", str(path), "--no-ocr", "--workers", "1", "--format", "json"], 1
        )
    marginal = (t_scan_big - t_scan_one) / max(t_floor_big - t_floor_one, 1e-9)
    return {
        "pages": pages,
        "megabytes": round(len(big) / 1e6, 1),
        "layout_floor_cpu_s": t_floor_big,
        "scan_cpu_s": t_scan_big,
        "marginal_scan_vs_floor_ratio": marginal,
        "cli_peak_rss_mb": rss,
    }


# -- repeated findings --------------------------------------------------------------------------
def bench_repeats(lines: int) -> dict:
    from pubguard import report
    from pubguard.config import ScanConfig
    from pubguard.scan import scan_bytes

    text = "\n".join(["本店产品为全网第一品牌,欢迎选购:会议的的内容如下。"] * lines) + "\n"
    result = scan_bytes(text.encode("utf-8"), "repeats.txt", ScanConfig(ocr=False))
    size = len(json.dumps(report.build_report([result]), ensure_ascii=False).encode())
    occurrences = sum(f.count for f in result.findings)
    return {
        "lines": lines,
        "occurrences": occurrences,
        "findings": len(result.findings),
        "report_kb": round(size / 1024, 1),
        "report_bytes_per_occurrence": size / max(occurrences, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=["startup", "prose", "pdf", "repeats"])
    parser.add_argument("--prose-mb", type=float, nargs="+", default=[3, 30])
    parser.add_argument("--terms", type=int, default=20000)
    parser.add_argument("--pdf-pages", type=int, default=2000)
    parser.add_argument("--repeat-lines", type=int, default=5000)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    sections = {
        "startup": bench_startup,
        "prose": lambda: bench_prose(args.prose_mb, args.terms),
        "pdf": lambda: bench_long_pdf(args.pdf_pages),
        "repeats": lambda: bench_repeats(args.repeat_lines),
    }
    out = {}
    for name in args.sections:
        if name not in sections:
            parser.error(f"unknown section {name}")
        print(f"== {name}", flush=True)
        res = sections[name]()
        out[name] = res
        for k, v in res.items():
            print(f"  {k:<36} {v:.3f}" if isinstance(v, float) else f"  {k:<36} {v}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
