"""Errors of the review layer. Each carries a Chinese message for users, a machine code and
the HTTP status the API should answer with, so routes map them in one place and never
re-decide a rule."""

from __future__ import annotations

from typing import Any

from pubguard.errors import PubGuardError


class ReviewError(PubGuardError):
    code = "review_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message, code=code)
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(ReviewError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ReviewError):
    """The actor lacks the role, or a separation-of-duty rule forbids the action."""

    code = "forbidden"
    http_status = 403


class InvalidInput(ReviewError):
    code = "invalid"
    http_status = 422


class InvalidState(ReviewError):
    """The action does not fit the draft's current state (e.g. approving a draft not in review)."""

    code = "invalid_state"
    http_status = 409


class Conflict(ReviewError):
    """Someone else changed the same thing at the same time; reload and retry."""

    code = "conflict"
    http_status = 409


class StaleVersion(Conflict):
    """The action names a version that is no longer the draft's current version."""

    code = "stale_version"


class GateClosed(ReviewError):
    """The release gate refuses; `details["reasons"]` lists every reason in Chinese."""

    code = "gate_closed"
    http_status = 409


class PublishFailed(ReviewError):
    code = "publish_failed"
    http_status = 502
