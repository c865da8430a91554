"""The OFD reader and the RAR path on files written by other software (ofdrw's OFD and
rarfile's RAR test resources, collected into realworld/external/ by scripts/collect_realworld.py,
never committed; skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pubguard.scan import scan_bytes

REALWORLD = Path(__file__).resolve().parents[2] / "realworld"
ENTRIES = [
    e
    for e in json.loads((REALWORLD / "manifest.json").read_text("utf-8"))["files"]
    if e["file"].startswith(("external/ofdrw/", "external/rarfile/"))
]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"].rsplit("/", 1)[-1] for e in ENTRIES])
def test_real_ofd_files(entry: dict) -> None:
    path = REALWORLD / entry["file"]
    if not path.is_file():
        pytest.skip(f"{entry['file']} not collected (run scripts/collect_realworld.py)")
    result = scan_bytes(path.read_bytes(), path.name)
    assert result.status == "ok", result.error
    assert result.format == path.suffix.lstrip(".")
    assert all(m["status"] == "ok" for m in result.members), result.members
    rules = {f"{f.category}/{f.rule}" for f in result.findings if f.severity.rank >= 2}
    assert set(entry["expect"]) == rules
    for f in result.findings:
        if f.rule == "electronic_seal":
            assert str(f.severity) == "blocker" and f.location.page == 1 and f.location.bbox
