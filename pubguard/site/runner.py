"""Batch runner shared by `pubguard scan` and site scans: file discovery, a bounded process
pool, per-file timeouts, the incremental cache, inline suppressions and URL mapping.

Memory stays bounded: at most `2 × workers` files are in flight, and only findings (never
documents or file contents) are kept once a file is done. After the run, findings in template
text repeated across the site's pages are reported once (pubguard.site.boilerplate).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pubguard.config import ScanConfig
from pubguard.errors import ScanTimeout
from pubguard.extract.local import LocalFiles, file_digest
from pubguard.scan import FileResult, scan_bytes
from pubguard.site.boilerplate import block_hashes, collapse_boilerplate
from pubguard.site.ignore import FileFilter
from pubguard.site.suppress import apply_inline, inline_allows


@dataclass(frozen=True)
class FileJob:
    path: str  # where to read it
    display: str  # what the report shows (path or URL)
    identity: str  # document identity for fingerprints (relative path or URL)
    # The folder scanned (a named file: its own folder). Linked local stylesheets of a page are
    # read inside it only (pubguard.extract.local); None: no file next to the page is read.
    root: str | None = None


@dataclass
class RunStats:
    files: int = 0
    cached: int = 0
    inline_suppressed: int = 0
    unused_inline: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    hashed: int = 0  # files read to compute their content hash (the rest matched by stat)
    boilerplate_collapsed: int = 0  # per-page copies of template findings removed
    boilerplate_templates: int = 0  # template findings kept once


def iter_jobs(
    paths: Iterable[Path], base_url: str | None = None, file_filter: FileFilter | None = None
) -> Iterator[FileJob]:
    """Files under the given paths (recursively, sorted, hidden ones skipped, then the default
    ignore list, `.pubguardignore` and --include/--exclude of `file_filter`). The identity is
    the path relative to the folder given, so the same site scanned from elsewhere keeps its
    fingerprints; with `base_url` the display is the page URL. Named files are always scanned."""
    file_filter = file_filter if file_filter is not None else FileFilter()
    for root in paths:
        if root.is_file():
            yield FileJob(
                str(root),
                str(root) if not base_url else _url(base_url, root.name),
                root.name,
                str(root.parent),
            )
            continue
        wanted = file_filter.for_root(root)
        prefix = os.path.join(str(root), "")  # plain strings: pathlib costs more than the walk
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = dirpath[len(prefix) :].replace(os.sep, "/")
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".") and wanted.wants_dir(f"{rel_dir}/{d}" if rel_dir else d)
            )
            for fn in sorted(filenames):
                if fn.startswith("."):
                    continue
                p = os.path.join(dirpath, fn)
                rel = p[len(prefix) :].replace(os.sep, "/")
                if not wanted.wants(rel):
                    continue
                yield FileJob(
                    p,
                    _url(base_url, rel) if base_url else p,
                    _url(base_url, rel) if base_url else rel,
                    str(root),
                )


def _url(base: str, rel: str) -> str:
    from urllib.parse import quote

    return base.rstrip("/") + "/" + quote(rel)


@contextmanager
def time_limit(seconds: float | None):
    """Per-file timeout with SIGALRM (works in the main thread of each worker process). In a
    thread (Dask workers run tasks in threads) signals are unavailable: Dask's own task
    timeouts apply there instead."""
    import threading

    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def handler(signum, frame):
        raise ScanTimeout(f"检查超时（超过 {seconds:.0f} 秒），已跳过该文件。")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def scan_job(job: FileJob, config: ScanConfig) -> FileResult:
    """Read, scan and apply inline suppressions for one file. Never raises."""
    try:
        size = os.path.getsize(job.path)
        if size > config.limits.max_file_bytes:
            return FileResult(
                path=job.display, status="error", error_code="too_large",
                error=f"文件过大（{size // (1024 * 1024)} MB），超过上限 {config.limits.max_file_bytes // (1024 * 1024)} MB。",
            )  # fmt: skip
        with open(job.path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileResult(
            path=job.display, status="error", error=f"无法读取文件：{exc.strerror or exc}", error_code="io"
        )
    try:
        with time_limit(config.limits.timeout_seconds):
            local = LocalFiles(job.path, job.root, config.limits) if job.root is not None else None
            result = scan_bytes(
                data, job.display, config, identity=job.identity, keep_document=True, local=local
            )
        if local is not None and local.digests:
            result.stylesheets = dict(local.digests)
        doc, result.document = result.document, None  # never shipped back to the parent
        if doc is not None and doc.format == "html" and result.findings:
            result.block_hashes = block_hashes(doc, result.findings)
        del doc
    except ScanTimeout as exc:
        result = FileResult(path=job.display, status="error", error=exc.message, error_code=exc.code)
        result.sha256 = hashlib.sha256(data).hexdigest()
    allows = inline_allows(data) if result.format == "html" else set()
    if allows:
        result.findings, dropped, result.unused_suppressions = apply_inline(result.findings, allows)
        result.suppressed = len(dropped)
        result.suppressed_findings.extend(dropped)
    return result


_WORKER_CONFIG: ScanConfig | None = None
# Files per pool task: one task per file costs the parent ~0.5 ms of pickling and bookkeeping,
# a tenth of a small HTML page's scan, taken from the cores the workers need.
MAX_CHUNK = 16


# A page of ordinary prose: scanning it once loads what every scan needs (detector modules,
# the wordlist automaton, and jieba's dictionary: "现在在建" has the doubled character that
# makes the proofreading detector segment words).
_WARMUP_PAGE = (
    "<html><body><h1>关于做好防汛抗旱工作的通知</h1><p>各县（区）人民政府，市直各部门：为切实做好"
    "今年防汛抗旱工作，确保人民群众生命财产安全，现将有关事项通知如下。全市现在在建水利项目十二个。</p>"
    "<table><tr><th>单位</th><th>完成数</th></tr><tr><td>市水利局</td><td>12</td></tr></table>"
    "</body></html>"
).encode()
_warmed = False


def warm_up(config: ScanConfig) -> None:
    """Load per-process caches once (about a second). Done in the parent before a forked pool
    starts, every worker inherits them instead of building its own, and their memory pages
    stay shared between workers."""
    global _warmed
    if not _warmed:
        scan_bytes(_WARMUP_PAGE, "warmup.html", config)
        _warmed = True


def _init_worker(config: ScanConfig) -> None:
    """Pool initializer: the config is sent once per worker, not with every task."""
    global _WORKER_CONFIG
    _WORKER_CONFIG = config


def _scan_chunk(jobs: list[FileJob]) -> list[FileResult]:
    assert _WORKER_CONFIG is not None
    return [scan_job(job, _WORKER_CONFIG) for job in jobs]


def chunk_size(files: int, workers: int) -> int:
    """Several files per task on big runs, one per task on small ones (so every worker gets
    work and a slow file does not hold back others)."""
    return max(1, min(MAX_CHUNK, files // (workers * 8)))


def _run_pool(
    pending: list[tuple[int, FileJob]],
    config: ScanConfig,
    workers: int,
    finish: Callable[[int, FileJob, FileResult], None],
) -> None:
    """Scan in a process pool, at most `2 × workers` chunks in flight. When a worker dies,
    every task in flight fails with it, so their files become suspects: each is then scanned
    alone (nothing else in flight) in a fresh pool, and only a file that kills its worker on
    its own is reported as a crash — never the batch, never its neighbours."""
    size = chunk_size(len(pending), workers)
    queue: deque[list[tuple[int, FileJob]]] = deque(
        pending[k : k + size] for k in range(0, len(pending), size)
    )
    suspects: deque[tuple[int, FileJob]] = deque()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(config,))

    pool: ProcessPoolExecutor  # bound below, after the warm-up (fork start method)

    def submit(jobs: list[FileJob]):  # noqa: ANN202 - a Future
        nonlocal pool
        try:
            return pool.submit(_scan_chunk, jobs)
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()
            return pool.submit(_scan_chunk, jobs)

    if multiprocessing.get_start_method(allow_none=False) == "fork":
        warm_up(config)
    pool = new_pool()
    inflight: dict = {}
    try:
        while queue or inflight or suspects:
            if suspects and not inflight:
                i, job = suspects.popleft()
                try:
                    res = submit([job]).result()[0]
                except Exception:  # alone in the pool: this file is the culprit
                    from pubguard.isolate import crash_result

                    res = crash_result(job.display, None)
                finish(i, job, res)
                continue
            while queue and not suspects and len(inflight) < workers * 2:
                chunk = queue.popleft()
                inflight[submit([job for _, job in chunk])] = chunk
            if not inflight:
                continue
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in done:
                chunk = inflight.pop(fut)
                try:
                    chunk_results = fut.result()
                except Exception:  # a worker died: sort out which file it was
                    suspects.extend(chunk)
                    continue
                for (i, job), res in zip(chunk, chunk_results, strict=True):
                    finish(i, job, res)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_jobs(
    jobs: Iterable[FileJob],
    config: ScanConfig,
    workers: int = 1,
    cache=None,
    on_result: Callable[[FileResult], None] | None = None,
    boilerplate: bool = True,
    isolate: bool = True,
) -> tuple[list[FileResult], RunStats]:
    """Scan jobs in input order. With a cache, unchanged files are answered from it (matched by
    path/size/mtime/inode without reading them, else by content hash). With `boilerplate`,
    findings in template text repeated across the site are kept on their first page only.
    Without a pool (one worker or one file), files are scanned in one supervised child process
    (`isolate`, pubguard.isolate) so a native crash is that file's error, not the run's end."""
    t0 = time.perf_counter()
    stats = RunStats()
    results: dict[int, FileResult] = {}
    stats_of: dict[int, tuple] = {}  # job index -> (file stat, content hash) seen before the scan

    def finish(i: int, job: FileJob, result: FileResult, from_cache: bool = False) -> None:
        stats.inline_suppressed += result.suppressed
        stats.unused_inline.extend({"path": job.display, "allow": a} for a in result.unused_suppressions)
        if cache is not None and not from_cache:
            cache.put(job.identity, result)
            seen = stats_of.pop(i, None)
            if seen is not None and result.sha256 == seen[1] and result.error_code != "timeout":
                cache.remember_stat(job.identity, job.path, seen[0], seen[1])
        results[i] = result
        stats.files += 1
        if on_result:
            on_result(result)

    pending_cache: list[tuple[int, FileJob]] = []
    indexed = list(enumerate(jobs))
    for i, job in indexed:
        if cache is not None:
            hit = _cached(cache, i, job, stats, stats_of)
            if hit is not None:
                hit.path = job.display
                stats.cached += 1
                finish(i, job, hit, from_cache=True)
                continue
        pending_cache.append((i, job))

    if (workers <= 1 or len(pending_cache) <= 1) and isolate and pending_cache:
        from pubguard.isolate import IsolatedScanner

        with IsolatedScanner(config) as scanner:
            for i, job in pending_cache:
                finish(i, job, scanner.scan_job(job))
    elif workers <= 1 or len(pending_cache) <= 1:
        for i, job in pending_cache:
            finish(i, job, scan_job(job, config))
    else:
        _run_pool(pending_cache, config, workers, finish)
    if cache is not None and hasattr(cache, "commit"):
        cache.commit()
    ordered = [results[i] for i in sorted(results)]
    if boilerplate:
        bp = collapse_boilerplate(ordered)
        stats.boilerplate_collapsed, stats.boilerplate_templates = bp.collapsed, bp.templates
    stats.seconds = time.perf_counter() - t0
    return ordered, stats


def _cached(cache, i: int, job: FileJob, stats: RunStats, stats_of: dict[int, tuple]) -> FileResult | None:
    """Cache lookup: a (path, size, mtime, inode) match trusts the stored content hash without
    reading the file; otherwise the file is hashed, and on a hit its new stat is remembered."""
    from pubguard.site.cache import file_stat

    try:
        st = file_stat(job.path)
    except OSError:
        return None
    known = cache.known_sha256(job.identity, job.path, st) if hasattr(cache, "known_sha256") else None
    if known is not None:
        hit = cache.get(known, job.identity)
        if hit is not None:
            return hit if _stylesheets_unchanged(hit) else None
    try:
        digest = _sha256_file(job.path)
    except OSError:
        return None
    stats.hashed += 1
    hit = cache.get(digest, job.identity)
    if hit is not None and not _stylesheets_unchanged(hit):
        return None  # a linked local sheet changed: the page's colours may have
    if hit is None:
        stats_of[i] = (st, digest)
    elif hasattr(cache, "remember_stat") and digest != known:
        cache.remember_stat(job.identity, job.path, st, digest)
    return hit


def _stylesheets_unchanged(hit: FileResult) -> bool:
    """Every local stylesheet the cached result was computed with still has the same content."""
    return all(file_digest(path) == sha for path, sha in hit.stylesheets.items())


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
