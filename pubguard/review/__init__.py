"""The review workflow (三审三校, 先审后发) as a library.

`open_review()` gives a `ReviewService` on the configured database (migrated on open); the
CLI (`pubguard review …`) and the web API call its methods, which hold every rule: roles and
separation of duties, stale-version refusal, finding decisions, the disclosure attribute, the
release gate, publication, withdrawal, archiving and the hash-chained audit log."""

from pubguard.review.errors import (
    Conflict,
    GateClosed,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    PublishFailed,
    ReviewError,
    StaleVersion,
)
from pubguard.review.gate import ATTRIBUTES, ON_REQUEST, PUBLIC, WITHHELD
from pubguard.review.publish import FolderTarget, PublishItem, PublishTarget, WebhookTarget
from pubguard.review.service import ReviewService, TooLargeUpload, draft_identity, open_review
from pubguard.review.settings import ReviewSettings
from pubguard.review.workflow import ROLES, load_workflow

__all__ = [
    "ATTRIBUTES",
    "ON_REQUEST",
    "PUBLIC",
    "ROLES",
    "WITHHELD",
    "Conflict",
    "FolderTarget",
    "GateClosed",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "PermissionDenied",
    "PublishFailed",
    "PublishItem",
    "PublishTarget",
    "ReviewError",
    "ReviewService",
    "ReviewSettings",
    "StaleVersion",
    "TooLargeUpload",
    "WebhookTarget",
    "draft_identity",
    "load_workflow",
    "open_review",
]
