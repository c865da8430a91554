"""Tables of the duties around the review: policy ↔ 解读 links (`interpretation.py`) and
值班读网 — duty roster, daily site re-scan runs and duty items (`duty.py`). Same metadata as
`models.py` (imported from there), created by the Alembic migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubguard.review.models import Base, UTCDateTime, utcnow


class InterpretationLink(Base):
    """A policy draft and its 政策解读 draft (one each way: 谁起草、谁解读)."""

    __tablename__ = "interpretation_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    interpretation_draft_id: Mapped[int] = mapped_column(
        ForeignKey("drafts.id", ondelete="CASCADE"), unique=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DutyRoster(Base):
    """Who is on 值班读网 duty for a site on a day."""

    __tablename__ = "duty_roster"
    __table_args__ = (UniqueConstraint("site", "on_date", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"), index=True)
    on_date: Mapped[dt.date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DutyRun(Base):
    """One daily re-scan of a site's published pages; `keys` are the finding keys seen
    (draft:fingerprint), so the next run reports only what is new."""

    __tablename__ = "duty_runs"
    __table_args__ = (Index("ix_duty_runs_site_run_on", "site", "run_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    run_on: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    errors: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class DutyItem(Base):
    """One entry of the 值班读网日志: a re-check of an important release, a new finding of the
    daily re-scan, or a page anomaly. Ends with who checked, what was found and what was done."""

    __tablename__ = "duty_items"
    __table_args__ = (Index("ix_duty_items_site_status", "site", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    kind: Mapped[str] = mapped_column(String(16))  # recheck | finding | anomaly
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), nullable=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"), nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("duty_runs.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    finding: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # masked evidence only
    rescan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # summary, masked
    rescanned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    found: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # corrected | withdrawn | no_issue
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
