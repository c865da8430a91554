"""消息 (in-app notifications, issue 18.8): one row per person and event. Same metadata as
`models.py` (imported from there), created by the Alembic migration `i18_notifications`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubguard.review.models import Base, UTCDateTime, utcnow


class Notification(Base):
    """Something a person should know: a draft reached their step, was returned, nears or
    passed its 公开时限. `key` makes a repeated event (the deadline sweep) one message."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # turn | returned | deadline_soon | overdue
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
