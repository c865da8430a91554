"""Scale-out on Dask distributed (an existing engine, not a home-made one).

`pubguard scan SITE --scheduler tcp://host:8786` sends files to the cluster's workers in bounded
batches and merges their results into one report. Workers need PubGuard installed and the files
reachable under the same path (a shared mount, or run the scan from a folder every worker sees).

Several machines:
    machine A:  dask scheduler                      # listens on tcp://A:8786
    each node:  dask worker tcp://A:8786 --nworkers 2 --nthreads 1
    anywhere:   pubguard scan /mnt/site --scheduler tcp://A:8786 --format html -o report.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pubguard.config import ScanConfig
from pubguard.scan import FileResult
from pubguard.site.boilerplate import collapse_boilerplate
from pubguard.site.runner import FileJob, scan_job


def _scan_batch(batch: list[FileJob], config: ScanConfig, isolate: bool = True) -> list[FileResult]:
    """On a Dask worker: each file in the thread's supervised child process (pubguard.isolate),
    so a native crash is that file's error instead of killing the worker (and, after Dask's
    retries on other workers, the whole batch)."""
    if not isolate:
        return [scan_job(job, config) for job in batch]
    from pubguard.isolate import thread_scanner

    scanner = thread_scanner(config)
    return [scanner.scan_job(job, config) for job in batch]


def run_jobs_dask(
    jobs: Iterable[FileJob],
    config: ScanConfig,
    scheduler: str | object,
    batch_size: int = 32,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Scan jobs on a Dask cluster; `scheduler` is an address or an existing `Client`/cluster.
    Results come back in input order; at most a few batches per worker are in flight."""
    from distributed import Client, as_completed

    own_client = False
    if isinstance(scheduler, Client):
        client = scheduler
    else:
        client = Client(scheduler)
        own_client = True
    try:
        jobs = list(jobs)
        batches = [jobs[i : i + batch_size] for i in range(0, len(jobs), batch_size)]
        cfg = client.scatter(config, broadcast=True)
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        limit = workers * 2
        results: dict[int, list[FileResult]] = {}
        it = iter(enumerate(batches))
        futures = {}
        for idx, batch in it:
            futures[client.submit(_scan_batch, batch, cfg, pure=False)] = idx
            if len(futures) >= limit:
                break
        ac = as_completed(list(futures))
        for fut in ac:
            idx = futures.pop(fut)
            try:
                batch_results = fut.result()
            except Exception as exc:  # a lost worker fails its batch, never the run
                batch_results = [
                    FileResult(
                        path=j.display,
                        status="error",
                        error_code="native_crash",
                        error=f"分布式检查节点出错（{type(exc).__name__}）。",
                    )  # fmt: skip
                    for j in batches[idx]
                ]
            results[idx] = batch_results
            if on_result:
                for r in batch_results:
                    on_result(r)
            nxt = next(it, None)
            if nxt is not None:
                new = client.submit(_scan_batch, nxt[1], cfg, pure=False)
                futures[new] = nxt[0]
                ac.add(new)
        merged = [r for i in sorted(results) for r in results[i]]
        collapse_boilerplate(merged)  # template findings once, as in a local run
        return merged
    finally:
        if own_client:
            client.close()
