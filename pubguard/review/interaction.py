"""政民互动 (网民留言 / 市长信箱 / 书记信箱): messages, handling units, working-day limits by type,
reply → 审阅 by the unit's head → 保密审查 → published Q&A, and monthly/quarterly statistics.

Rules held here (CLI, API and UI only call these methods):
- A message is registered by 政民互动受理 staff (role `interaction`) through the API, a CSV/XLSX
  import or the UI form. The writer's name, phone, address, e-mail, what they asked to keep
  secret, and the text as written go to `message_private`; every other table, view, log line,
  audit entry and export has the masked text only (`privacy.mask_text`: known values + the
  scan's personal-data findings, then a re-scan). Only `message_register` reads the private row.
- The handling limit comes from the message type, per site (`interaction.toml` defaults,
  overridden with `set_message_type`), in working days on the official calendar, copied onto
  the message at receipt.
- 检举/控告 (a type with `accusation = true`) can never be assigned to the unit it accuses.
- A reply is drafted by a member of the assigned unit and read (审阅) by the unit's head, who may
  not be its author. Publication (role `publisher`, writer's consent needed) masks the question
  and the answer again and re-scans them; any personal data left, a blocker, or text of a
  leader's 批示 stops it. 批示 are stored apart and never published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
import uuid
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard import labels
from pubguard.review.base import CHINA_TZ, Actor, ServiceBase, _iso
from pubguard.review.deadlines import add_working_days, working_days_between
from pubguard.review.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from pubguard.review.models import User
from pubguard.review.privacy import MaskCheck, PrivateValues, mask_text
from pubguard.review.readmodels import (
    ImportErrorRow,
    InteractionStatsView,
    MessageDeadlineView,
    MessageImportView,
    MessageRegisterView,
    MessageSummaryView,
    MessageTypeView,
    MessageView,
    NamedTallyView,
    PublishedMessageView,
    QaCheckView,
    TallyView,
    UnitView,
    WriterView,
)
from pubguard.review.registers import (
    Message,
    MessageInstruction,
    MessagePrivate,
    MessageType,
    Unit,
    UnitMember,
)
from pubguard.review.sheets import xlsx_bytes

CONFIG_FILE = Path(__file__).parent / "interaction.toml"
MAX_TEXT = 20000
REMIND_DAYS = 1  # working days before the limit from which a message is marked 即将到期


class MessageStatus(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    REVIEWING = "reviewing"
    ANSWERED = "answered"
    PUBLISHED = "published"
    CLOSED = "closed"


STATUS_LABELS: dict[str, str] = labels.MESSAGE_STATUS  # one home: pubguard.labels
DONE = (MessageStatus.ANSWERED, MessageStatus.PUBLISHED, MessageStatus.CLOSED)

ACTION_LABELS: dict[str, str] = labels.AUDIT_ACTION  # one home: pubguard.labels


@dataclass(frozen=True)
class TypeDef:
    key: str
    label: str
    days: int
    accusation: bool = False

    def to_dict(self) -> MessageTypeView:
        return {"key": self.key, "label": self.label, "days": self.days, "accusation": self.accusation}


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    with CONFIG_FILE.open("rb") as fh:
        return tomllib.load(fh)


def channels() -> dict[str, str]:
    return dict(config()["channels"])


def satisfaction_labels() -> dict[str, str]:
    return dict(config()["satisfaction"])


def default_types() -> dict[str, TypeDef]:
    cfg = config()
    return {
        key: TypeDef(
            key, spec["label"], int(spec.get("days", cfg["default_days"])), bool(spec.get("accusation"))
        )
        for key, spec in cfg["types"].items()
    }


def _lookup(value: str, table: dict[str, str], what: str) -> str:
    """A key from a key or its Chinese label."""
    value = (value or "").strip()
    if value in table:
        return value
    for key, label in table.items():
        if label == value:
            return key
    raise InvalidInput(f"{what}无效：可选 {'、'.join(table.values())}。")


class InteractionMixin(ServiceBase):
    def _acting(self, s: Session, actor: Actor) -> User:
        """The acting user (required: `_user` raises when there is none)."""
        user = self._user(s, actor)
        assert user is not None
        return user

    # ------------------------------------------------------------ configuration

    def message_types(self, site: str) -> dict[str, TypeDef]:
        with self.db.read() as s:
            return self._types(s, site)

    @staticmethod
    def _require_site(s: Session, site: str) -> None:
        from pubguard.review.models import Site

        if not site or s.get(Site, site) is None:
            raise NotFound(f"站点不存在：{site}。")

    @staticmethod
    def _types(s: Session, site: str) -> dict[str, TypeDef]:
        types = default_types()
        for row in s.execute(select(MessageType).where(MessageType.site == site)).scalars():
            base = types.get(row.key)
            types[row.key] = TypeDef(row.key, row.label, row.days, base.accusation if base else False)
        return types

    def set_message_type(
        self, actor: Actor, site: str, key: str, days: int, label: str | None = None
    ) -> MessageTypeView:
        """Set the handling limit (working days) of a message type on a site (administrators)."""
        if not isinstance(days, int) or not 1 <= days <= 60:
            raise InvalidInput("办理时限应为 1 至 60 个工作日。")
        key = (key or "").strip()
        if not key or len(key) > 32:
            raise InvalidInput("请填写留言类型代码。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            self._require_site(s, site)
            self._require_role(user, site, "admin", what="设置留言办理时限")
            types = self._types(s, site)
            label = (label or (types[key].label if key in types else "")).strip()
            if not label:
                raise InvalidInput("请填写留言类型名称。")
            row = s.execute(
                select(MessageType).where(MessageType.site == site, MessageType.key == key)
            ).scalar_one_or_none()
            if row is None:
                row = MessageType(site=site, key=key, label=label, days=days)
                s.add(row)
            row.label, row.days = label, days
            self._audit(s, user, "message.type", details={"site": site, "type": key, "days": days})
            return self._types(s, site)[key].to_dict()

    def create_unit(
        self,
        actor: Actor,
        site: str,
        name: str,
        *,
        head: str | None = None,
        members: tuple[str, ...] | list[str] = (),
    ) -> UnitView:
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise InvalidInput("请填写承办单位名称。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            self._require_site(s, site)
            self._require_role(user, site, "admin", what="创建承办单位")
            if s.execute(select(Unit).where(Unit.site == site, Unit.name == name)).scalar_one_or_none():
                raise InvalidInput(f"承办单位已存在：{name}。")
            unit = Unit(site=site, name=name, created_at=self.now())
            s.add(unit)
            s.flush()
            pairs: list[tuple[str, bool]] = [(head, True)] if head else []
            for username, is_head in pairs + [(m, False) for m in members]:
                member = self._acting(s, username)
                s.add(UnitMember(unit_id=unit.id, user_id=member.id, is_head=is_head))
            self._audit(s, user, "unit.create", details={"site": site, "unit_id": unit.id, "name": name})
            s.flush()
            return self._unit_dict(s, unit)

    def set_unit_member(self, actor: Actor, unit_id: int, username: str, *, head: bool = False) -> UnitView:
        with self.db.write() as s:
            user = self._acting(s, actor)
            unit = self._unit(s, unit_id)
            self._require_role(user, unit.site, "admin", what="设置承办单位成员")
            member = self._acting(s, username)
            row = s.execute(
                select(UnitMember).where(UnitMember.unit_id == unit.id, UnitMember.user_id == member.id)
            ).scalar_one_or_none()
            if row is None:
                s.add(UnitMember(unit_id=unit.id, user_id=member.id, is_head=head))
            else:
                row.is_head = head
            self._audit(
                s, user, "unit.member", details={"unit_id": unit.id, "user": member.username, "head": head}
            )
            s.flush()
            return self._unit_dict(s, unit)

    def list_units(self, site: str) -> list[UnitView]:
        with self.db.read() as s:
            rows = s.execute(select(Unit).where(Unit.site == site).order_by(Unit.id)).scalars()
            return [self._unit_dict(s, u) for u in rows]

    def _unit_dict(self, s: Session, unit: Unit) -> UnitView:
        members = s.execute(select(UnitMember).where(UnitMember.unit_id == unit.id)).scalars().all()
        names = self._usernames(s, [m.user_id for m in members])
        return {
            "id": unit.id,
            "site": unit.site,
            "name": unit.name,
            "heads": sorted(names.get(m.user_id, "") for m in members if m.is_head),
            "members": sorted(names.get(m.user_id, "") for m in members if not m.is_head),
        }

    @staticmethod
    def _unit(s: Session, unit_id: int | None) -> Unit:
        unit = s.get(Unit, unit_id) if unit_id else None
        if unit is None:
            raise NotFound(f"承办单位不存在：{unit_id}。")
        return unit

    @staticmethod
    def _membership(s: Session, user: User) -> dict[int, bool]:
        """unit id -> is head, for the units the user belongs to."""
        rows = s.execute(select(UnitMember).where(UnitMember.user_id == user.id)).scalars()
        return {m.unit_id: m.is_head for m in rows}

    # ------------------------------------------------------------ receiving

    def _mask(self, text: str, private: PrivateValues, extra: tuple[str, ...] | list[str] = ()) -> MaskCheck:
        from pubguard.scan import scan_bytes

        scan = self._scanner or scan_bytes
        return mask_text(text, private, scan, config=self.settings.scan_config, extra_forbidden=extra)

    def receive_message(
        self,
        actor: Actor,
        site: str,
        *,
        subject: str,
        body: str,
        type: str = "other",  # noqa: A002
        channel: str = "netizen",
        writer: dict[str, Any] | None = None,
        received_at: dt.datetime | None = None,
        accused_unit: int | str | None = None,
        public_consent: bool = True,
        source: str = "api",
    ) -> MessageView:
        """Register a message. `writer`: name, phone, address, email, secrets (asked to keep
        secret) — stored apart and masked out of everything else."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            self._require_site(s, site)
            self._require_role(user, site, "interaction", "admin", what="登记来信")
            message = self._new_message(
                s,
                user,
                site,
                subject=subject,
                body=body,
                type_=type,
                channel=channel,
                writer=writer,
                received_at=received_at,
                accused_unit=accused_unit,
                public_consent=public_consent,
                source=source,
            )
            self._audit(s, user, "message.receive", details=self._audit_ref(message))
            return self._message_view(s, message, user)

    def _new_message(
        self,
        s: Session,
        user: User,
        site: str,
        *,
        subject: str,
        body: str,
        type_: str,
        channel: str,
        writer: dict[str, Any] | None,
        received_at: dt.datetime | None,
        accused_unit: int | str | None,
        public_consent: bool,
        source: str,
    ) -> Message:
        subject = (subject or "").replace("\x00", "").strip()
        body = (body or "").replace("\x00", "").strip()
        writer = {k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in (writer or {}).items()}
        if not subject or len(subject) > 500:
            raise InvalidInput("请填写留言标题（500 字以内）。")
        if not body or len(body) > MAX_TEXT:
            raise InvalidInput(f"请填写留言内容（{MAX_TEXT} 字以内）。")
        types = self._types(s, site)
        type_key = _lookup(type_, {k: t.label for k, t in types.items()}, "留言类型")
        channel_key = _lookup(channel, channels(), "来信渠道")
        private = PrivateValues.from_dict(writer)
        accused_id = None
        if accused_unit not in (None, ""):
            accused_id = self._find_unit(s, site, accused_unit).id
        if types[type_key].accusation and accused_id is None:
            raise InvalidInput("检举控告类来信须注明被检举控告的单位，以免转交被检举单位办理。")
        received_at = received_at or self.now()
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=CHINA_TZ)
        received_on = received_at.astimezone(CHINA_TZ).date()
        limit = types[type_key].days
        due, approx = add_working_days(received_on, limit)
        subject_masked = self._mask(subject, private).text
        body_masked = self._mask(body, private).text
        message = Message(
            site=site,
            number=f"tmp-{uuid.uuid4().hex[:24]}",
            channel=channel_key,
            type_key=type_key,
            limit_days=limit,
            subject=subject_masked[:500],
            body=body_masked,
            source=source,
            public_consent=bool(public_consent),
            received_at=received_at,
            received_on=received_on,
            due_on=due,
            due_approximate=approx,
            accused_unit_id=accused_id,
            created_by_id=user.id,
        )
        s.add(message)
        s.flush()
        message.number = f"LY{received_on.year}-{message.id:06d}"
        s.add(
            MessagePrivate(
                message_id=message.id,
                name=private.name[:100],
                phone=private.phone[:50],
                address=private.address[:300],
                email=private.email[:200],
                secrets=list(private.secrets),
                subject=subject,
                body=body,
            )
        )
        return message

    def _find_unit(self, s: Session, site: str, ref: int | str) -> Unit:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            unit = s.get(Unit, int(ref))
        else:
            unit = s.execute(
                select(Unit).where(Unit.site == site, Unit.name == str(ref).strip())
            ).scalar_one_or_none()
        if unit is None or unit.site != site:
            raise InvalidInput("承办单位不存在。")
        return unit

    IMPORT_COLUMNS = {
        "渠道": "channel",
        "来信渠道": "channel",
        "类型": "type",
        "留言类型": "type",
        "标题": "subject",
        "内容": "body",
        "留言内容": "body",
        "姓名": "name",
        "电话": "phone",
        "联系电话": "phone",
        "地址": "address",
        "邮箱": "email",
        "电子邮箱": "email",
        "保密事项": "secrets",
        "要求保密": "secrets",
        "来信时间": "received_at",
        "被检举单位": "accused_unit",
        "被举报单位": "accused_unit",
        "同意公开": "public_consent",
    }

    def import_messages(self, actor: Actor, site: str, data: bytes, filename: str) -> MessageImportView:
        """Register messages from a CSV (UTF-8 or GB18030) or XLSX export of the mailbox system,
        first row Chinese headers (渠道, 类型, 标题, 内容, 姓名, 电话, 地址, 邮箱, 保密事项, 来信时间,
        被检举单位, 同意公开). Rows with problems are reported by number (never with their values)
        and skipped; the others are registered in one transaction."""
        rows = _read_table(data, filename)
        if not rows:
            raise InvalidInput("文件中没有数据行。")
        header = [str(h or "").strip() for h in rows[0]]
        fields = [self.IMPORT_COLUMNS.get(h) for h in header]
        if "subject" not in fields or "body" not in fields:
            raise InvalidInput("表头须包含「标题」和「内容」列。")
        imported: list[str] = []
        errors: list[ImportErrorRow] = []
        with self.db.write() as s:
            user = self._acting(s, actor)
            self._require_site(s, site)
            self._require_role(user, site, "interaction", "admin", what="导入来信")
            for n, raw in enumerate(rows[1:], start=2):
                record = {f: v for f, v in zip(fields, raw, strict=False) if f}
                if not any(str(v or "").strip() for v in record.values()):
                    continue
                try:
                    with s.begin_nested():
                        message = self._new_message(
                            s,
                            user,
                            site,
                            subject=_cell(record.get("subject")),
                            body=_cell(record.get("body")),
                            type_=_cell(record.get("type")) or "other",
                            channel=_cell(record.get("channel")) or "netizen",
                            writer={
                                k: _cell(record.get(k))
                                for k in ("name", "phone", "address", "email", "secrets")
                            },
                            received_at=_when(record.get("received_at")),
                            accused_unit=_cell(record.get("accused_unit")) or None,
                            public_consent=_cell(record.get("public_consent"))
                            not in ("否", "不同意", "0", "no"),
                            source="import",
                        )
                        imported.append(message.number)
                except InvalidInput as exc:
                    errors.append({"row": n, "message": exc.message})
            self._audit(
                s,
                user,
                "message.import",
                details={"site": site, "imported": len(imported), "errors": len(errors)},
            )
        return {"imported": len(imported), "numbers": imported, "errors": errors}

    # ------------------------------------------------------------ handling

    def _message(self, s: Session, message_id: int, *, lock: bool = False) -> Message:
        stmt = select(Message).where(Message.id == message_id)
        if lock:
            stmt = stmt.with_for_update()
        message = s.execute(stmt).scalar_one_or_none()
        if message is None:
            raise NotFound(f"来信不存在：{message_id}。")
        return message

    def _can_see(self, s: Session, user: User, message: Message) -> None:
        roles = self._roles(user, message.site)
        if roles & {"interaction", "admin", "publisher"}:
            return
        if message.unit_id and message.unit_id in self._membership(s, user):
            return
        raise PermissionDenied("无权查看该来信（仅受理人员和承办单位可见）。")

    @staticmethod
    def _audit_ref(message: Message) -> dict[str, Any]:
        return {"message_id": message.id, "number": message.number, "type": message.type_key}

    def assign_message(
        self, actor: Actor, message_id: int, unit: int | str, *, comment: str = ""
    ) -> MessageView:
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_role(user, message.site, "interaction", "admin", what="分办来信")
            if message.status not in (MessageStatus.RECEIVED, MessageStatus.ASSIGNED):
                raise InvalidState("该来信已在审阅或已答复，不能再分办。")
            target = self._find_unit(s, message.site, unit)
            if message.accused_unit_id is not None and target.id == message.accused_unit_id:
                raise PermissionDenied("检举控告类来信不得交由被检举控告的单位办理。")
            message.unit_id = target.id
            message.assigned_at = self.now()
            message.status = MessageStatus.ASSIGNED
            self._audit(
                s,
                user,
                "message.assign",
                comment=comment[:500],
                details=self._audit_ref(message) | {"unit_id": target.id},
            )
            return self._message_view(s, message, user)

    def return_message(self, actor: Actor, message_id: int, reason: str) -> MessageView:
        """The unit sends a message back for re-assignment (不属于本单位职责); the clock runs on."""
        if not (reason or "").strip():
            raise InvalidInput("请说明退回理由。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_member(s, user, message)
            if message.status != MessageStatus.ASSIGNED:
                raise InvalidState("只有办理中的来信可以退回分办。")
            message.status = MessageStatus.RECEIVED
            unit_id, message.unit_id = message.unit_id, None
            self._audit(
                s,
                user,
                "message.return",
                comment=reason[:500],
                details=self._audit_ref(message) | {"unit_id": unit_id},
            )
            return self._message_view(s, message, user)

    def _require_member(self, s: Session, user: User, message: Message, *, head: bool = False) -> None:
        membership = self._membership(s, user)
        if message.unit_id not in membership or (head and not membership[message.unit_id]):
            who = "承办单位负责人" if head else "承办单位人员"
            raise PermissionDenied(f"只有{who}可以办理该来信。")

    def add_instruction(self, actor: Actor, message_id: int, leader: str, body: str) -> MessageView:
        """Record a leader's 批示 (kept apart from the reply; never published)."""
        leader, body = (leader or "").strip(), (body or "").strip()
        if not leader or not body:
            raise InvalidInput("请填写批示领导和批示内容。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_role(user, message.site, "interaction", "admin", what="登记领导批示")
            s.add(
                MessageInstruction(
                    message_id=message.id,
                    leader=leader[:100],
                    body=body[:MAX_TEXT],
                    created_by_id=user.id,
                    created_at=self.now(),
                )
            )
            self._audit(s, user, "message.instruction", details=self._audit_ref(message))
            s.flush()
            return self._message_view(s, message, user)

    def draft_reply(self, actor: Actor, message_id: int, text: str, *, submit: bool = False) -> MessageView:
        text = (text or "").strip()
        if not text or len(text) > MAX_TEXT:
            raise InvalidInput(f"请填写答复内容（{MAX_TEXT} 字以内）。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_member(s, user, message)
            if message.status not in (MessageStatus.ASSIGNED, MessageStatus.REVIEWING):
                raise InvalidState("该来信当前不能拟写答复。")
            # The writer's data never sits in the reply either (a reply greeting them by name).
            message.reply = self._mask(text, self._private_values(s, message)).text
            message.reply_by_id = user.id
            message.reply_at = self.now()
            message.status = MessageStatus.REVIEWING if submit else MessageStatus.ASSIGNED
            self._audit(
                s, user, "message.submit" if submit else "message.reply", details=self._audit_ref(message)
            )
            return self._message_view(s, message, user)

    def review_reply(self, actor: Actor, message_id: int, *, approve: bool, comment: str = "") -> MessageView:
        """审阅 by the unit's head: approve (the reply is given — 办结 for the statistics) or send
        back to the drafter. The head may not approve a reply they wrote."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_member(s, user, message, head=True)
            if message.status != MessageStatus.REVIEWING:
                raise InvalidState("该来信没有待审阅的答复。")
            if approve and message.reply_by_id == user.id:
                raise PermissionDenied("不能审阅自己拟写的答复，请由单位其他负责人审阅。")
            if not approve and not comment.strip():
                raise InvalidInput("退回修改须填写意见。")
            message.review_comment = comment.strip()[:2000]
            if approve:
                message.status = MessageStatus.ANSWERED
                message.reviewed_by_id = user.id
                message.answered_at = self.now()
                message.answered_on = self.today()
            else:
                message.status = MessageStatus.ASSIGNED
            self._audit(
                s,
                user,
                "message.review",
                comment=comment.strip()[:500],
                details=self._audit_ref(message) | {"approve": approve},
            )
            return self._message_view(s, message, user)

    def _qa_check(self, s: Session, message: Message) -> tuple[MaskCheck, MaskCheck]:
        private = self._private_values(s, message)
        instructions = [i.body for i in self._instructions(s, message)]
        question = self._mask(message.body, private, instructions)
        answer = self._mask(message.reply, private, instructions)
        return question, answer

    def check_publication(self, actor: Actor, message_id: int) -> QaCheckView:
        """The 保密审查 of the Q&A as it would be published (masked question and answer, the
        re-scan's verdict), without publishing."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id)
            self._can_see(s, user, message)
            question, answer = self._qa_check(s, message)
            return {
                "question": question.text,
                "answer": answer.text,
                "ok": question.ok and answer.ok,
                "problems": question.problems + answer.problems,
            }

    def publish_message(self, actor: Actor, message_id: int) -> MessageView:
        """Publish the Q&A: masked question + masked answer, re-scanned; refused on any problem."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_role(user, message.site, "publisher", what="公开问答")
            if message.status != MessageStatus.ANSWERED:
                raise InvalidState("答复须经承办单位负责人审阅后才能公开。")
            if not message.public_consent:
                raise InvalidState("来信人不同意公开，该来信只能办结，不能公开。")
            question, answer = self._qa_check(s, message)
            subject = self._mask(message.subject, self._private_values(s, message))
            problems = question.problems + answer.problems + subject.problems
            message.scan = {
                "ok": not problems,
                "problems": problems,
                "masked": question.masked + answer.masked,
            }
            if problems:
                from pubguard.review.errors import GateClosed

                raise GateClosed("问答未通过保密审查，不能公开。", details={"reasons": problems})
            message.published_question = question.text
            message.published_answer = answer.text
            message.subject = subject.text[:500]
            message.published_at = self.now()
            message.published_by_id = user.id
            message.status = MessageStatus.PUBLISHED
            self._audit(s, user, "message.publish", details=self._audit_ref(message))
            return self._message_view(s, message, user)

    def close_message(self, actor: Actor, message_id: int, *, satisfaction: str | None = None) -> MessageView:
        """Close an answered message without publishing it, and/or record the writer's rating."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id, lock=True)
            self._require_role(user, message.site, "interaction", "admin", what="办结来信")
            if message.status not in (MessageStatus.ANSWERED, MessageStatus.PUBLISHED, MessageStatus.CLOSED):
                raise InvalidState("来信尚未答复，不能办结。")
            if satisfaction:
                message.satisfaction = _lookup(satisfaction, satisfaction_labels(), "满意度")
            if message.status == MessageStatus.ANSWERED:
                message.status = MessageStatus.CLOSED
            self._audit(
                s,
                user,
                "message.close",
                details=self._audit_ref(message) | {"satisfaction": message.satisfaction},
            )
            return self._message_view(s, message, user)

    # ------------------------------------------------------------ reading

    @staticmethod
    def _private_values(s: Session, message: Message) -> PrivateValues:
        row = s.get(MessagePrivate, message.id)
        if row is None:
            return PrivateValues()
        return PrivateValues(row.name, row.phone, row.address, row.email, "", tuple(row.secrets or ()))

    @staticmethod
    def _instructions(s: Session, message: Message) -> list[MessageInstruction]:
        return list(
            s.execute(
                select(MessageInstruction)
                .where(MessageInstruction.message_id == message.id)
                .order_by(MessageInstruction.id)
            ).scalars()
        )

    def _deadline(self, message: Message) -> MessageDeadlineView:
        today = self.today()
        end = message.answered_on or today
        remaining, approx = working_days_between(end, message.due_on)
        done = message.status in DONE
        overdue = end > message.due_on
        approximate = approx or message.due_approximate
        note = "（节假日数据缺失，按周一至周五估算）" if approximate else ""
        if done:
            text = f"{'超期' if overdue else '按期'}办结（时限 {message.due_on.isoformat()}）"
        elif overdue:
            text = f"已超期 {-remaining} 个工作日（应于 {message.due_on.isoformat()} 前办结）"
        elif remaining == 0:
            text = f"今日（{message.due_on.isoformat()}）到期"
        else:
            text = f"剩余 {remaining} 个工作日（{message.due_on.isoformat()} 到期）"
        return {
            "limit_days": message.limit_days,
            "due": message.due_on.isoformat(),
            "remaining": remaining,
            "overdue": overdue,
            "soon": not done and not overdue and remaining <= REMIND_DAYS,
            "approximate": approximate,
            "text": text + note,
        }

    def _message_summary(self, s: Session, message: Message, user: User | None) -> MessageSummaryView:
        types = self._types(s, message.site)
        unit = s.get(Unit, message.unit_id) if message.unit_id else None
        return {
            "id": message.id,
            "number": message.number,
            "site": message.site,
            "channel": message.channel,
            "channel_label": channels().get(message.channel, message.channel),
            "type": message.type_key,
            "type_label": types[message.type_key].label if message.type_key in types else message.type_key,
            "accusation": types.get(message.type_key, TypeDef("", "", 0)).accusation,
            "subject": message.subject,
            "status": str(message.status),
            "status_label": STATUS_LABELS.get(MessageStatus(message.status), message.status),
            "source": message.source,
            "public_consent": message.public_consent,
            "received_at": _iso(message.received_at),
            "received_on": message.received_on.isoformat(),
            "unit_id": message.unit_id,
            "unit": unit.name if unit else "",
            "deadline": self._deadline(message),
            "answered_on": _iso(message.answered_on),
            "published_at": _iso(message.published_at),
            "satisfaction": message.satisfaction,
            "satisfaction_label": satisfaction_labels().get(message.satisfaction or "", ""),
        }

    def _message_view(self, s: Session, message: Message, user: User | None) -> MessageView:
        view = self._message_summary(s, message, user)
        roles = self._roles(user, message.site) if user else set()
        membership = self._membership(s, user) if user else {}
        names = self._usernames(s, [message.reply_by_id, message.reviewed_by_id])
        is_member = message.unit_id in membership
        is_head = bool(membership.get(message.unit_id or 0))
        staff = bool(roles & {"interaction", "admin"})
        return {
            **view,
            "body": message.body,
            "reply": message.reply,
            "reply_by": names.get(message.reply_by_id or 0, ""),
            "reviewed_by": names.get(message.reviewed_by_id or 0, ""),
            "review_comment": message.review_comment,
            "published_question": message.published_question,
            "published_answer": message.published_answer,
            "scan": message.scan,
            "instructions": [
                {"leader": i.leader, "body": i.body, "at": _iso(i.created_at)}
                for i in self._instructions(s, message)
            ]
            if (staff or is_member)
            else [],
            "actions": {
                "assign": staff and message.status in (MessageStatus.RECEIVED, MessageStatus.ASSIGNED),
                "reply": is_member and message.status in (MessageStatus.ASSIGNED, MessageStatus.REVIEWING),
                "return": is_member and message.status == MessageStatus.ASSIGNED,
                "review": is_head
                and message.status == MessageStatus.REVIEWING
                and message.reply_by_id != (user.id if user else None),
                "publish": "publisher" in roles
                and message.status == MessageStatus.ANSWERED
                and message.public_consent,
                "close": staff and message.status in DONE,
                "instruct": staff,
                "register": staff,
            },
        }

    def get_message(self, actor: Actor, message_id: int) -> MessageView:
        """The message as handlers see it: masked text only, never the writer's data."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id)
            self._can_see(s, user, message)
            return self._message_view(s, message, user)

    def list_messages(
        self,
        actor: Actor,
        site: str | None = None,
        *,
        status: str | None = None,
        overdue: bool | None = None,
        todo: bool = False,
        limit: int = 200,
    ) -> list[MessageSummaryView]:
        """Messages the actor may see (`todo=True`: only those waiting for them)."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            membership = self._membership(s, user)
            stmt = select(Message).order_by(Message.due_on, Message.id)
            if site:
                stmt = stmt.where(Message.site == site)
            if status:
                stmt = stmt.where(Message.status == status)
            out = []
            for m in s.execute(stmt).scalars():
                roles = self._roles(user, m.site)
                staff = bool(roles & {"interaction", "admin"})
                visible = staff or "publisher" in roles or m.unit_id in membership
                if not visible:
                    continue
                if todo and not (
                    (staff and m.status == MessageStatus.RECEIVED)
                    or (m.unit_id in membership and m.status == MessageStatus.ASSIGNED)
                    or (
                        membership.get(m.unit_id or 0)
                        and m.status == MessageStatus.REVIEWING
                        and m.reply_by_id != user.id
                    )
                    or ("publisher" in roles and m.status == MessageStatus.ANSWERED and m.public_consent)
                ):
                    continue
                view = self._message_summary(s, m, user)
                if overdue is not None and view["deadline"]["overdue"] != overdue:
                    continue
                out.append(view)
                if len(out) >= limit:
                    break
            return out

    def message_register(self, actor: Actor, message_id: int) -> MessageRegisterView:
        """The authorised register view: the writer's data and the text as written. Only
        政民互动受理 staff and administrators; every look is audited (without the values)."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            message = self._message(s, message_id)
            self._require_role(user, message.site, "interaction", "admin", what="查看来信人信息")
            row = s.get(MessagePrivate, message.id)
            self._audit(s, user, "message.register_view", details=self._audit_ref(message))
            view = self._message_view(s, message, user)
            writer: WriterView = {
                "name": row.name if row else "",
                "phone": row.phone if row else "",
                "address": row.address if row else "",
                "email": row.email if row else "",
                "secrets": list(row.secrets or []) if row else [],
                "subject": row.subject if row else "",
                "body": row.body if row else "",
            }
            return {**view, "writer": writer}

    def published_messages(self, site: str, *, limit: int = 100) -> list[PublishedMessageView]:
        """The public Q&A of a site (what the website shows): masked, no 批示, no writer data."""
        with self.db.read() as s:
            rows = s.execute(
                select(Message)
                .where(Message.site == site, Message.status == MessageStatus.PUBLISHED)
                .order_by(Message.published_at.desc())
                .limit(limit)
            ).scalars()
            out: list[PublishedMessageView] = []
            for m in rows:
                unit = s.get(Unit, m.unit_id) if m.unit_id else None
                out.append(
                    {
                        "number": m.number,
                        "channel_label": channels().get(m.channel, m.channel),
                        "subject": m.subject,
                        "question": m.published_question,
                        "answer": m.published_answer,
                        "unit": unit.name if unit else "",
                        "received_on": m.received_on.isoformat(),
                        "answered_on": _iso(m.answered_on),
                        "published_at": _iso(m.published_at),
                    }
                )
            return out

    # ------------------------------------------------------------ statistics

    def interaction_stats(
        self, actor: Actor, site: str, year: int, *, month: int | None = None, quarter: int | None = None
    ) -> InteractionStatsView:
        """受理、办结、超期、满意度 for a month (月督查), a quarter (季通报) or a year, by unit and by type."""
        start, end, label = _period(year, month, quarter)
        with self.db.read() as s:
            user = self._acting(s, actor)
            self._require_role(user, site, "interaction", "admin", "publisher", what="查看政民互动统计")
            types = self._types(s, site)
            units = {u.id: u.name for u in s.execute(select(Unit).where(Unit.site == site)).scalars()}
            today = self.today()
            rows = s.execute(
                select(Message).where(Message.site == site, Message.received_on <= end)
            ).scalars()
            total = _Tally()
            by_unit: dict[str, _Tally] = {}
            by_type: dict[str, _Tally] = {}
            for m in rows:
                answered = m.answered_on if m.answered_on and m.answered_on <= end else None
                if m.received_on < start and m.answered_on and m.answered_on < start:
                    continue  # finished before the period
                if not (
                    start <= m.received_on <= end
                    or answered is not None
                    or m.answered_on is None
                    or m.answered_on > end
                ):
                    continue
                unit = units.get(m.unit_id or 0, "未分办")
                kind = types[m.type_key].label if m.type_key in types else m.type_key
                for tally in (total, by_unit.setdefault(unit, _Tally()), by_type.setdefault(kind, _Tally())):
                    tally.add(m, start, end, min(end, today), answered)
            return {
                "site": site,
                "period": label,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "total": total.to_dict(),
                "by_unit": [{"name": k, **v.to_dict()} for k, v in sorted(by_unit.items())],
                "by_type": [{"name": k, **v.to_dict()} for k, v in sorted(by_type.items())],
            }

    def interaction_stats_xlsx(self, actor: Actor, site: str, year: int, **period: int | None) -> bytes:
        stats = self.interaction_stats(actor, site, year, **period)
        head = ["", "受理", "办结", "按期办结", "超期", "按期办结率", "满意", "基本满意", "不满意", "满意率"]

        def line(name: str, t: TallyView | NamedTallyView) -> list[Any]:
            return [
                name,
                t["received"],
                t["answered"],
                t["on_time"],
                t["overdue"],
                t["on_time_rate"],
                t["satisfied"],
                t["basic"],
                t["unsatisfied"],
                t["satisfaction_rate"],
            ]

        sheets = {
            "汇总": [[f"政民互动办理情况统计（{stats['period']}）"], head, line("合计", stats["total"])],
            "按承办单位": [["承办单位", *head[1:]]] + [line(r["name"], r) for r in stats["by_unit"]],
            "按类型": [["留言类型", *head[1:]]] + [line(r["name"], r) for r in stats["by_type"]],
        }
        return xlsx_bytes(sheets)


class _Tally:
    def __init__(self) -> None:
        self.c: Counter[str] = Counter()

    def add(self, m: Message, start: dt.date, end: dt.date, as_of: dt.date, answered: dt.date | None) -> None:
        if start <= m.received_on <= end:
            self.c["received"] += 1
        if answered is not None and answered >= start:
            self.c["answered"] += 1
            self.c["on_time" if answered <= m.due_on else "overdue"] += 1
        elif answered is None and m.due_on < as_of:
            self.c["overdue"] += 1  # still open and past its limit at the end of the period
            self.c["open_overdue"] += 1
        if m.satisfaction and answered is not None and answered >= start:
            self.c[m.satisfaction] += 1

    def to_dict(self) -> TallyView:
        c = self.c
        rated = c["satisfied"] + c["basic"] + c["unsatisfied"]
        return {
            "received": c["received"],
            "answered": c["answered"],
            "on_time": c["on_time"],
            "overdue": c["overdue"],
            "open_overdue": c["open_overdue"],
            "on_time_rate": _rate(c["on_time"], c["answered"]),
            "satisfied": c["satisfied"],
            "basic": c["basic"],
            "unsatisfied": c["unsatisfied"],
            "rated": rated,
            "satisfaction_rate": _rate(c["satisfied"] + c["basic"], rated),
        }


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _period(year: int, month: int | None, quarter: int | None) -> tuple[dt.date, dt.date, str]:
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份无效。")
    if month is not None:
        if not 1 <= month <= 12:
            raise InvalidInput("月份应为 1 至 12。")
        start = dt.date(year, month, 1)
        end = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
        return start, end, f"{year}年{month}月"
    if quarter is not None:
        if not 1 <= quarter <= 4:
            raise InvalidInput("季度应为 1 至 4。")
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
        return start, end, f"{year}年第{'一二三四'[quarter - 1]}季度"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _when(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, 9, tzinfo=CHINA_TZ)
    text = str(value).strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=CHINA_TZ)
        except ValueError:
            continue
    raise InvalidInput("来信时间格式无效（应为 2026-03-02 或 2026-03-02 09:30）。")


def _read_table(data: bytes, filename: str) -> list[list[Any]]:
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise InvalidInput("无法读取该 XLSX 文件。") from exc
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("无法识别 CSV 文件的编码（应为 UTF-8 或 GB18030）。")
    return [row for row in csv.reader(io.StringIO(text))]
