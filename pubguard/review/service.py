"""The review service: every operation of the workflow, with its rules, in one place.

The CLI and the web API call these methods and nothing else, so no rule (who may approve, what
may be released) lives in a route. Each method is one transaction: the state change and its
audit entry commit together or not at all. Methods take the acting user (id or username) first
and return plain dicts (JSON-ready) rather than ORM objects.

Concurrency: writers lock the draft row (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
SQLite) and `Draft.lock_version` guards against lost updates; whoever loses a race gets
`Conflict` with a Chinese message. Actions name the version they were looked at on; a stale
version is refused with `StaleVersion`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pubguard.review.accounts import AccountsMixin
from pubguard.review.annual_report import AnnualReportMixin
from pubguard.review.attachments import AttachmentsMixin
from pubguard.review.base import Actor, Scanner, TooLargeUpload, draft_identity
from pubguard.review.cleancopy import CleanCopyMixin
from pubguard.review.drafts import DraftsMixin
from pubguard.review.duty import DutyMixin
from pubguard.review.findings import FindingsMixin
from pubguard.review.foi import FoiMixin
from pubguard.review.interaction import InteractionMixin
from pubguard.review.interpretation import InterpretationMixin
from pubguard.review.notify import NotifyMixin
from pubguard.review.register import RegisterMixin
from pubguard.review.rekey import RekeyMixin
from pubguard.review.releasing import ReleaseMixin
from pubguard.review.reveal import RevealMixin
from pubguard.review.routes import RoutesMixin
from pubguard.review.scanjobs import JobsMixin
from pubguard.review.settings import ReviewSettings
from pubguard.review.views import ViewsMixin
from pubguard.review.workflow_service import WorkflowMixin

__all__ = ["Actor", "ReviewService", "Scanner", "TooLargeUpload", "draft_identity", "open_review"]


class ReviewService(
    DraftsMixin,
    WorkflowMixin,
    NotifyMixin,
    FindingsMixin,
    AccountsMixin,
    AttachmentsMixin,
    JobsMixin,
    ViewsMixin,
    CleanCopyMixin,
    InteractionMixin,
    RoutesMixin,
    InterpretationMixin,
    DutyMixin,
    RegisterMixin,
    FoiMixin,
    ReleaseMixin,
    AnnualReportMixin,
    RekeyMixin,
    RevealMixin,
):
    """All review operations. Open one with `open_review()`; it is thread-safe (one session
    per call)."""


def open_review(
    database_url: str | None = None,
    data_dir: str | None = None,
    *,
    scanner: Scanner | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> ReviewService:
    """Open (and migrate) the review database: `PUBGUARD_DATABASE_URL` or SQLite under
    `./data` unless given."""
    from pathlib import Path

    settings = ReviewSettings(database_url=database_url)
    if data_dir is not None:
        settings.data_dir = Path(data_dir)
    return ReviewService(settings, scanner=scanner, clock=clock)
