"""Read-only look-ups the web UI needs beyond `ReviewService`'s own readers. Every function
checks that the actor may see the draft with the service's own permission check, so no access
rule is restated here."""

from __future__ import annotations

from sqlalchemy import select

from pubguard.review.errors import NotFound
from pubguard.review.models import Job, Site, Version
from pubguard.review.readmodels import JobStatusView, SiteView, VersionMetaView
from pubguard.review.service import Actor, ReviewService


def version_meta(svc: ReviewService, actor: Actor, version_id: int) -> VersionMetaView:
    """A version's record (without the scan result) plus its latest scan job, if any."""
    with svc.db.read() as s:
        user = svc._user(s, actor)
        version = s.get(Version, version_id)
        if version is None:
            raise NotFound(f"版本不存在：{version_id}。")
        draft = svc._draft(s, version.draft_id)
        svc._can_view(user, draft)
        out = svc._version_dict(version)
        job = s.execute(
            select(Job).where(Job.version_id == version.id).order_by(Job.id.desc()).limit(1)
        ).scalar_one_or_none()
        return {
            **out,
            "job": job.to_dict() if job else None,
            "site": draft.site,
            "current": draft.current_version_id == version.id,
        }


def job_status(svc: ReviewService, actor: Actor, job_id: int) -> JobStatusView:
    """A job with its version's scan status, for someone allowed to see the draft."""
    with svc.db.read() as s:
        job = s.get(Job, job_id)
        if job is None or job.version_id is None:
            raise NotFound(f"任务不存在：{job_id}。")
        version_id = job.version_id
    meta = version_meta(svc, actor, version_id)
    out = meta["job"] if meta["job"] and meta["job"]["id"] == job_id else svc.get_job(job_id)
    return {**out, "draft_id": meta["draft_id"], "scan_status": meta["scan_status"]}


def sites_with_role(svc: ReviewService, actor: Actor, role: str) -> list[SiteView]:
    """Sites where the actor holds `role` (or every site for a global admin)."""
    with svc.db.read() as s:
        user = svc._user(s, actor)
        rows = s.execute(select(Site).order_by(Site.key)).scalars().all()
        return [site.to_dict() for site in rows if role in svc._roles(user, site.key)]
