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


def policy_scanner(data: bytes, name: str, config: object = None, identity: str | None = None):  # type: ignore[no-untyped-def]
    """`fake_scanner`, plus a line `!policy WORD NUMBER` sets the scanner's policy-like signal
    (`info_class.policy`), as the real scanner does for 管理办法 … with a 发文字号."""
    from pubguard.infoclass import InfoClass
    from review.helpers import fake_scanner

    lines = [ln for ln in data.decode("utf-8").splitlines() if not ln.startswith("!policy ")]
    result = fake_scanner("\n".join(lines).encode(), name, config, identity)
    for ln in data.decode("utf-8").splitlines():
        if ln.startswith("!policy "):
            word, number = ln.split(" ")[1:3]
            result.info_class = InfoClass(
                "policy", ["重要政策：测试"], ["测试"], {"word": word, "doc_number": number}
            )
    return result
