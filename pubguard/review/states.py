"""Typed states of the review layer and the one table of draft transitions.

The enum values are the strings stored in the database (and returned by the API), so code that
still compares with "in_review" keeps working; the database refuses any other value through CHECK
constraints (migration i12_state_checks).

A draft changes status only through `apply(draft, event)`: the table says from which statuses an
event is allowed and where it leads, and `guard(draft, event)` refuses it with the Chinese message
users see. Conditions beyond the status (roles, separation of duties, scans, the release gate)
stay with the service method that handles the event.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pubguard import labels


class DraftStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"  # every step approved on the current version: 待发布
    RELEASED = "released"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


class StepStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"


class FindingStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    ACCEPTED = "accepted"
    FIXED = "fixed"


class ScanStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    ERROR = "error"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DraftEvent(StrEnum):
    SUBMIT = "submit"  # 送审 (first time, after a return or a withdrawal)
    RECALL = "recall"  # 撤回送审
    RETURN = "return"  # 退回编辑
    STEPS_DONE = "steps_done"  # the last step approved the current version
    STEPS_OPEN = "steps_open"  # a step is pending again (reopened, new version)
    NEW_VERSION = "new_version"  # a new version of an approved / released / withdrawn draft
    RELEASE = "release"
    WITHDRAW = "withdraw"  # 撤稿
    ARCHIVE = "archive"


S = DraftStatus
# (event, from) -> to. One row per allowed transition; anything else is refused.
TRANSITIONS: dict[tuple[DraftEvent, DraftStatus], DraftStatus] = {
    (DraftEvent.SUBMIT, S.DRAFT): S.IN_REVIEW,
    (DraftEvent.SUBMIT, S.WITHDRAWN): S.IN_REVIEW,
    (DraftEvent.RECALL, S.IN_REVIEW): S.DRAFT,
    (DraftEvent.RECALL, S.APPROVED): S.DRAFT,
    (DraftEvent.RETURN, S.IN_REVIEW): S.DRAFT,
    (DraftEvent.STEPS_DONE, S.IN_REVIEW): S.APPROVED,
    (DraftEvent.STEPS_DONE, S.APPROVED): S.APPROVED,
    (DraftEvent.STEPS_OPEN, S.IN_REVIEW): S.IN_REVIEW,
    (DraftEvent.STEPS_OPEN, S.APPROVED): S.IN_REVIEW,
    (DraftEvent.NEW_VERSION, S.APPROVED): S.IN_REVIEW,
    (DraftEvent.NEW_VERSION, S.RELEASED): S.IN_REVIEW,
    (DraftEvent.NEW_VERSION, S.WITHDRAWN): S.DRAFT,
    (DraftEvent.RELEASE, S.APPROVED): S.RELEASED,
    (DraftEvent.RELEASE, S.RELEASED): S.RELEASED,
    (DraftEvent.WITHDRAW, S.RELEASED): S.WITHDRAWN,
    (DraftEvent.ARCHIVE, S.DRAFT): S.ARCHIVED,
    (DraftEvent.ARCHIVE, S.APPROVED): S.ARCHIVED,
    (DraftEvent.ARCHIVE, S.WITHDRAWN): S.ARCHIVED,
}

STATUS_LABELS: dict[str, str] = labels.DRAFT_STATUS  # keyed by DraftStatus (a str); one home: pubguard.labels
# What the refusal says after 稿件状态为「…」，
REFUSALS = {
    DraftEvent.SUBMIT: "不能送审。",
    DraftEvent.RECALL: "无需撤回。",
    DraftEvent.RETURN: "不在审核中。",
    DraftEvent.ARCHIVE: "不能归档。",
    DraftEvent.RELEASE: "只有全部审核通过的稿件才能发布。",
    DraftEvent.WITHDRAW: "不能撤稿。",
}


class _HasStatus(Protocol):
    status: str


def allowed(event: DraftEvent, status: str) -> bool:
    return (event, DraftStatus(status)) in TRANSITIONS


def target(event: DraftEvent, status: str) -> DraftStatus | None:
    """Where `event` leads from `status` (None: not allowed)."""
    return TRANSITIONS.get((event, DraftStatus(status)))


def guard(draft: _HasStatus, event: DraftEvent) -> None:
    """Refuse `event` when the draft's status does not allow it (InvalidState, Chinese)."""
    if not allowed(event, draft.status):
        from pubguard.review.errors import InvalidState

        label = STATUS_LABELS.get(DraftStatus(draft.status), draft.status)
        raise InvalidState(f"稿件状态为「{label}」，{REFUSALS.get(event, '不能进行此操作。')}")


def apply(draft: _HasStatus, event: DraftEvent) -> DraftStatus:
    """Move the draft along the table (guarded); returns the new status."""
    guard(draft, event)
    new = TRANSITIONS[(event, DraftStatus(draft.status))]
    draft.status = new
    return new


def check_constraint(column: str, enum: type[StrEnum]) -> str:
    """SQL of the CHECK constraint that keeps `column` to the enum's values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in enum)})"


__all__ = [
    "DraftEvent",
    "DraftStatus",
    "FindingStatus",
    "JobStatus",
    "STATUS_LABELS",
    "ScanStatus",
    "StepStatus",
    "TRANSITIONS",
    "allowed",
    "apply",
    "check_constraint",
    "guard",
    "target",
]
