"""Working-day deadlines on the official calendar (holidays and make-up working days)."""

from __future__ import annotations

import datetime as dt

from pubguard.review.deadlines import add_working_days, compute_deadline, is_workday, working_days_between
from review.helpers import new_draft

D = dt.date


def test_calendar_knows_2026_holidays_and_makeup_days():
    assert is_workday(D(2026, 2, 16)) == (False, False)  # Spring Festival, a Monday
    assert is_workday(D(2026, 2, 14)) == (True, False)  # make-up working Saturday
    assert is_workday(D(2026, 10, 1)) == (False, False)
    assert is_workday(D(2026, 3, 7)) == (False, False)  # ordinary Saturday


def test_add_working_days_skips_spring_festival():
    # Fri 13 Feb 2026 + 3 working days: Sat 14 (make-up day), then 15-23 holiday, Tue 24, Wed 25
    assert add_working_days(D(2026, 2, 13), 3) == (D(2026, 2, 25), False)
    assert add_working_days(D(2026, 3, 2), 20) == (D(2026, 3, 30), False)


def test_working_days_between_is_signed():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 9)) == (5, False)
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 2)) == (-5, False)
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == (0, False)


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    due, approx = add_working_days(D(2026, 12, 30), 3)
    assert approx and due == D(2027, 1, 4)  # Thu 31 Dec, Fri 1 Jan (no data: counted), Mon 4 Jan


def test_compute_deadline_kinds():
    normal = compute_deadline(D(2026, 3, 2), D(2026, 3, 2))
    assert (normal.kind, normal.limit_days, normal.due, normal.remaining, normal.overdue) == (
        "normal",
        20,
        D(2026, 3, 30),
        20,
        False,
    )
    imp = compute_deadline(D(2026, 3, 2), D(2026, 3, 6), important=True)
    assert imp.due == D(2026, 3, 5) and imp.overdue and imp.remaining == -1
    assert "已超期 1 个工作日" in imp.text
    change = compute_deadline(D(2026, 1, 5), D(2026, 3, 3), changed_on=D(2026, 3, 2))
    assert change.kind == "change" and change.due == D(2026, 3, 5) and change.remaining == 2
    due_today = compute_deadline(D(2026, 3, 2), D(2026, 3, 5), important=True)
    assert due_today.remaining == 0 and not due_today.overdue and "今日" in due_today.text


def test_drafts_show_deadlines_and_overdue_filter(svc, clock):
    d = new_draft(svc)
    assert d["deadline"]["remaining"] == 20 and not d["deadline"]["overdue"]
    late = svc.create_draft("ed", "gov", "重要通知", important=True, formed_on=D(2026, 2, 24))
    late = svc.get_draft("ed", late["id"])
    assert late["deadline"]["overdue"] and late["deadline"]["due"] == "2026-02-27"
    assert [x["id"] for x in svc.list_drafts("ed", overdue=True)] == [late["id"]]
    assert [x["id"] for x in svc.list_drafts("ed", overdue=False)] == [d["id"]]
    clock.advance(days=30)
    assert {x["id"] for x in svc.list_drafts("ed", overdue=True)} == {d["id"], late["id"]}
    withheld = new_draft(svc, disclosure="不予公开")
    assert withheld["deadline"] is None
