"""The unit of work (db.UnitOfWork): one `Database.write()` block is one session and one
transaction; the rows, audit entries and outbox rows of an operation commit together, and an
outbox is handed over only after the commit — never after a rollback. Every write of the review
service and the web API goes through it (no session, engine transaction or session event of
their own)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pubguard.review import ReviewService
from pubguard.review.db import UnitOfWork
from pubguard.review.errors import InvalidInput
from pubguard.review.models import AuditEntry, User
from pubguard.review.models_notify import Notification
from pubguard.review.notify import MAIL_OUTBOX
from review.helpers import new_draft

ROOT = Path(__file__).resolve().parents[2] / "pubguard"


def test_an_outbox_is_handed_over_after_the_commit_only(svc: ReviewService) -> None:
    sent: list[list[str]] = []
    seen_committed: list[int] = []

    def send(items: list[str]) -> None:
        sent.append(items)
        with svc.db.read() as s:  # what was written beside the outbox is committed by now
            seen_committed.append(s.execute(select(func.count()).select_from(User)).scalar_one())

    with svc.db.write() as s:
        uow = UnitOfWork.of(s)
        uow.collect("test", "a", send)
        uow.collect("test", "b", send)
        s.add(User(username="uow_new", display_name="新用户"))
        assert uow.pending("test") == 2 and sent == []  # nothing before the commit
    assert sent == [["a", "b"]]  # one call per outbox, in order
    with svc.db.read() as s:
        users = s.execute(select(func.count()).select_from(User)).scalar_one()
    assert seen_committed == [users]

    sent.clear()
    with pytest.raises(InvalidInput), svc.db.write() as s:
        UnitOfWork.of(s).collect("test", "lost", send)
        s.add(User(username="uow_rolled_back", display_name="回滚"))
        raise InvalidInput("refused")
    assert sent == []  # a rollback sends nothing
    with svc.db.read() as s:
        assert s.execute(select(User).where(User.username == "uow_rolled_back")).first() is None


def test_a_read_session_has_no_unit_of_work(svc: ReviewService) -> None:
    with svc.db.read() as s, pytest.raises(RuntimeError):
        UnitOfWork.of(s)


def test_a_refused_action_leaves_no_row_no_audit_entry_and_no_message(svc: ReviewService) -> None:
    """A rejection refused half-way (to a later step: found after the draft was touched) leaves
    nothing: no change to the draft, no audit entry, no comment, no 消息."""
    d = new_draft(svc)

    def state() -> tuple[int, int, int]:
        with svc.db.read() as s:
            return (
                s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
                s.execute(select(func.count()).select_from(Notification)).scalar_one(),
                svc.get_draft("ed", d["id"])["lock_version"],
            )

    before = state()
    with pytest.raises(InvalidInput):
        svc.reject("p1", d["id"], d["current_version_id"], "第二段日期有误", to_step="review1")
    assert state() == before
    assert svc.get_draft("ed", d["id"])["comments"] == []
    svc.reject("p1", d["id"], d["current_version_id"], "第二段日期有误")
    audit, messages, lock = state()
    assert audit == before[0] + 1 and messages > before[1] and lock > before[2]


def test_mail_waits_in_the_unit_of_works_outbox(svc: ReviewService, monkeypatch) -> None:
    svc.settings.smtp_host = "127.0.0.1"  # only queued: send_mails is replaced below
    sent = threading.Event()
    batches: list[int] = []

    def send_mails(mails: list[tuple[str, str, int, str, str, str]]) -> int:
        batches.append(len(mails))
        sent.set()
        return len(mails)

    monkeypatch.setattr(svc, "send_mails", send_mails)
    with svc.db.write() as s:
        s.execute(select(User).where(User.username == "p1")).scalar_one().email = "p1@example.gov.cn"
    with svc.db.write() as s:
        p1 = s.execute(select(User).where(User.username == "p1")).scalar_one()
        p2 = s.execute(select(User).where(User.username == "p2")).scalar_one()  # no address
        assert svc._notify(s, [p1, p2], "turn", "测试") == 2
        assert UnitOfWork.of(s).pending(MAIL_OUTBOX) == 1 and batches == []
    assert sent.wait(5)  # from a thread, after the commit
    assert batches == [1]


def test_every_write_goes_through_the_unit_of_work() -> None:
    """No module of the review layer or the web API opens a session or an engine transaction
    of its own, or hooks session events: db.py (and the migration runner) do."""
    own = re.compile(r"\bsessionmaker\(|\bSession\(|\.begin\(\)|event\.listen\(|\.connect\(\)")
    allowed = {ROOT / "review" / "db.py", ROOT / "review" / "migrations" / "env.py"}
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for folder in (ROOT / "review", ROOT / "api")
        for p in sorted(folder.rglob("*.py"))
        if p not in allowed
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if own.search(line)
    ]
    assert found == []
