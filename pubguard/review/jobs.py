"""Workers for the durable scan jobs (the `jobs` table; claiming and running are
`ReviewService.claim_job` / `run_job`).

A worker is a thread that claims the oldest queued job, runs it and loops; it sleeps on an event
between polls so an upload can wake it at once. The web service starts a pool with the app and
`pubguard worker` runs one in its own process; on PostgreSQL several pools share the queue
through `FOR UPDATE SKIP LOCKED`.

Restart safety: a job is marked `running` with `locked_by = host:pid:thread`. When a pool
starts, jobs of this host whose process is gone (or whose pid is our own: a previous life of
this pid) go back to `queued` at once; jobs of other hosts are taken over by `claim_job` once
their lock is older than its stale limit."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from pubguard.review.models import Job
from pubguard.review.service import ReviewService

log = logging.getLogger("pubguard.review.jobs")

HOST = socket.gethostname()[:60]
DUTY_CHECK_SECONDS = 600.0
DEADLINE_CHECK_SECONDS = 600.0  # 公开时限 消息 sweep (pubguard.review.notify)


def worker_name(thread: str = "") -> str:
    return f"{HOST}:{os.getpid()}:{thread or threading.current_thread().name}"[:100]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def requeue_orphans(svc: ReviewService) -> int:
    """Put back jobs left `running` by a dead process of this host; returns how many."""
    me = os.getpid()
    count = 0
    with svc.db.write() as s:
        for job in s.execute(select(Job).where(Job.status == "running")).scalars():
            host, _, rest = (job.locked_by or "").partition(":")
            pid_text = rest.split(":", 1)[0]
            if host != HOST or not pid_text.isdigit():
                continue
            pid = int(pid_text)
            if pid == me or not _pid_alive(pid):
                job.status = "queued"
                job.locked_by = None
                job.locked_at = None
                count += 1
    if count:
        log.info("re-queued %d scan job(s) left running by a dead process", count)
    return count


def startup_recovery(svc: ReviewService) -> None:
    """What every process does when it starts: re-queue scans of dead workers, settle
    interrupted releases and sweep stray temporary files (`ReviewService.reconcile`)."""
    requeue_orphans(svc)
    try:
        svc.reconcile()
    except Exception:  # never keep the service from starting; the next start retries
        log.exception("start-up reconcile failed")


class WorkerPool:
    """`threads` worker threads over one service. `notify()` wakes them (e.g. after an upload)."""

    def __init__(
        self,
        svc: ReviewService,
        threads: int = 1,
        *,
        poll_seconds: float = 2.0,
        scanner: Callable[..., Any] | None = None,
        duty: bool = False,
    ):
        self.svc = svc
        self.duty = duty  # 值班读网: also run each site's daily re-scan once a day (`duty_tick`)
        self._duty_checked = 0.0
        self._deadline_checked = -DEADLINE_CHECK_SECONDS  # first idle moment: sweep at once
        self.threads = max(0, threads)
        self.poll_seconds = poll_seconds
        self.scanner = scanner
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._pending_wakes = 0
        self._workers: list[threading.Thread] = []
        self.processed = 0

    def start(self) -> WorkerPool:
        startup_recovery(self.svc)
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, name=f"scan-worker-{i + 1}", daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def notify(self) -> None:
        with self._wake:
            self._pending_wakes += 1
            self._wake.notify_all()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the jobs in hand finish (a killed process is covered by requeue_orphans)."""
        self._stop.set()
        self.notify()
        for t in self._workers:
            t.join(timeout)
        self._workers.clear()

    def deadline_tick(self) -> None:
        """When idle, at most every DEADLINE_CHECK_SECONDS: 消息 for 公开时限 close or past."""
        import time

        if time.monotonic() - self._deadline_checked < DEADLINE_CHECK_SECONDS:
            return
        self._deadline_checked = time.monotonic()
        try:
            self.svc.notify_deadlines()
        except Exception:
            log.exception("deadline notifications failed")

    def duty_tick(self, scanner: Callable[..., Any] | None = None) -> None:
        """When idle, at most every DUTY_CHECK_SECONDS: the daily re-scan of sites not yet run today."""
        import time

        if not self.duty or time.monotonic() - self._duty_checked < DUTY_CHECK_SECONDS:
            return
        self._duty_checked = time.monotonic()
        try:
            self.svc.run_duty(only_if_due=True, scanner=scanner)
        except Exception:
            log.exception("daily duty re-scan failed")

    def _isolated(self) -> tuple[Callable[..., Any], Any]:
        """The scanner a worker thread uses: the injected one, else its own supervised child
        process (pubguard.isolate), so a file that crashes a native library fails its job
        with a Chinese message instead of killing the web service or `pubguard worker`."""
        if self.scanner is not None:
            return self.scanner, None
        from pubguard.isolate import IsolatedScanner

        own = IsolatedScanner(self.svc.settings.scan_config)
        return own, own

    def _loop(self) -> None:
        name = worker_name()
        scanner, own = self._isolated()
        try:
            self._serve(name, scanner)
        finally:
            if own is not None:
                own.close()

    def _serve(self, name: str, scanner: Callable[..., Any]) -> None:
        while not self._stop.is_set():
            try:
                job = self.svc.claim_job(name)
            except Exception:  # database briefly unavailable: retry after a pause
                log.exception("could not claim a job")
                job = None
            if job is None:
                self.duty_tick(scanner)
                self.deadline_tick()
                with self._wake:
                    if self._pending_wakes == 0 and not self._stop.is_set():
                        self._wake.wait(self.poll_seconds)
                    self._pending_wakes = 0
                continue
            try:
                self.svc.run_job(job["id"], scanner=scanner)
                self.processed += 1
            except Exception:  # run_job records failures itself; this is a last resort
                log.exception("scan job %s crashed", job["id"])

    def run_until_empty(self) -> int:
        """Run queued jobs in the calling thread until none is left (tests, `--once`)."""
        startup_recovery(self.svc)
        scanner, own = self._isolated()
        try:
            return self.svc.run_pending_jobs(worker_name(), scanner=scanner)
        finally:
            if own is not None:
                own.close()
