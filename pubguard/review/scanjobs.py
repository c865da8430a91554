"""Durable background scan jobs: an upload can return at once and a worker (thread or
process) scans the version later; several workers on PostgreSQL skip each other's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from pubguard import progress
from pubguard.review import base
from pubguard.review.base import (
    JOB_MAX_ATTEMPTS,
    JOB_STALE_AFTER,
    Scanner,
    ServiceBase,
    log,
)
from pubguard.review.errors import (
    NotFound,
)
from pubguard.review.models import (
    Job,
    Version,
)
from pubguard.review.readmodels import JobView

if TYPE_CHECKING:
    pass


class JobsMixin(ServiceBase):
    def claim_job(self, worker: str) -> JobView | None:
        """Take the oldest queued job (or one left running by a dead worker). Several workers
        on PostgreSQL skip each other's rows (FOR UPDATE SKIP LOCKED)."""
        with self.db.write() as s:
            now = self.now()
            stmt = (
                select(Job)
                .where(
                    or_(
                        Job.status == "queued",
                        (Job.status == "running") & (Job.locked_at < now - JOB_STALE_AFTER),
                    )
                )
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            job = s.execute(stmt).scalar_one_or_none()
            if job is None:
                return None
            job.status = "running"
            job.locked_by = worker
            job.locked_at = now
            job.attempts += 1
            job.pages_done = job.pages_total = job.pages_stage = None  # a retry starts again
            s.flush()
            return job.to_dict()

    def run_job(self, job_id: int, *, scanner: Scanner | None = None) -> JobView:
        """Run a claimed scan job: scan outside any transaction, then store the result."""
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            version = s.get(Version, job.version_id) if job.version_id else None
            if version is None:
                raise NotFound("任务对应的版本不存在。")
            sha, filename, draft_id = version.sha256, version.filename, version.draft_id
            locked_by = job.locked_by
        throttle = progress.Throttle(base.JOB_PROGRESS_SECONDS)

        def on_pages(done: int, total: int, stage: str) -> None:
            if throttle.due(done, total, stage):
                self._job_pages(job_id, locked_by, done, total, stage)

        try:
            with progress.page_progress(on_pages):
                result = self._scan(self.store.get(sha), filename, draft_id, scanner)
        except Exception as exc:  # the job must end up failed or retried, never stuck
            log.exception("scan job %s failed", job_id)
            with self.db.write() as s:
                job = s.get_one(Job, job_id)
                job.error = f"{type(exc).__name__}"
                job.status = "failed" if job.attempts >= JOB_MAX_ATTEMPTS else "queued"
                job.finished_at = self.now() if job.status == "failed" else None
                s.flush()
                return job.to_dict()
        with self.db.write() as s:
            version = s.get_one(Version, version.id)
            draft = self._draft(s, draft_id, lock=True)
            self._store_scan(s, draft, version, result)
            job = s.get_one(Job, job_id)
            job.status = "done"
            job.finished_at = self.now()
            if job.pages_total is not None:
                job.pages_done = job.pages_total
                job.pages_stage = None
            s.flush()
            return job.to_dict()

    def _job_pages(self, job_id: int, locked_by: str | None, done: int, total: int, stage: str) -> None:
        """Store a running job's page progress; also refreshes its lock, so a long scan that
        keeps reading pages is not taken over as stale. A job taken over by another worker
        meanwhile is left alone."""
        try:
            with self.db.write() as s:
                job = s.get(Job, job_id)
                if job is None or job.status != "running" or job.locked_by != locked_by:
                    return
                job.pages_done, job.pages_total, job.pages_stage = done, total, stage
                job.locked_at = self.now()
        except Exception:  # progress is best effort; the scan goes on
            log.warning("could not store page progress of job %s", job_id, exc_info=True)

    def run_pending_jobs(
        self, worker: str = "worker", *, limit: int | None = None, scanner: Scanner | None = None
    ) -> int:
        done = 0
        while limit is None or done < limit:
            job = self.claim_job(worker)
            if job is None:
                break
            self.run_job(job["id"], scanner=scanner)
            done += 1
        return done

    def get_job(self, job_id: int) -> JobView:
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            return job.to_dict()
