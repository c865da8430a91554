"""Typed read models of the review service: the shape of what it returns to the API, the
web UI and the CLI. They are TypedDicts, so the values stay plain JSON-ready dicts at run
time (the API's response models and the templates read them unchanged) while mypy checks
every key that producers write and consumers read.

Add a key here first, then in the function that builds the view (views.py)."""

from __future__ import annotations

from typing import Any, TypedDict


class StepView(TypedDict):
    """One step of a draft's workflow (`ViewsMixin._step_dict`)."""

    key: str
    name: str
    kind: str  # review | proofread
    role: str
    role_label: str
    level: int | None
    status: str  # a states.StepStatus value
    active: bool
    version_id: int | None
    assignee: str | None
    assignee_id: int | None
    approved_by: str | None
    approved_by_id: int | None
    approved_at: str | None  # ISO 8601
    comment: str
    carried: bool
    confirms_disclosure: bool


class FindingView(TypedDict):
    """One finding row of a version, with its decision (`ViewsMixin._finding_dict`)."""

    id: int
    draft_id: int
    version_id: int
    fingerprint: str
    category: str
    rule: str
    severity: str
    message: str
    evidence: str  # masked by the detector
    location: dict[str, Any] | None
    page: int | None
    suggestion: str
    basis: str
    confidence: float
    block_kind: str | None
    details: dict[str, Any]
    status: str  # a states.FindingStatus value
    status_label: str
    decision: str | None
    decision_reason: str
    decision_level: int | None
    decided_by: str | None
    decided_at: str | None  # ISO 8601
    carried_over: bool
    confirmed_by: str | None
    confirmed_at: str | None  # ISO 8601
    fixed_in_version_id: int | None
