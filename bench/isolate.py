"""Cost of native-crash isolation (pubguard.isolate), as ratios against the same run's baseline.

1. A serial batch of small HTML pages: scanned in the supervised child vs in this process
   (the child is reused across files, so the cost per file is pickling the job and result).
2. Starting the child (one interpreter start + imports) vs a bare `python -c pass`.

    python bench/isolate.py [--files 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pubguard.config import ScanConfig
from pubguard.isolate import IsolatedScanner
from pubguard.site.runner import iter_jobs, scan_job

PAGE = (
    "<html><body><h1>关于做好防汛抗旱工作的通知</h1><p>各县（区）人民政府，市直各部门：为切实做好"
    "今年防汛抗旱工作，确保人民群众生命财产安全，现将有关事项通知如下。第{n}项工作按期完成。</p>"
    "</body></html>"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    args = ap.parse_args()
    config = ScanConfig(ocr=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in range(args.files):
            (root / f"p{n:04d}.html").write_text(PAGE.format(n=n), encoding="utf-8")
        jobs = list(iter_jobs([root]))
        scan_job(jobs[0], config)  # warm this process's caches (the child warms its own)
        t0 = time.perf_counter()
        for job in jobs:
            scan_job(job, config)
        inproc = time.perf_counter() - t0
        with IsolatedScanner(config) as scanner:
            t0 = time.perf_counter()
            scanner.scan_job(jobs[0])
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            for job in jobs:
                scanner.scan_job(job)
            isolated = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    n = len(jobs)
    print(f"isolation, {n} small HTML pages, serial:")
    print(f"  in-process  {inproc / n * 1000:7.2f} ms/file")
    print(f"  isolated    {isolated / n * 1000:7.2f} ms/file   (×{isolated / inproc:.2f} of in-process)")
    print(f"  child start + first file {first:.2f} s   (bare interpreter start {bare:.2f} s)")


if __name__ == "__main__":
    main()
