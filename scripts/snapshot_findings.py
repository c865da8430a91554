"""Snapshot of what PubGuard reports on every file in samples/ (and what the cleaner does to it).

A refactor that keeps behaviour must keep this output byte-identical:

    python scripts/snapshot_findings.py > /tmp/before.json
    ... change the code ...
    python scripts/snapshot_findings.py > /tmp/after.json && diff /tmp/before.json /tmp/after.json

Volatile fields (timings, output paths) are left out. `--no-clean` skips the clean copies.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from pubguard.config import ScanConfig
from pubguard.scan import scan_path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SKIP = {"manifest.json", "generate.py"}


def _clean(path: Path, config: ScanConfig) -> dict | None:
    from pubguard.clean import clean_bytes
    from pubguard.clean.core import SUPPORTED
    from pubguard.extract.sniff import sniff_format
    from pubguard.scan import scan_bytes

    data = path.read_bytes()
    if sniff_format(data, path.name) not in SUPPORTED:
        return None
    result = clean_bytes(data, path.name, config)
    report = result.report.to_dict()
    report.pop("output", None)
    rescan = scan_bytes(result.data, path.name, config, keep_document=True)
    text = rescan.document.text if rescan.document is not None else ""
    report["clean_text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return report


def snapshot(folder: Path = SAMPLES, clean: bool = True) -> dict:
    config = ScanConfig()
    out: dict = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in SKIP):
        result = scan_path(path, config, display=path.name).to_dict()
        entry: dict = {"scan": result}
        if clean:
            entry["clean"] = _clean(path, config)
        out[path.name] = entry
    return out


def main(argv: list[str]) -> int:
    clean = "--no-clean" not in argv
    json.dump(snapshot(clean=clean), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
