"""Durable background scan jobs: an upload can return at once and a worker (thread or
process) scans the version later; several workers on PostgreSQL skip each other's rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

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


class JobsMixin(ServiceBase):
    def claim_job(self, worker: str) -> dict[str, Any] | None:
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
            s.flush()
            return job.to_dict()

    def run_job(self, job_id: int, *, scanner: Scanner | None = None) -> dict[str, Any]:
        """Run a claimed scan job: scan outside any transaction, then store the result."""
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            version = s.get(Version, job.version_id) if job.version_id else None
            if version is None:
                raise NotFound("任务对应的版本不存在。")
            sha, filename, draft_id = version.sha256, version.filename, version.draft_id
        try:
            result = self._scan(self.store.get(sha), filename, draft_id, scanner)
        except Exception as exc:  # the job must end up failed or retried, never stuck
            log.exception("scan job %s failed", job_id)
            with self.db.write() as s:
                job = s.get(Job, job_id)
                job.error = f"{type(exc).__name__}"
                job.status = "failed" if job.attempts >= JOB_MAX_ATTEMPTS else "queued"
                job.finished_at = self.now() if job.status == "failed" else None
                s.flush()
                return job.to_dict()
        with self.db.write() as s:
            version = s.get(Version, version.id)
            draft = self._draft(s, draft_id, lock=True)
            self._store_scan(s, draft, version, result)
            job = s.get(Job, job_id)
            job.status = "done"
            job.finished_at = self.now()
            s.flush()
            return job.to_dict()

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

    def get_job(self, job_id: int) -> dict[str, Any]:
        with self.db.read() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"任务不存在：{job_id}。")
            return job.to_dict()
