"""Users of the other organisations' steps (分级审批) for the route, 解读 and duty tests."""

from __future__ import annotations

from pubguard.review import ReviewService
from pubguard.review.models import RoleGrant, User
from review.helpers import APPROVERS, SITE

EXTRA_USERS = {"gov1": ["gov_office"], "sup1": ["superior"], "duty1": ["publisher"], "duty2": ["admin"]}
ROUTE_APPROVERS = {**APPROVERS, "gov_office": "gov1", "superior": "sup1"}


def add_route_users(svc: ReviewService) -> None:
    with svc.db.write() as s:
        for name, roles in EXTRA_USERS.items():
            s.add(
                User(username=name, display_name=name, grants=[RoleGrant(site=SITE, role=r) for r in roles])
            )


def approve_route(svc: ReviewService, draft_id: int, until: str | None = None) -> dict:
    """Approve the draft's steps in order (whatever its route), stopping before `until`."""
    d = svc.get_draft("ed", draft_id)
    while d["active_step"] is not None and d["active_step"]["key"] != until:
        key = d["active_step"]["key"]
        d = svc.approve(ROUTE_APPROVERS[key], draft_id, d["current_version_id"], step_key=key)
    return d
