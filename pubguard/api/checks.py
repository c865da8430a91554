"""Check jobs for `POST /api/v1/check`: "may this go online?" without a workflow draft.

Small inputs are answered in the request. Large ones (or formats that render pages: PDF,
images, office files above the synchronous limit) become a job: a thread of this process scans
them (in its crash-isolation child, `pubguard.isolate`) and writes the state as a JSON file
under `data/check-jobs/` — pages done / total while it runs, then the outcome — so any process
of the same service (several uvicorn workers behind one proxy) can answer
`GET /api/v1/check/jobs/{id}`.
A job file holds the report only — masked evidence, keyed fingerprints — never the input, and
expires after `ttl` (swept when jobs are read or created). A check is not an upload, decision or
release: a job lost to a crash is simply asked again (its status file says 运行中 until it
expires; callers treat a stale job as failed).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pubguard import progress
from pubguard.config import ScanConfig
from pubguard.finding import Severity
from pubguard.scan import FileResult

JOB_ID_BYTES = 16
# A running job rewrites its file with pages done / total at most this often.
PROGRESS_SECONDS = 0.5


def check_outcome(result: FileResult, fail_on: Severity) -> dict[str, Any]:
    """The answer a CMS acts on: allowed or not, why, and the full one-file report."""
    from pubguard.report import build_report

    worst = result.max_severity()
    blocking = [f for f in result.findings if f.severity.at_least(fail_on)]
    readable = result.status == "ok"
    allowed = readable and not blocking
    if not readable:
        reason = f"文件无法检查：{result.error}"
    elif blocking:
        reason = f"发现 {len(blocking)} 处达到“{fail_on.value}”级别的问题，不能直接发布。"
    else:
        reason = "未发现达到拦截级别的问题。"
    return {
        "allowed": allowed,
        "reason": reason,
        "fail_on": fail_on.value,
        "max_severity": worst.value if worst else None,
        "blocking": len(blocking),
        "report": build_report([result]),
    }


class CheckJobs:
    def __init__(
        self,
        folder: Path,
        scan: Callable[[bytes, str, ScanConfig], FileResult],
        config: ScanConfig,
        *,
        threads: int = 1,
        ttl_seconds: float = 24 * 3600,
        isolate: bool = False,
    ) -> None:
        """`isolate`: queued jobs are scanned in a supervised child process per job thread
        (`pubguard.isolate`, as the review workers do) instead of calling `scan` in this
        process; the synchronous path of the router still calls `scan`."""
        self.folder = folder
        self.scan = scan
        self.isolate = isolate
        self._local = threading.local()
        self.config = config
        self.ttl = ttl_seconds
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="pubguard-check")
        self._lock = threading.Lock()

    def _job_scanner(self) -> Callable[[bytes, str, ScanConfig], FileResult]:
        if not self.isolate:
            return self.scan
        scanner = getattr(self._local, "scanner", None)
        if scanner is None:  # one child per job thread, closed when the thread ends
            from pubguard.isolate import IsolatedScanner

            scanner = self._local.scanner = IsolatedScanner(self.config)
        return scanner

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _write(self, job_id: str, state: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{job_id}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self._path(job_id))  # readers never see half a file

    def submit(self, data: bytes, name: str, fail_on: Severity, owner: int) -> str:
        self.sweep()
        job_id = secrets.token_urlsafe(JOB_ID_BYTES)
        now = time.time()
        base = {"id": job_id, "name": name, "owner": owner, "created": now}
        self._write(job_id, {**base, "status": "queued", "updated": now})
        self._pool.submit(self._run, base, data, fail_on)
        return job_id

    def _run(self, base: dict[str, Any], data: bytes, fail_on: Severity) -> None:
        job_id, name = base["id"], base["name"]
        self._write(job_id, {**base, "status": "running", "updated": time.time()})
        throttle = progress.Throttle(PROGRESS_SECONDS)

        def on_pages(done: int, total: int, stage: str) -> None:
            if throttle.due(done, total, stage):
                running = {
                    "status": "running",
                    "pages_done": done,
                    "pages_total": total,
                    "pages_stage": stage,
                }
                running["pages_stage_label"] = progress.STAGE_LABELS.get(stage)
                self._write(job_id, {**base, **running, "updated": time.time()})

        try:
            with progress.page_progress(on_pages):
                result = self._job_scanner()(data, name, self.config)
            outcome = check_outcome(result, fail_on)
            pages = result.pages
            state = {**base, "status": "done", "pages_done": pages, "pages_total": pages, "result": outcome}
        except Exception as exc:  # scan_bytes does not raise for bad input; this is a bug or OOM
            state = {**base, "status": "error", "error": f"检查未能完成（{type(exc).__name__}）"}
        state["updated"] = time.time()
        self._write(job_id, state)

    def get(self, job_id: str, owner: int) -> dict[str, Any] | None:
        """The job's state for its owner; None when unknown, expired or someone else's (the
        same answer, so ids of others' jobs cannot be probed)."""
        if not job_id or len(job_id) > 64 or not all(c.isalnum() or c in "-_" for c in job_id):
            return None
        try:
            state = json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if time.time() - float(state.get("created", 0)) > self.ttl or state.get("owner") != owner:
            return None
        return state

    def sweep(self) -> int:
        """Remove expired job files; returns how many."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        cutoff = time.time() - self.ttl
        with self._lock:
            for p in self.folder.iterdir():
                try:
                    if p.stat().st_mtime < cutoff:
                        p.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
