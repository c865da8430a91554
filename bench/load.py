"""Load check of the web service: concurrent uploads and queue reads against a running server on
the loopback interface, bounded in count and in time.

`run_load(url, username, password, ...)` drives a server that is already running; `main()` (and
`bench_web()` for `make bench`) starts its own `pubguard serve` on a free 127.0.0.1 port with a
temporary data directory, seeds one editor, runs the load, and stops the server it started.

Reported: upload and queue-read throughput (requests/s), p50/p95 latency of each, the time until
every accepted upload was scanned (the background job queue drained), and the accounting: every
upload attempted is either accepted (HTTP 202, its draft readable afterwards, its scan finished
ok/error or still pending at the deadline), refused with a status code, failed on the network,
or not started because the time budget ran out. `accounted` is true only when those add up.
Only loopback addresses are accepted as targets."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

SENTENCES = [
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能。",
    "各县（区）人民政府、市直各部门要严格执行保密制度，涉及国家秘密的事项不得公开。",
    "联系人：市政务服务监督管理局办公室，咨询电话：0771-5512345。",
    "二、工作要求。各单位要高度重视，加强组织领导，确保各项任务按期完成。",
]


def _check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"load check only runs against loopback addresses (127.0.0.0/8, ::1), not {host!r}")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return round(ordered[idx] * 1000, 1)


def _document(i: int) -> bytes:
    body = "\n".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(6))
    return f"关于第{i}批政务服务事项调整的通知\n{body}\n（压测稿件 {i}，{time.time_ns()}）\n".encode()


def run_load(
    url: str,
    username: str,
    password: str,
    *,
    uploads: int = 30,
    concurrency: int = 4,
    reads_per_upload: int = 3,
    time_limit: float = 60.0,
    scan_wait: float = 120.0,
) -> dict[str, Any]:
    """Run the load against `url` and return the measurements (see module docstring)."""
    _check_loopback(url)
    url = url.rstrip("/")
    with httpx.Client(base_url=url, timeout=30) as c:
        r = c.post("/api/v1/auth/token", json={"username": username, "password": password, "ttl_days": 1})
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        me = c.get("/api/v1/auth/me", headers=headers).json()["user"]
    sites = [g["site"] for g in me["roles"] if g["role"] == "editor" and g["site"] != "*"]
    if not sites:
        raise SystemExit(f"user {username} is no editor of any site")
    site = sites[0]

    lock = threading.Lock()
    upload_lat: list[float] = []
    read_lat: list[float] = []
    accepted: dict[int, dict[str, int]] = {}  # upload index -> {draft, version}
    refused: dict[int, int] = {}  # upload index -> HTTP status
    network: dict[int, str] = {}  # upload index -> error class
    read_errors: list[str] = []
    not_started: list[int] = []
    start = time.monotonic()
    stop_at = start + time_limit
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=url, timeout=60, headers=headers)
        return local.c

    def one(i: int) -> None:
        if time.monotonic() >= stop_at:
            with lock:
                not_started.append(i)
            return
        c = client()
        t0 = time.perf_counter()
        try:
            r = c.post(
                "/api/v1/drafts",
                data={"site": site, "title": f"压测稿件 {i}", "column": "压测"},
                files={"file": (f"load-{i}.txt", _document(i))},
            )
            dt = time.perf_counter() - t0
            with lock:
                upload_lat.append(dt)
                if r.status_code == 202:
                    body = r.json()
                    accepted[i] = {"draft": body["draft"]["id"], "version": body["version"]["id"]}
                else:
                    refused[i] = r.status_code
        except httpx.HTTPError as exc:
            with lock:
                network[i] = type(exc).__name__
        for _ in range(reads_per_upload):
            t0 = time.perf_counter()
            try:
                rr = c.get("/api/v1/drafts", params={"queue": "true", "limit": 50})
                ok = rr.status_code == 200
            except httpx.HTTPError as exc:
                ok = False
                rr = None
                with lock:
                    read_errors.append(type(exc).__name__)
            with lock:
                read_lat.append(time.perf_counter() - t0)
                if rr is not None and not ok:
                    read_errors.append(str(rr.status_code))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(uploads)))
    load_seconds = time.monotonic() - start

    # Wait (bounded) until the scan queue has drained for every accepted upload.
    scan: dict[int, str] = {}
    missing: list[int] = []
    deadline = time.monotonic() + scan_wait
    with httpx.Client(base_url=url, timeout=30, headers=headers) as c:
        pending = dict(accepted)
        while pending and time.monotonic() < deadline:
            for i, ids in list(pending.items()):
                r = c.get(f"/api/v1/versions/{ids['version']}/status")
                status = r.json().get("scan_status") if r.status_code == 200 else f"http {r.status_code}"
                if status != "pending":
                    scan[i] = status
                    del pending[i]
            if pending:
                time.sleep(0.25)
        for i in pending:
            scan[i] = "pending"
        for i, ids in accepted.items():
            if c.get(f"/api/v1/drafts/{ids['draft']}").status_code != 200:
                missing.append(i)
    drained = time.monotonic() - start

    counts = {s: sum(1 for v in scan.values() if v == s) for s in sorted(set(scan.values()))}
    accounted = (
        len(accepted) + len(refused) + len(network) + len(not_started) == uploads
        and len(scan) == len(accepted)
        and not missing
    )
    return {
        "url": url,
        "uploads_requested": uploads,
        "concurrency": concurrency,
        "accepted": len(accepted),
        "refused": refused,
        "network_errors": network,
        "not_started_time_budget": len(not_started),
        "scan_status": counts,
        "drafts_missing": missing,
        "accounted": accounted,
        "load_seconds": round(load_seconds, 2),
        "upload_per_s": round(len(upload_lat) / load_seconds, 2) if load_seconds else None,
        "reads": len(read_lat),
        "read_errors": len(read_errors),
        "read_per_s": round(len(read_lat) / load_seconds, 2) if load_seconds else None,
        "upload_ms_p50": _pct(upload_lat, 0.5),
        "upload_ms_p95": _pct(upload_lat, 0.95),
        "read_ms_p50": _pct(read_lat, 0.5),
        "read_ms_p95": _pct(read_lat, 0.95),
        "seconds_until_all_scanned": round(drained, 2),
        "scanned_per_s": round(sum(1 for v in scan.values() if v != "pending") / drained, 2)
        if drained
        else None,
        "mean_upload_ms": round(statistics.fmean(upload_lat) * 1000, 1) if upload_lat else None,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_web(
    uploads: int = 30, concurrency: int = 4, time_limit: float = 60.0, scan_workers: int = 2
) -> dict[str, Any]:
    """Start a throw-away `pubguard serve` on 127.0.0.1, load it, stop it (for `make bench`)."""
    from pubguard.review import ReviewService, ReviewSettings

    with tempfile.TemporaryDirectory(prefix="pubguard-load-") as tmp:
        data = Path(tmp) / "data"
        svc = ReviewService(ReviewSettings(data_dir=data))
        try:
            svc.create_site("load", "压测站点")
            svc.create_user("loader", password="load-test-pass", roles=[("load", "editor")])
        finally:
            svc.close()
        port = _free_port()
        code = (
            "from pathlib import Path; from pubguard.api.cli import serve; "
            f"serve(host='127.0.0.1', port={port}, data=Path({str(data)!r}), database_url=None, "
            f"scan_workers={scan_workers}, max_upload_mb=20, secure_cookies=False)"
        )
        env = {k: v for k, v in os.environ.items() if k != "PUBGUARD_DATABASE_URL"}  # SQLite in tmp
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise SystemExit("the server did not start within 30 s")
            return run_load(
                url,
                "loader",
                "load-test-pass",
                uploads=uploads,
                concurrency=concurrency,
                time_limit=time_limit,
            )
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="PubGuard web service load check (loopback only)")
    ap.add_argument("--url", help="a running server (default: start a temporary one)")
    ap.add_argument("--username", default="loader")
    ap.add_argument("--password", default="load-test-pass")
    ap.add_argument("--uploads", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    if args.url:
        result = run_load(
            args.url,
            args.username,
            args.password,
            uploads=args.uploads,
            concurrency=args.concurrency,
            time_limit=args.time_limit,
        )
    else:
        result = bench_web(args.uploads, args.concurrency, args.time_limit)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["accounted"] else 1


if __name__ == "__main__":
    sys.exit(main())
