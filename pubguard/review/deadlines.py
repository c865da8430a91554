"""Disclosure deadlines in working days (《政府信息公开条例》: 主动公开 within 20 working days of
being formed or changed; important items and changes to published information within 3).

Working days follow the State Council's holiday and make-up-workday calendar through the
`chinesecalendar` package. For a year the package does not know yet we fall back to Monday to
Friday and mark the result `approximate`, rather than fail."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from pubguard.review.readmodels import DeadlineView

log = logging.getLogger("pubguard.review.deadlines")

LIMIT_NORMAL = 20
LIMIT_IMPORTANT = 3
LIMIT_CHANGE = 3

_warned_years: set[int] = set()


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, approximate). Cached: the package scans its whole table per call."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("chinesecalendar has no data for %s; counting Monday-Friday", day.year)
        return day.weekday() < 5, True


def add_working_days(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The date of the `days`-th working day after `start` (the start day itself not counted)."""
    approximate = False
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        work, approx = is_workday(day)
        approximate |= approx
        if work:
            counted += 1
    return day, approximate


def working_days_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days in (start, end]; negative when end is before start."""
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    approximate = False
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        work, approx = is_workday(day)
        approximate |= approx
        count += work
    return sign * count, approximate


@dataclass(frozen=True)
class Deadline:
    kind: str  # normal | important | change
    label: str
    limit_days: int
    start: dt.date
    due: dt.date
    remaining: int  # working days left (0 = due today); negative = working days overdue
    overdue: bool
    approximate: bool

    def to_dict(self) -> DeadlineView:
        return {
            "kind": self.kind,
            "label": self.label,
            "limit_days": self.limit_days,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "remaining": self.remaining,
            "overdue": self.overdue,
            "approximate": self.approximate,
            "text": self.text,
        }

    @property
    def text(self) -> str:
        note = "（节假日数据缺失，按周一至周五估算）" if self.approximate else ""
        if self.overdue:
            late = f" {-self.remaining} 个工作日" if self.remaining < 0 else ""
            return f"{self.label}：已超期{late}（应于 {self.due.isoformat()} 前公开）{note}"
        if self.remaining == 0:
            return f"{self.label}：今日（{self.due.isoformat()}）到期{note}"
        return f"{self.label}：剩余 {self.remaining} 个工作日（{self.due.isoformat()} 到期）{note}"


def compute_deadline(
    formed_on: dt.date, today: dt.date, *, important: bool = False, changed_on: dt.date | None = None
) -> Deadline:
    """Deadline for publishing: from `changed_on` (a change to already published information)
    or from `formed_on`."""
    if changed_on is not None:
        kind, label, limit, start = "change", "已公开信息变更（3个工作日内更新）", LIMIT_CHANGE, changed_on
    elif important:
        kind, label, limit, start = "important", "重要信息（3个工作日内公开）", LIMIT_IMPORTANT, formed_on
    else:
        kind, label, limit, start = "normal", "主动公开（20个工作日内公开）", LIMIT_NORMAL, formed_on
    due, approx1 = add_working_days(start, limit)
    remaining, approx2 = working_days_between(today, due)
    return Deadline(kind, label, limit, start, due, remaining, today > due, approx1 or approx2)
