"""Typed review states: one transition table with guards, and CHECK constraints in the database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from pubguard.review import states
from pubguard.review.db import Database
from pubguard.review.errors import InvalidState
from pubguard.review.states import TRANSITIONS, DraftEvent, DraftStatus
from review.helpers import new_draft


@dataclass
class _Draft:
    status: str


def test_values_are_the_stored_strings() -> None:
    assert [str(s) for s in DraftStatus] == [
        "draft",
        "in_review",
        "approved",
        "released",
        "withdrawn",
        "archived",
    ]
    assert DraftStatus.IN_REVIEW == "in_review"  # code comparing with plain strings keeps working


@pytest.mark.parametrize(("key", "to"), list(TRANSITIONS.items()), ids=lambda v: str(v))
def test_every_row_of_the_table_applies(key: tuple[DraftEvent, DraftStatus], to: DraftStatus) -> None:
    event, start = key
    draft = _Draft(str(start))
    assert states.apply(draft, event) == to and draft.status == to


@pytest.mark.parametrize(
    ("status", "event", "message"),
    [
        ("in_review", DraftEvent.SUBMIT, "稿件状态为「审核中」，不能送审。"),
        ("released", DraftEvent.ARCHIVE, "稿件状态为「已发布」，不能归档。"),
        ("draft", DraftEvent.RECALL, "稿件状态为「草稿」，无需撤回。"),
        ("archived", DraftEvent.RELEASE, "稿件状态为「已归档」，只有全部审核通过的稿件才能发布。"),
        ("withdrawn", DraftEvent.WITHDRAW, "稿件状态为「已撤稿」，不能撤稿。"),
    ],
)
def test_guard_refuses_with_the_users_message(status: str, event: DraftEvent, message: str) -> None:
    draft = _Draft(status)
    with pytest.raises(InvalidState) as info:
        states.apply(draft, event)
    assert info.value.message == message and draft.status == status


def test_archived_is_final() -> None:
    assert not [k for k in TRANSITIONS if k[1] == DraftStatus.ARCHIVED]


@pytest.mark.parametrize(
    ("table", "column"),
    [("drafts", "status"), ("draft_steps", "status"), ("findings", "status"), ("versions", "scan_status")],
)
def test_database_refuses_unknown_states(db_url: str, table: str, column: str) -> None:
    db = Database(db_url)
    try:
        db.migrate()
        with db.write_engine.connect() as conn:
            constraints = sa.inspect(conn).get_check_constraints(table)
        (check,) = [c for c in constraints if c["name"] == f"ck_{table}_{column}"]
        assert (
            "'in_review'" in check["sqltext"]
            or "'pending'" in check["sqltext"]
            or "'open'" in check["sqltext"]
        )
    finally:
        db.dispose()


def test_database_refuses_an_unknown_draft_status(svc) -> None:
    d = new_draft(svc)
    assert d["status"] == "in_review"
    with pytest.raises(sa.exc.IntegrityError), svc.db.write() as s:
        s.execute(sa.text("UPDATE drafts SET status = 'published' WHERE id = :id"), {"id": d["id"]})
    with svc.db.write() as s:  # a known status passes the same constraint
        s.execute(sa.text("UPDATE drafts SET status = 'draft' WHERE id = :id"), {"id": d["id"]})
