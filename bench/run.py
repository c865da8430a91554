"""`make bench`: PubGuard's speed, always as a ratio against a baseline measured in the same run.

Sections (each prints its own numbers; nothing here asserts a wall-clock limit):
1. born-digital PDF: full scan (extract + all detectors) vs bare PyMuPDF get_text() — pages/s.
2. text with a 20,000-term wordlist: sensitive_term scan vs a plain read+decode — MB/s.
3. OCR of an A4 page rendered at 150 dpi vs the bare render — s/page.
4. image path: seal + red-header detection on rendered 150 dpi pages vs the bare render — pages/s.
Further sections are added by later parts (site scans, web service load).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from pubguard.config import ScanConfig
from pubguard.document import Document
from pubguard.extract import extract
from pubguard.scan import scan_bytes, scan_document

SENTENCES = [
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能。",
    "各县（区）人民政府、市直各部门要严格执行保密制度，涉及国家秘密的事项不得公开。",
    "对外发布的文件一律使用电子版本，不得在网站上发布加盖公章的扫描件。",
    "联系人：市政务服务监督管理局办公室，咨询电话：0771-5512345。",
    "二、工作要求。各单位要高度重视，加强组织领导，确保各项任务按期完成。",
]


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best-of-N seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def make_pdf(pages: int) -> bytes:
    doc = pymupdf.open()
    rng = random.Random(1)
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        y = 100
        page.insert_text((79, y), f"第{n + 1}页 关于做好政务服务工作的通知", fontname="china-s", fontsize=16)
        for _ in range(28):
            y += 24
            page.insert_text((79, y), rng.choice(SENTENCES)[:34], fontname="china-s", fontsize=12)
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def bench_pdf(pages: int) -> dict:
    data = make_pdf(pages)
    config = ScanConfig(ocr=False)

    def bare() -> None:
        with pymupdf.open(stream=data, filetype="pdf") as d:
            for p in d:
                p.get_text()

    def extraction_only() -> None:
        extract(data, "bench.pdf", config)

    def full() -> None:
        result = scan_bytes(data, "bench.pdf", config)
        assert result.status == "ok", result.error

    t_bare, t_extract, t_full = timed(bare), timed(extraction_only), timed(full)
    return {
        "pages": pages,
        "bare_get_text_pages_per_s": pages / t_bare,
        "extraction_pages_per_s": pages / t_extract,
        "full_scan_pages_per_s": pages / t_full,
        "extraction_vs_get_text_ratio": t_extract / t_bare,
        "detectors_added_fraction": (t_full - t_extract) / t_extract,
        "full_vs_get_text_ratio": t_full / t_bare,
    }


def random_terms(n: int, rng: random.Random) -> list[str]:
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    terms: set[str] = set()
    while len(terms) < n:
        terms.add("".join(rng.choice(chars) for _ in range(rng.randint(2, 6))))
    return sorted(terms)


def bench_text(megabytes: float, terms: int) -> dict:
    rng = random.Random(2)
    words = random_terms(terms, rng)
    text_lines = []
    size = 0
    while size < megabytes * 1024 * 1024:
        line = rng.choice(SENTENCES)
        if rng.random() < 0.02:
            line += rng.choice(words)
        text_lines.append(line)
        size += len(line.encode("utf-8")) + 1
    data = "\n".join(text_lines).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        wl = Path(tmp) / "terms.txt"
        wl.write_text("\n".join(words), encoding="utf-8")
        config = ScanConfig(enabled={"sensitive_term"}, wordlists=[wl], ocr=False)
        doc = extract(data, "bench.txt", config)
        scan_document(doc, config)  # warm: builds and caches the automaton once

        def plain_read() -> None:
            data.decode("utf-8").splitlines()

        def detector_only() -> None:
            scan_document(doc, config)

        from pubguard.textnorm import normalize

        def normalise_only() -> None:
            normalize(doc.text)

        def full() -> None:
            scan_bytes(data, "bench.txt", config)

        t_read, t_norm, t_det, t_full = (
            timed(plain_read),
            timed(normalise_only),
            timed(detector_only),
            timed(full),
        )
    mb = len(data) / (1024 * 1024)
    return {
        "megabytes": round(mb, 2),
        "terms": terms,
        "plain_read_mb_per_s": mb / t_read,
        "normalise_mb_per_s": mb / t_norm,
        "sensitive_term_mb_per_s": mb / t_det,
        "full_scan_mb_per_s": mb / t_full,
        "full_vs_read_ratio": t_full / t_read,
    }


def render_pages(count: int) -> list:
    data = make_pdf(count)
    with pymupdf.open(stream=data, filetype="pdf") as d:
        return [p.get_pixmap(dpi=150) for p in d]


def bench_ocr(pages: int) -> dict:
    from PIL import Image

    from pubguard.extract.ocr import ocr_image

    data = make_pdf(pages)
    images = []
    t0 = time.perf_counter()
    with pymupdf.open(stream=data, filetype="pdf") as d:
        for p in d:
            pix = p.get_pixmap(dpi=150)
            images.append(Image.frombytes("RGB", (pix.width, pix.height), pix.samples))
    t_render = (time.perf_counter() - t0) / pages
    ocr_image(images[0])  # warm the engine (model load is a one-off per process)
    per_page = []
    chars = 0
    for img in images:
        t = time.perf_counter()
        lines = ocr_image(img)
        per_page.append(time.perf_counter() - t)
        chars += sum(len(line.text) for line in lines)
    return {
        "pages": pages,
        "render_s_per_page": t_render,
        "ocr_s_per_page": statistics.median(per_page),
        "ocr_vs_render_ratio": statistics.median(per_page) / t_render,
        "chars_recognised": chars,
    }


def bench_image_detectors(pages: int) -> dict:
    """Seal + red header on scanned-looking pages (150 dpi JPEG), vs loading/decoding them."""
    from pubguard.detectors import ScanContext, detectors_for

    sample = Path(__file__).resolve().parent.parent / "samples" / "scan_red_header_seal.jpg"
    data = sample.read_bytes()
    config = ScanConfig(ocr=False)
    dets = [d for d in detectors_for({"seal", "red_header"})]
    ctx = ScanContext(config=config)

    def bare() -> None:
        for _ in range(pages):
            doc = extract(data, "page.jpg", config)
            doc.pages[0].render(150)

    def detect() -> None:
        for _ in range(pages):
            doc: Document = extract(data, "page.jpg", config)
            for det in dets:
                list(det.detect(doc, ctx))

    t_bare, t_det = timed(bare, 2), timed(detect, 2)
    return {
        "pages": pages,
        "detectors": [d.name for d in dets],
        "bare_pages_per_s": pages / t_bare,
        "detect_pages_per_s": pages / t_det,
        "overhead_ratio": t_det / t_bare,
    }


SECTIONS = {
    "pdf": lambda a: bench_pdf(a.pdf_pages),
    "text": lambda a: bench_text(a.text_mb, a.terms),
    "ocr": lambda a: bench_ocr(a.ocr_pages),
    "image": lambda a: bench_image_detectors(a.image_pages),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PubGuard benchmarks (ratios against same-run baselines)")
    parser.add_argument("sections", nargs="*", default=list(SECTIONS))
    parser.add_argument("--pdf-pages", type=int, default=60)
    parser.add_argument("--text-mb", type=float, default=8)
    parser.add_argument("--terms", type=int, default=20000)
    parser.add_argument("--ocr-pages", type=int, default=2)
    parser.add_argument("--image-pages", type=int, default=6)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    out = {}
    for name in args.sections:
        if name not in SECTIONS:
            parser.error(f"unknown section {name}")
        print(f"== {name}", flush=True)
        res = SECTIONS[name](args)
        out[name] = res
        for k, v in res.items():
            print(f"  {k:<28} {v:.3f}" if isinstance(v, float) else f"  {k:<28} {v}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
