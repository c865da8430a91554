"""`pubguard scan --annotate DIR`: page images with every located finding boxed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymupdf
from factories import make_id_number
from PIL import Image

from pubguard.config import ScanConfig
from pubguard.report.annotate import SEVERITY_COLOURS, annotate_document
from pubguard.scan import scan_bytes


def _pdf_with_id(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((80, 120), "关于2024年度临时救助对象的公示", fontname="china-s", fontsize=16)
    page.insert_text(
        (80, 170), f"救助对象：张伟民，身份证号：{make_id_number()}", fontname="china-s", fontsize=12
    )
    path = tmp_path / "gongshi.pdf"
    doc.save(path)
    return path


def test_boxes_are_drawn_where_the_finding_is(tmp_path: Path) -> None:
    path = _pdf_with_id(tmp_path)
    result = scan_bytes(path.read_bytes(), path.name, ScanConfig(ocr=False), keep_document=True)
    id_finding = next(f for f in result.findings if f.rule == "id_card")
    assert id_finding.location.page == 1 and id_finding.location.bbox
    out = tmp_path / "pages"
    out.mkdir()
    assert annotate_document(result.document, [id_finding], out, "gongshi", dpi=72) == 1
    img = Image.open(out / "gongshi_p1.png").convert("RGB")
    x0, y0, x1, y1 = id_finding.location.bbox
    colour = SEVERITY_COLOURS[id_finding.severity]
    # the outline is drawn 2 px outside the bbox (72 dpi: 1 px per point)
    edge = [img.getpixel((int((x0 + x1) / 2), int(y0) - 2 + d)) for d in range(-2, 3)]
    assert colour in edge
    # far away from the finding the page stays white
    assert img.getpixel((20, 800)) == (255, 255, 255)


def test_cli_annotate_writes_pngs(tmp_path: Path) -> None:
    path = _pdf_with_id(tmp_path)
    (tmp_path / "clean.txt").write_text("关于开展全民健身日活动的通知\n", encoding="utf-8")
    out = tmp_path / "annot"
    proc = subprocess.run(
        [sys.executable, "-m", "pubguard.cli", "scan", str(path), str(tmp_path / "clean.txt"), "--annotate", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == 1 and pngs[0].endswith("gongshi.pdf_p1.png")
    assert make_id_number() not in proc.stdout + proc.stderr
