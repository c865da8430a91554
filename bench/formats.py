"""`make bench` part: attachment formats — files/s for a mixed set, LibreOffice warm vs cold.

Every figure comes with a baseline measured in the same run:
- mixed attachment set (.doc, .rtf, .xls, .pptx, .ppt, .ofd, .zip of a PDF + CSV roster, .docx)
  scanned with the warm converter, against the same documents as native DOCX/XLSX/PPTX;
- the converter alone: warm (one soffice kept running per process) vs cold (`soffice
  --convert-to` per file), files/s on the same .doc files, and the warm converter's start-up.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _pptx() -> bytes:
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "tests" / "extract"))
    from test_pptx import _deck  # the same deck the tests use

    return _deck()


def _mixed(convert) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:  # noqa: ANN001
    """(legacy/new-format set, native baseline set of the same documents)."""
    pptx = _pptx()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("通知.pdf", (SAMPLES / "red_header_seal.pdf").read_bytes())
        zf.writestr("名单.xlsx", (SAMPLES / "subsidy_roster.xlsx").read_bytes())
    mixed = [
        ("draft_tracked.doc", (SAMPLES / "draft_tracked.doc").read_bytes()),
        ("clean_policy.doc", (SAMPLES / "clean_policy.doc").read_bytes()),
        ("draft_tracked.rtf", (SAMPLES / "draft_tracked.rtf").read_bytes()),
        ("subsidy_roster.xls", (SAMPLES / "subsidy_roster.xls").read_bytes()),
        ("汇报.pptx", pptx),
        ("汇报.ppt", convert.convert(pptx, ".pptx", "ppt")),
        ("ofd_red_header_seal.ofd", (SAMPLES / "ofd_red_header_seal.ofd").read_bytes()),
        ("ofd_clean_notice.ofd", (SAMPLES / "ofd_clean_notice.ofd").read_bytes()),
        ("附件.zip", buf.getvalue()),
    ]
    native = [
        ("draft_tracked.docx", (SAMPLES / "draft_tracked.docx").read_bytes()),
        ("clean_policy.docx", (SAMPLES / "clean_policy.docx").read_bytes()),
        ("draft_tracked.docx", (SAMPLES / "draft_tracked.docx").read_bytes()),
        ("subsidy_roster.xlsx", (SAMPLES / "subsidy_roster.xlsx").read_bytes()),
        ("汇报.pptx", pptx),
        ("汇报.pptx", pptx),
        ("red_header_seal.pdf", (SAMPLES / "red_header_seal.pdf").read_bytes()),
        ("clean_notice.pdf", (SAMPLES / "clean_notice.pdf").read_bytes()),
        ("通知.pdf", (SAMPLES / "red_header_seal.pdf").read_bytes()),
    ]
    return mixed, native


def _rate(files: list[tuple[str, bytes]], rounds: int, config) -> tuple[float, int]:  # noqa: ANN001
    from pubguard.scan import scan_bytes

    errors = 0
    t0 = time.perf_counter()
    for _ in range(rounds):
        for name, data in files:
            errors += scan_bytes(data, name, config).status != "ok"
    return rounds * len(files) / (time.perf_counter() - t0), errors


def _convert_rate(convert, data: bytes, n: int) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    for _ in range(n):
        convert.convert(data, ".doc", "docx")
    return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=3, help="passes over the mixed set")
    ap.add_argument("--cold", type=int, default=5, help="cold conversions to time")
    args = ap.parse_args(argv)
    from pubguard.config import ScanConfig
    from pubguard.extract import convert

    if not convert.available():
        print("formats: LibreOffice missing (sh scripts/ensure-libreoffice.sh); section skipped")
        return 0
    config = ScanConfig(ocr=False)
    doc = (SAMPLES / "draft_tracked.doc").read_bytes()

    convert.shutdown()
    t0 = time.perf_counter()
    convert.convert(doc, ".doc", "docx")
    start = time.perf_counter() - t0
    kind = convert.engine().kind
    warm = _convert_rate(convert, doc, max(args.cold * 4, 10))
    mixed, native = _mixed(convert)
    _rate(mixed[:1], 1, config)  # imports and detector set-up outside the timing
    mixed_rate, mixed_errors = _rate(mixed, args.rounds, config)
    native_rate, _ = _rate(native, args.rounds, config)
    convert.shutdown()
    os.environ["PUBGUARD_CONVERTER"] = "cold"
    try:
        convert.convert(doc, ".doc", "docx")  # profile created outside the timing
        cold = _convert_rate(convert, doc, args.cold)
    finally:
        os.environ.pop("PUBGUARD_CONVERTER", None)
        convert.shutdown()

    print("## attachment formats (bench/formats.py)")
    print("| what | PubGuard | baseline in the same run | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| mixed attachments ({len(mixed)} files: doc, rtf, xls, pptx, ppt, ofd, zip), {args.rounds} rounds "
        f"| {mixed_rate:.1f} files/s ({mixed_errors} errors) | same documents as docx/xlsx/pptx/pdf: "
        f"{native_rate:.1f} files/s | ×{mixed_rate / native_rate:.2f} |"
    )
    print(
        f"| LibreOffice .doc → DOCX | warm ({kind}) {warm:.1f} files/s (start-up {start:.1f} s) | cold "
        f"`soffice --convert-to` {cold:.2f} files/s | warm ×{warm / cold:.0f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
