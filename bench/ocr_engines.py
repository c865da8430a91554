"""OCR engine settings: characters right and CPU seconds per page, one configuration per fresh
process (model load and arena warm-up are per process).

    .venv/bin/python bench/ocr_engines.py                 # every configuration, one thread
    .venv/bin/python bench/ocr_engines.py v3 v3-tuned     # some of them
    PUBGUARD_OCR_THREADS=2 .venv/bin/python bench/ocr_engines.py v3-tuned

The page set (13 pages, text known): Chinese 公文 lines (the sample drafts' text) rendered
with the china-s font at 12 and 16 pt at 150 dpi, 10.5 pt at 150 dpi, 16 pt at 300 dpi, 12 pt
saved as JPEG q70, 14 pt at 200 dpi, a red 12 pt page, two scanned-looking pages (rotation,
blur, noise: `samples/generate.py`'s `scanned`), and 7, 8, 8.5 and 9 pt text at 150 dpi.
Accuracy is 1 - edit distance / length over all pages (NFKC, whitespace removed, lines in
reading order); "small" is the same over the 7-9 pt pages. CPU is process time (all threads)
per page after one warm-up page, median of the pages.

Configurations: "v1" is rapidocr-onnxruntime 1.4.4 with our settings (what `make install`
adds); the "v3*" ones are rapidocr 3.x (what `pip install 'pubguard[ocr]'` brings) with the
overrides listed in CONFIGS, built by `pubguard.extract.ocr._create_engine_v3` (whose defaults
are the chosen ones).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TEXTS = [
    "gongkai_nianbao.txt",
    "baomi_xuanchuan.txt",
    "pifu.txt",
    "meeting_request.txt",
    "policy_draft.txt",
]

# name -> (engine, rapidocr 3 params overriding _create_engine_v3's, our own knobs)
CONFIGS: dict[str, dict[str, Any]] = {
    "v1": {"engine": "v1"},
    # rapidocr 3 as it was before this tuning: its own detector sizing (its PP-OCRv6
    # recogniser has a fixed input height of 48: no _REC_HEIGHT variants)
    "v3-untuned": {"engine": "v3", "det_max_side": None, "params": {}},
    "v3-tuned": {"engine": "v3", "params": {}},  # the defaults of _create_engine_v3
    "v3-tuned-det960": {"engine": "v3", "det_max_side": 960, "params": {}},
    "v3-tuned-batch6": {"engine": "v3", "params": {"Rec.rec_batch_num": 6}},
    "v3-tuned-det800": {"engine": "v3", "det_max_side": 800, "params": {}},
    "v3-tuned-det720": {"engine": "v3", "det_max_side": 720, "params": {}},
    "v3-tuned-det640": {"engine": "v3", "det_max_side": 640, "params": {}},
    "v3-tuned-batch1": {"engine": "v3", "params": {"Rec.rec_batch_num": 1}},
    "v3-tuned-box0.6": {"engine": "v3", "params": {"Det.box_thresh": 0.6}},
    "v3-tuned-nodilate": {"engine": "v3", "params": {"Det.use_dilation": False}},
    "v3-tuned-maxside4000": {"engine": "v3", "params": {"Global.max_side_len": 4000}},
    "v3-tuned-cls": {"engine": "v3", "params": {"Global.use_cls": True}},
    "v3-tuned-nopad": {"engine": "v3", "params": {"Global.use_vertical_padding": False}},
}


def _lines() -> list[str]:
    out: list[str] = []
    for name in SAMPLE_TEXTS:
        for line in (ROOT / "samples" / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            while line:
                out.append(line[:30])  # one printed line of an A4 page at 12-16 pt
                line = line[30:]
    return out


def _page(lines: list[str], size: float, dpi: int, color=(0, 0, 0)) -> Any:
    import pymupdf
    from PIL import Image

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y, used = 90.0, []
    per_line = max(8, int(435 / size))
    for line in lines:
        text = line[:per_line]
        if y > 780:
            break
        page.insert_text((80, y), text, fontname="china-s", fontsize=size, color=color)
        used.append(text)
        y += size * 1.9
    pix = page.get_pixmap(dpi=dpi)
    img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    return img, "".join(used)


def pages() -> list[tuple[str, Any, str, bool]]:
    """[(label, image, truth, small)]"""
    sys.path.insert(0, str(ROOT / "samples"))
    from generate import scanned  # type: ignore[import-not-found]
    from PIL import Image

    lines = _lines()
    n = len(lines)

    def chunk(i: int) -> list[str]:
        k = (i * 7) % n
        return (lines[k:] + lines[:k])[:22]  # a 公文 page: 22 lines

    out = []
    for i, (label, size, dpi) in enumerate(
        [("12pt@150", 12, 150), ("16pt@150", 16, 150), ("10.5pt@150", 10.5, 150), ("16pt@300", 16, 300),
         ("14pt@200", 14, 200)]
    ):  # fmt: skip
        img, truth = _page(chunk(i), size, dpi)
        out.append((label, img, truth, False))
    img, truth = _page(chunk(5), 12, 150)
    bio = io.BytesIO()
    img.save(bio, "JPEG", quality=70)
    out.append(("12pt@150 jpeg70", Image.open(io.BytesIO(bio.getvalue())).convert("RGB"), truth, False))
    img, truth = _page(chunk(6), 12, 150, color=(0.8, 0.05, 0.1))
    out.append(("red 12pt@150", img, truth, False))
    for j, (rot, seed) in enumerate([(1.2, 3), (-0.8, 5)]):
        img, truth = _page(chunk(7 + j), 14, 150)
        bio = io.BytesIO()
        img.save(bio, "PNG")
        out.append((f"scanned {rot}°", scanned(bio.getvalue(), rotate=rot, seed=seed), truth, False))
    for k, size in enumerate([7, 8, 8.5, 9]):
        img, truth = _page(chunk(9 + k), size, 150)
        out.append((f"{size}pt@150", img, truth, True))
    return out


def _norm(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _engine(cfg: dict[str, Any]) -> Any:
    from pubguard.extract import ocr

    if "rec_height" in cfg:
        ocr._REC_HEIGHT = cfg["rec_height"]
    if "det_max_side" in cfg:
        ocr._DET_MAX_SIDE = ocr._DET_MAX_SIDE_V3 = cfg["det_max_side"] or 10**6
    if cfg["engine"] == "v1":
        return ocr._create_engine_v1()
    return ocr._RapidOcr3(ocr._create_engine_v3(extra=cfg.get("params") or {}))


def run_one(name: str) -> dict[str, Any]:
    from pubguard.extract import ocr

    cfg = CONFIGS[name]
    ocr._ENGINE = _engine(cfg)
    data = pages()
    ocr.ocr_image(data[0][1])  # warm-up: model load, arena
    cpu, errors, chars, small_err, small_chars, per_page = [], 0, 0, 0, 0, {}
    for label, img, truth, small in data:
        t = time.process_time()
        lines = ocr.ocr_image(img)
        cpu.append(time.process_time() - t)
        got, want = _norm("".join(line.text for line in lines)), _norm(truth)
        err = edit_distance(got, want)
        errors += err
        chars += len(want)
        if small:
            small_err += err
            small_chars += len(want)
        per_page[label] = round(100 * (1 - err / max(len(want), 1)), 2)
    return {
        "config": name,
        "threads": ocr._threads(),
        "accuracy": round(100 * (1 - errors / chars), 2),
        "small": round(100 * (1 - small_err / small_chars), 2),
        "cpu_s_per_page": round(statistics.median(cpu), 3),
        "cpu_s_total": round(sum(cpu), 2),
        "pages": per_page,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(argv[1]), ensure_ascii=False))
        return
    names = argv or list(CONFIGS)
    env = {**os.environ, "PUBGUARD_OCR_THREADS": os.environ.get("PUBGUARD_OCR_THREADS", "1")}
    for name in names:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", name], capture_output=True, text=True, env=env, check=False
        )
        if proc.returncode:
            print(name, "failed:", proc.stderr.strip().splitlines()[-1:])
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{name:24} {r['accuracy']:6.2f} %  small {r['small']:6.2f} %  "
            f"{r['cpu_s_per_page']:.2f} CPU s/page ({r['cpu_s_total']:.1f} s)  {r['threads']} thread(s)",
            flush=True,
        )
        if os.environ.get("BENCH_PAGES"):
            print("   ", r["pages"])


if __name__ == "__main__":
    main(sys.argv[1:])
