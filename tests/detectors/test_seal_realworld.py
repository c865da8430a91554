"""Seal detector on the real seal pictures of realworld/ (collected by scripts/collect_realworld.py,
never committed; skipped when absent). Recall and false positives are checked per split: "tune"
files were used while building the detector, "holdout" files were not. The floors are the
measured values at the time of writing (see /work/notes/issue-11b.md); raise them as detection
improves, never lower them to pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.seal import SealDetector
from pubguard.extract import extract
from pubguard.finding import Severity

REALWORLD = Path(__file__).resolve().parents[2] / "realworld"
ENTRIES = [
    e for e in json.loads((REALWORLD / "manifest.json").read_text(encoding="utf-8"))["files"] if "split" in e
]
NO_OCR = ScanConfig(ocr=False)
MEDIUM_UP = (Severity.MEDIUM, Severity.HIGH, Severity.BLOCKER)
# split -> (minimum recall of expected seal rules or None, maximum negatives flagged at medium+)
FLOORS = {
    "tune": (0.95, 0),
    "tune2": (0.95, 0),
    "holdout": (0.85, 0),
    "holdout3": (None, 0),
    "holdout4": (0.95, 0),
    # 10 photos/screenshots of documents (superkuang1997/OpenCV-learning), measured untouched
    # at 10/11 (the 王国爱印 name seal missed), 11/11 after the strong-ink retry (h11s)
    "holdout5": (0.95, 0),
}


def _seal_rules(path: Path) -> set[str]:
    doc = extract(path.read_bytes(), path.name, NO_OCR)
    found = SealDetector().detect(doc, ScanContext(config=NO_OCR))
    return {f"seal/{f.rule}" for f in found if f.severity in MEDIUM_UP}


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_real_seals_per_split(split):
    entries = [e for e in ENTRIES if e["split"] == split]
    missing = [e["file"] for e in entries if not (REALWORLD / e["file"]).is_file()]
    if missing:
        pytest.skip(f"{len(missing)} real seal file(s) not collected (run scripts/collect_realworld.py)")
    expected = found = flagged = 0
    misses, extras = [], []
    for e in entries:
        want = {k for k in e["expect"] if k.startswith("seal/")}
        got = _seal_rules(REALWORLD / e["file"])
        expected += len(want)
        found += len(want & got)
        misses += [f"{e['file']}: {k}" for k in sorted(want - got)]
        if not want and got:
            flagged += 1
            extras.append(f"{e['file']}: {sorted(got)}")
    min_recall, max_flagged = FLOORS[split]
    if min_recall is not None:  # holdout3 holds negatives only
        assert expected and found / expected >= min_recall, misses
    assert flagged <= max_flagged, extras
