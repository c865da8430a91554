"""Database models of the registers around the review (issue 16): 政民互动 messages (网民留言,
市长信箱, 书记信箱) with their handling units, and (see `foi.py`) 依申请公开 requests.

Privacy by construction: what identifies a writer or an applicant (name, phone, address,
e-mail, anything they asked to keep secret, and the original text they wrote) lives only in the
`*_private` tables. The main rows carry the masked text; only the register views
(`message_register`, `foi_register`) read the private tables, and nothing from them goes into
the audit log, the application log, exports or the published Q&A.

Imported at the end of `models.py`, so the tables belong to the same metadata (migrations,
the schema test and the test fixtures see them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubguard.review.models import Base, UTCDateTime, utcnow


class Unit(Base):
    """A handling unit (承办单位) of a site: members draft replies, the head (负责人) reads them."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("site", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitMember(Base):
    __tablename__ = "unit_members"
    __table_args__ = (UniqueConstraint("unit_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)


class MessageType(Base):
    """Per-site handling limit of a message type in working days (overrides the defaults of
    `interaction.toml`)."""

    __tablename__ = "message_types"
    __table_args__ = (UniqueConstraint("site", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    key: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(50))
    days: Mapped[int] = mapped_column(Integer)


class Message(Base):
    """One message of a writer (来信/留言) and its reply. Text here is masked; see
    `MessagePrivate` for what identifies the writer."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_site_status", "site", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 编号, e.g. LY2026-000012
    channel: Mapped[str] = mapped_column(String(16))  # netizen | mayor | secretary
    type_key: Mapped[str] = mapped_column(String(32))
    limit_days: Mapped[int] = mapped_column(Integer)  # copied on receipt: later edits do not move it
    subject: Mapped[str] = mapped_column(String(500))  # masked
    body: Mapped[str] = mapped_column(Text, default="")  # masked
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | import | form
    public_consent: Mapped[bool] = mapped_column(Boolean, default=True)  # writer agrees to publish
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[dt.date] = mapped_column(Date)  # Beijing date the clock starts from
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    accused_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # received | assigned | reviewing | answered | published | closed
    status: Mapped[str] = mapped_column(String(16), default="received")
    reply: Mapped[str] = mapped_column(Text, default="")
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    scan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # check of the Q&A
    published_question: Mapped[str] = mapped_column(Text, default="")
    published_answer: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class MessagePrivate(Base):
    """What identifies the writer. Read only by the authorised register view."""

    __tablename__ = "message_private"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    secrets: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # asked to keep secret
    subject: Mapped[str] = mapped_column(String(500), default="")  # as written
    body: Mapped[str] = mapped_column(Text, default="")  # as written


class MessageInstruction(Base):
    """A leader's 批示 on a message: guides the handling unit, never published."""

    __tablename__ = "message_instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    leader: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FoiRequest(Base):
    """A 依申请公开 request (《政府信息公开条例》2019) and its statutory clock. Text here is masked;
    the applicant is in `FoiPrivate`."""

    __tablename__ = "foi_requests"
    __table_args__ = (Index("ix_foi_requests_site_status", "site", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"))
    number: Mapped[str] = mapped_column(String(32), unique=True)  # YSQ2026-000001
    channel: Mapped[str] = mapped_column(String(16))  # in_person | post | online | fax | email
    applicant_kind: Mapped[str] = mapped_column(String(16))  # natural | business | research | ...
    description: Mapped[str] = mapped_column(Text)  # what is asked for (masked)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[dt.date] = mapped_column(Date)
    clock_start: Mapped[dt.date] = mapped_column(Date)  # received_on, or receipt of the 补正
    # registered | correction | consultation | answered
    status: Mapped[str] = mapped_column(String(16), default="registered")
    correction_requested_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    correction_items: Mapped[str] = mapped_column(Text, default="")
    correction_received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    pauses: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)  # 征求意见
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extension_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    extension_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    extension_notice_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    answer_article: Mapped[str] = mapped_column(String(200), default="")
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answered_late: Mapped[bool] = mapped_column(Boolean, default=False)
    source_draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), nullable=True)
    release_draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class FoiPrivate(Base):
    """The applicant: read only by the register view and the 告知书 addressed to them."""

    __tablename__ = "foi_private"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("foi_requests.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")  # person or organisation
    id_number: Mapped[str] = mapped_column(String(50), default="")  # 身份证号 / 统一社会信用代码
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # as written
