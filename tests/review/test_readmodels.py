"""The typed read models (pubguard/review/readmodels.py) against what the service really
returns: every key in the order the builder writes it (the API's JSON keeps that order) and
every value of the declared type (pydantic, strict). A key added to, dropped from or retyped
in a builder without its read model fails here."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from pubguard.review import ReviewService
from pubguard.review.queries import job_status, sites_with_role, version_meta
from pubguard.review.readmodels import (
    AttachmentView,
    AuditLogEntryView,
    CommentView,
    DraftDetailView,
    DraftSummaryView,
    FindingView,
    GateView,
    InfoClassDefView,
    JobStatusView,
    JobView,
    NotificationView,
    PrecisionRow,
    ReconcileView,
    ReleaseView,
    SessionUserView,
    SiteView,
    StepView,
    UserView,
    VersionMetaView,
)
from review.helpers import CLEAN, approve_through, new_draft

WITH_ID = "!high personal_data id_card 11**************1234\n!medium proofreading repeated 的的\n" + CLEAN


def keys(view: type) -> list[str]:
    """The keys of a TypedDict in declaration order (a subclass: its base's keys first)."""
    return list(view.__annotations__)


def check(view: type, value: Any) -> None:
    """`value` has exactly `view`'s keys, in its order, each of the declared type."""
    assert list(value) == keys(view), f"{view.__name__}: keys differ"
    TypeAdapter(view).validate_python(value, strict=True)


@pytest.fixture
def released(svc: ReviewService) -> tuple[int, list[DraftSummaryView]]:
    """A draft that went the whole way, with every optional block filled at some point:
    a finding decided, a comment, a return with its reason, a second version, the release.
    Returns its id and the summaries the workflow actions answered with."""
    d = new_draft(svc, WITH_ID)
    did = d["id"]
    answers: list[DraftSummaryView] = []
    fid = next(f["id"] for f in d["findings"] if f["rule"] == "repeated")
    svc.decide_finding("p1", fid, "confirmed")
    svc.add_comment("p1", did, "请核对第二段")
    answers.append(svc.reject("p1", did, d["current_version_id"], "身份证号须删除"))
    svc.upload_version("ed", did, "v2.txt", CLEAN.encode())
    answers.append(svc.submit("ed", did))
    approve_through(svc, did)
    svc.release("pub", did)
    return did, answers


def test_draft_detail_and_summary_match_their_read_models(svc: ReviewService, released) -> None:
    did, answers = released
    d = svc.get_draft("ed", did)
    check(DraftDetailView, d)
    assert d["releases"] and d["comments"] and d["versions"] and d["findings"]  # the lists were checked
    for st in d["steps"]:
        check(StepView, st)
    for f in d["findings"]:
        check(FindingView, f)
    for c in d["comments"]:
        check(CommentView, c)
    for r in d["releases"]:
        check(ReleaseView, r)
    check(GateView, d["gate"])
    for summary in [*answers, *svc.list_drafts("ed")]:
        check(DraftSummaryView, summary)
    returned = answers[0]
    assert returned["last_rejection"] is not None and returned["last_rejection"]["body"] == "身份证号须删除"
    assert returned["deadline"] is not None and returned["info_class"] is not None


def test_the_other_read_models(svc: ReviewService, released) -> None:
    did, _ = released
    check(GateView, svc.check_release(did))
    d = svc.get_draft("ed", did)
    assert d["current_version_id"] is not None
    check(VersionMetaView, version_meta(svc, "ed", d["current_version_id"]))
    check(CommentView, svc.add_comment("ed", did, "已按意见修改"))
    check(DraftSummaryView, svc.withdraw("pub", did, "内容有误"))
    check(ReconcileView, svc.reconcile())
    entries = svc.audit_log("ed", draft_id=did)
    assert any(e["step_name"] for e in entries) and any(e["what"] for e in entries)
    for e in [*entries, *svc.audit_log("root", limit=50)]:
        check(AuditLogEntryView, e)
    rows = svc.detector_precision()
    assert any(r["decided"] for r in rows)
    for row in rows:
        check(PrecisionRow, row)
    classes = svc.info_classes()
    assert classes
    for c in classes:
        check(InfoClassDefView, c)


def test_accounts_sites_jobs_messages_and_attachments(svc: ReviewService) -> None:
    check(UserView, svc.get_user("ed"))
    for u in svc.list_users():
        check(UserView, u)
    user = svc.resolve_token(svc.issue_token("ed", kind="api"))
    assert user is not None and user["token_kind"] == "api"
    check(SessionUserView, user)
    for site in [*svc.list_sites(), *sites_with_role(svc, "ed", "editor")]:
        check(SiteView, site)
    d = svc.create_draft("ed", "gov", "排队的稿件", data=CLEAN.encode(), filename="a.txt", scan=False)
    job = svc.claim_job("test")
    assert job is not None
    check(JobView, job)
    check(JobView, svc.run_job(job["id"]))
    check(JobView, svc.get_job(job["id"]))
    check(JobStatusView, job_status(svc, "ed", job["id"]))
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    notes = svc.list_notifications("p1")
    assert notes
    for n in notes:
        check(NotificationView, n)
    check(AttachmentView, svc.add_attachment("ed", d["id"], "附件.txt", WITH_ID.encode()))
    (att,) = svc.list_attachments("ed", d["id"])
    check(AttachmentView, att)
    assert att["findings"] and att["blocking"] == 1


def test_the_check_fails_on_a_missing_extra_or_retyped_key(svc: ReviewService) -> None:
    d = new_draft(svc, submit=False)
    summary = next(s for s in svc.list_drafts("ed") if s["id"] == d["id"])
    check(DraftSummaryView, summary)
    missing = {k: v for k, v in summary.items() if k != "lock_version"}
    with pytest.raises(AssertionError):
        check(DraftSummaryView, missing)
    with pytest.raises(AssertionError):
        check(DraftSummaryView, {**summary, "surprise": 1})
    with pytest.raises(ValidationError):
        check(DraftSummaryView, {**summary, "id": str(summary["id"])})
    with pytest.raises(ValidationError):  # nested blocks are checked too
        check(DraftSummaryView, {**summary, "disclosure": {**summary["disclosure"], "basis": None}})
