"""Helpers shared by the review tests (imported as `review.helpers`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pubguard.finding import Finding, Location, Severity, assign_fingerprints, evidence_hash
from pubguard.review import ReviewService, ReviewSettings
from pubguard.scan import Disclosure, FileResult

SITE = "gov"


class Clock:
    """A settable clock so deadlines and timestamps are deterministic."""

    def __init__(self, now: dt.datetime):
        self.value = now

    def __call__(self) -> dt.datetime:
        return self.value

    def advance(self, **kw: float) -> None:
        self.value += dt.timedelta(**kw)


def fake_scanner(data: bytes, name: str, config: object = None, identity: str | None = None) -> FileResult:
    """A stand-in scanner for tests that need exact findings: each line
    `!<severity> <category> <rule> <evidence>` of the file becomes one finding; a line
    `!disclosure <attribute>` sets the proposed attribute. Fingerprints are assigned with the
    same function the real scanner uses, from the draft identity."""
    findings: list[Finding] = []
    disclosure = Disclosure()
    for line in data.decode("utf-8").splitlines():
        if line.startswith("!disclosure "):
            disclosure = Disclosure(line.split(" ", 1)[1].strip(), ["测试"], ["《政府信息公开条例》"])
        elif line.startswith("!"):
            sev, category, rule, evidence = line[1:].split(" ", 3)
            findings.append(
                Finding(
                    category=category,
                    rule=rule,
                    severity=Severity(sev),
                    message=f"测试发现：{rule}",
                    evidence=evidence,
                    location=Location(page=1),
                    evidence_hash=evidence_hash(evidence),
                )
            )
    assign_fingerprints(findings, identity or name)
    return FileResult(path=name, format="txt", pages=1, findings=findings, disclosure=disclosure)


USERS = {
    "ed": ["editor"],
    "ed2": ["editor"],
    "p1": ["proofreader"],
    "p2": ["proofreader"],
    "p3": ["proofreader"],
    "r1": ["reviewer1"],
    "r1b": ["reviewer1"],
    "r2": ["reviewer2"],
    "r3": ["reviewer3"],
    "multi": ["reviewer1", "reviewer2", "reviewer3"],
    "pub": ["publisher"],
    "adm": ["admin"],
}

# Who approves each step in the happy path.
APPROVERS = {
    "proof1": "p1",
    "review1": "r1",
    "proof2": "p2",
    "review2": "r2",
    "proof3": "p3",
    "readthrough": "p1",
    "review3": "r3",
}


CLEAN = "关于做好春季农业生产工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。\n"


def new_draft(
    svc: ReviewService,
    text: str = CLEAN,
    *,
    important: bool = False,
    disclosure: str | None = "主动公开",
    submit: bool = True,
    user: str = "ed",
) -> dict:
    d = svc.create_draft(
        user,
        SITE,
        "春季农业生产通知",
        column="通知公告",
        data=text.encode(),
        filename="notice.txt",
        important=important,
    )
    if disclosure:
        basis = "" if disclosure == "主动公开" else "《政府信息公开条例》第十六条"
        reason = "" if disclosure == "主动公开" else "内部事务信息"
        svc.set_disclosure(user, d["id"], disclosure, basis=basis, reason=reason)
    if submit:
        svc.submit(user, d["id"])
    return svc.get_draft(user, d["id"])


def approve_through(svc: ReviewService, draft_id: int, until: str | None = None) -> dict:
    """Approve steps in order with the default approvers, stopping before step `until`."""
    d = svc.get_draft("ed", draft_id)
    while d["active_step"] is not None and d["active_step"]["key"] != until:
        key = d["active_step"]["key"]
        d = svc.approve(APPROVERS[key], draft_id, d["current_version_id"], step_key=key)
    return d


def make_service(db_url: str, data_dir: Path, clock: Clock, scanner=fake_scanner) -> ReviewService:
    return ReviewService(ReviewSettings(data_dir=data_dir, database_url=db_url), scanner=scanner, clock=clock)


def database_text(svc: ReviewService) -> str:
    """Every value of every table, as text: what a database dump would show."""
    import json

    import sqlalchemy as sa

    from pubguard.review.models import Base

    out = []
    with svc.db.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(sa.select(table)).all():
                out.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(out)
