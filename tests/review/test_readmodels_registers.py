"""The registers' read models (值班读网, 政民互动, 依申请公开 in pubguard/review/readmodels.py)
against what the service really returns, checked the way tests/review/test_readmodels.py
checks the drafts': exact keys in the builder's order, every value of its declared type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pubguard.review.readmodels import (
    DutyFindingSummary,
    DutyItemView,
    DutyRescanView,
    DutyRunView,
    RosterEntryView,
)
from review.helpers import SITE
from review.test_duty import TEXT, dsvc, released, rules  # noqa: F401 (fixtures)
from review.test_readmodels import check


def test_duty_roster_items_rescans_and_runs(dsvc, rules, clock) -> None:  # noqa: F811
    day = dt.date(2026, 3, 3)
    for row in [*dsvc.set_roster("adm", SITE, day, ["duty1"]), *dsvc.roster("adm", SITE, day, day)]:
        check(RosterEntryView, row)
    _, rel = released(dsvc, important=True)
    (item,) = dsvc.list_duty_items("duty1", SITE)
    check(DutyItemView, item)
    assert item["kind"] == "recheck" and item["rescan"] is None and item["checked_at"] is None
    rules.new_rule = True
    item = dsvc.recheck_item("duty1", item["id"])
    check(DutyItemView, item)
    assert item["rescan"] is not None and item["rescan"]["new"]
    check(DutyRescanView, item["rescan"])  # as stored and read back
    for f in item["rescan"]["findings"]:
        check(DutyFindingSummary, f)
    clock.advance(days=1)
    Path(rel["location"]).write_text(
        TEXT + "!high personal_data id_card 11**************1234\n", encoding="utf-8"
    )
    runs = dsvc.run_duty(SITE)
    assert runs and runs[0]["new_items"] >= 2
    for run in runs:
        check(DutyRunView, run)
    run_now = dsvc.run_duty_now("pub", SITE)
    assert run_now is not None
    check(DutyRunView, run_now)
    items = dsvc.list_duty_items("pub", SITE)
    assert {i["kind"] for i in items} == {"recheck", "finding", "anomaly"}
    for i in items:
        check(DutyItemView, i)
        if i["kind"] == "finding":
            assert i["finding"] is not None
            check(DutyFindingSummary, i["finding"])
    finding = next(i for i in items if i["kind"] == "finding")
    done = dsvc.close_duty_item("duty1", finding["id"], found="旧称已改正", outcome="改正")
    check(DutyItemView, done)
    assert done["checked_by"] == "duty1" and done["outcome"] == "corrected"
    check(DutyItemView, dsvc.get_duty_item("duty1", finding["id"]))
