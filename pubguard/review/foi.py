"""依申请公开 (《中华人民共和国政府信息公开条例》2019): the register of requests and their
statutory clocks, answers, 区分处理 through the clean copy, and the 告知书.

Clocks (limits in `foi.toml`, working days on the official calendar, the day of receipt not
counted):
- 补正 (第三十条): asked for once, within 7 working days of receipt. While the applicant corrects,
  no answer clock runs; it starts again from the day the 补正 is received.
- Answer (第三十三条): within 20 working days of `clock_start`; one extension of at most 20,
  approved by the head of the 政府信息公开工作机构 (role `foi_head`) before the limit, notified in
  writing (the 延期答复告知书).
- Third-party / other organs' consultation (第三十二条、第三十四条): the third party has 15 working
  days; the time does not count towards the answer limit (the clock pauses).
- Reminders `remind` working days before each limit.

The applicant (name or organisation, ID / credit code, phone, address, e-mail, the request as
written) is in `foi_private`; only `foi_register` and the 告知书 addressed to the applicant read
it. Partial release (部分公开) needs a draft made from a 依申请公开 draft with the existing clean
copy (`make_clean_version`) and approved through the normal review (三审三校)."""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard import labels
from pubguard.review.base import Actor, ServiceBase, _iso
from pubguard.review.deadlines import add_working_days, is_workday, working_days_between
from pubguard.review.errors import InvalidInput, InvalidState, NotFound
from pubguard.review.gate import ON_REQUEST
from pubguard.review.models import Draft, User
from pubguard.review.privacy import PrivateValues
from pubguard.review.readmodels import (
    FoiApplicantView,
    FoiCandidateDraft,
    FoiDraftRef,
    FoiLimitReminder,
    FoiLimitView,
    FoiNoticeReminder,
    FoiPreparedView,
    FoiRegisterView,
    FoiView,
)
from pubguard.review.registers import FoiPrivate, FoiRequest

CONFIG_FILE = Path(__file__).parent / "foi.toml"
MAX_TEXT = 10000
MAX_WALK = 800  # calendar days searched for a limit (far beyond any statutory period)


class FoiStatus(StrEnum):
    REGISTERED = "registered"
    CORRECTION = "correction"
    CONSULTATION = "consultation"
    ANSWERED = "answered"


STATUS_LABELS: dict[str, str] = labels.FOI_STATUS  # one home: pubguard.labels
ACTION_LABELS: dict[str, str] = labels.AUDIT_ACTION


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    with CONFIG_FILE.open("rb") as fh:
        return tomllib.load(fh)


def limits() -> dict[str, int]:
    return {k: int(v) for k, v in config()["limits"].items()}


def answer_types() -> dict[str, dict[str, Any]]:
    return dict(config()["answers"])


def _pick(value: str, table: dict[str, str], what: str) -> str:
    value = (value or "").strip()
    if value in table:
        return value
    for key, label in table.items():
        if label == value:
            return key
    raise InvalidInput(f"{what}无效：可选 {'、'.join(table.values())}。")


# ---------------------------------------------------------------- the clock (pure)


@dataclass(frozen=True)
class Limit:
    kind: str  # correction | answer | consultation
    label: str
    due: dt.date | None  # None: paused (征求意见 under way)
    remaining: int | None
    overdue: bool
    soon: bool
    approximate: bool
    text: str

    def to_dict(self) -> FoiLimitView:
        return {
            "kind": self.kind,
            "label": self.label,
            "due": _iso(self.due),
            "remaining": self.remaining,
            "overdue": self.overdue,
            "soon": self.soon,
            "approximate": self.approximate,
            "text": self.text,
        }


def _paused(day: dt.date, pauses: list[tuple[dt.date, dt.date | None]]) -> bool:
    return any(start < day and (end is None or day <= end) for start, end in pauses)


def answer_due(
    start: dt.date, days: int, pauses: list[tuple[dt.date, dt.date | None]] | tuple[()] = ()
) -> tuple[dt.date | None, bool]:
    """The `days`-th working day after `start` not inside a pause ((start, end] of a 征求意见);
    None while a pause is still open."""
    if any(end is None for _, end in pauses):
        return None, False
    approximate = False
    day = start
    counted = 0
    for _ in range(MAX_WALK):
        if counted >= days:
            break
        day += dt.timedelta(days=1)
        work, approx = is_workday(day)
        approximate |= approx
        if work and not _paused(day, list(pauses)):
            counted += 1
    return day, approximate


def _limit(kind: str, label: str, due: dt.date | None, today: dt.date, approx: bool, what: str) -> Limit:
    remind = limits()["remind"]
    note = "（节假日数据缺失，按周一至周五估算）" if approx else ""
    if due is None:
        return Limit(kind, label, None, None, False, False, approx, f"{label}：征求意见期间暂停计算")
    remaining, approx2 = working_days_between(today, due)
    approx |= approx2
    overdue = today > due
    if overdue:
        text = f"{label}：已超期 {-remaining} 个工作日（应于 {due.isoformat()} 前{what}）{note}"
    elif remaining == 0:
        text = f"{label}：今日（{due.isoformat()}）到期{note}"
    else:
        text = f"{label}：剩余 {remaining} 个工作日（{due.isoformat()} 前{what}）{note}"
    return Limit(kind, label, due, remaining, overdue, not overdue and remaining <= remind, approx, text)


def clock(req: FoiRequest, today: dt.date) -> list[Limit]:
    """The limits still running for a request (none once answered)."""
    if req.status == FoiStatus.ANSWERED:
        return []
    lim = limits()
    out: list[Limit] = []
    if req.correction_requested_on is None:
        due, approx = add_working_days(req.received_on, lim["correction"])
        if today <= due:  # past it, 补正 can no longer be asked for: nothing to remind
            out.append(_limit("correction", "告知补正期限", due, today, approx, "一次性告知补正"))
    pauses = _pauses(req)
    if req.status == FoiStatus.CONSULTATION:
        start = pauses[-1][0]
        due, approx = add_working_days(start, lim["consultation"])
        out.append(_limit("consultation", "第三方答复期限", due, today, approx, "收到意见"))
    if req.status != FoiStatus.CORRECTION:
        label = f"答复期限（已延期 {req.extension_days} 个工作日）" if req.extension_days else "答复期限"
        answer, approx = answer_due(req.clock_start, lim["answer"] + req.extension_days, pauses)
        out.append(_limit("answer", label, answer, today, approx, "答复"))
    return out


def _pauses(req: FoiRequest) -> list[tuple[dt.date, dt.date | None]]:
    out = []
    for p in req.pauses or []:
        end = p.get("end")
        out.append((dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(end) if end else None))
    return out


# ---------------------------------------------------------------- the service


class FoiMixin(ServiceBase):
    def _acting(self, s: Session, actor: Actor) -> User:
        """The acting user (required: `_user` raises when there is none)."""
        user = self._user(s, actor)
        assert user is not None
        return user

    def _foi(self, s: Session, request_id: int, *, lock: bool = False) -> FoiRequest:
        stmt = select(FoiRequest).where(FoiRequest.id == request_id)
        if lock:
            stmt = stmt.with_for_update()
        req = s.execute(stmt).scalar_one_or_none()
        if req is None:
            raise NotFound(f"依申请公开申请不存在：{request_id}。")
        return req

    def _foi_staff(self, user: User, site: str, what: str) -> None:
        self._require_role(user, site, "foi", "foi_head", "admin", what=what)

    @staticmethod
    def _foi_ref(req: FoiRequest) -> dict[str, Any]:
        return {"foi_id": req.id, "number": req.number}

    def _day(self, value: dt.date | str | None) -> dt.date:
        if value is None or value == "":
            return self.today()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput("日期格式应为 YYYY-MM-DD。") from exc

    def register_foi(
        self,
        actor: Actor,
        site: str,
        *,
        description: str,
        applicant: dict[str, Any] | None = None,
        applicant_kind: str = "natural",
        channel: str = "online",
        received_on: dt.date | str | None = None,
    ) -> FoiView:
        """Register a request. `applicant`: name (person or organisation), id_number, phone,
        address, email — stored apart; the description is kept masked elsewhere."""
        description = (description or "").replace("\x00", "").strip()
        if not description or len(description) > MAX_TEXT:
            raise InvalidInput(f"请填写所需政府信息的名称、文号或便于查询的特征性描述（{MAX_TEXT} 字以内）。")
        applicant = {k: str(v or "").replace("\x00", "").strip() for k, v in (applicant or {}).items()}
        if not applicant.get("name"):
            raise InvalidInput("请填写申请人姓名或名称（第二十九条）。")
        if not (applicant.get("phone") or applicant.get("address") or applicant.get("email")):
            raise InvalidInput("请填写申请人的联系方式（第二十九条）。")
        kind = _pick(applicant_kind, config()["applicant_kinds"], "申请人类别")
        channel_key = _pick(channel, config()["channels"], "申请方式")
        with self.db.write() as s:
            user = self._acting(s, actor)
            from pubguard.review.interaction import InteractionMixin

            InteractionMixin._require_site(s, site)
            self._foi_staff(user, site, "登记依申请公开申请")
            private = PrivateValues.from_dict(applicant)
            day = self._day(received_on)
            masked = self._mask(description, private).text  # InteractionMixin._mask (same service)
            req = FoiRequest(
                site=site,
                number=f"tmp-{uuid.uuid4().hex[:24]}",
                channel=channel_key,
                applicant_kind=kind,
                description=masked,
                received_at=self.now(),
                received_on=day,
                clock_start=day,
                created_by_id=user.id,
            )
            s.add(req)
            s.flush()
            req.number = f"YSQ{day.year}-{req.id:06d}"
            s.add(
                FoiPrivate(
                    request_id=req.id,
                    name=applicant.get("name", "")[:200],
                    id_number=applicant.get("id_number", "")[:50],
                    phone=applicant.get("phone", "")[:50],
                    address=applicant.get("address", "")[:300],
                    email=applicant.get("email", "")[:200],
                    description=description,
                )
            )
            self._audit(s, user, "foi.register", details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def request_correction(
        self, actor: Actor, request_id: int, items: str, *, on: dt.date | str | None = None
    ) -> FoiView:
        """告知补正 — once, stating everything to correct; the answer clock stops until the 补正 arrives."""
        items = (items or "").replace("\x00", "").strip()
        if not items:
            raise InvalidInput("请一次性写明需要补正的事项和合理的补正期限。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "告知补正")
            if req.status != FoiStatus.REGISTERED or req.correction_requested_on is not None:
                raise InvalidState("补正只能一次性告知，且须在答复前。")
            day = self._day(on)
            due, _ = add_working_days(req.received_on, limits()["correction"])
            if day > due:
                raise InvalidState(
                    f"已超过告知补正的期限（收到申请之日起 {limits()['correction']} 个工作日，即 {due.isoformat()}），"
                    "不能再要求补正。"
                )
            req.correction_requested_on = day
            req.correction_items = items[:MAX_TEXT]
            req.status = FoiStatus.CORRECTION
            self._audit(s, user, "foi.correction", details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def receive_correction(
        self, actor: Actor, request_id: int, *, on: dt.date | str | None = None
    ) -> FoiView:
        """The 补正 arrived: the 20-working-day answer clock starts again from that day."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "登记收到补正")
            if req.status != FoiStatus.CORRECTION:
                raise InvalidState("该申请没有待补正事项。")
            day = self._day(on)
            if req.correction_requested_on and day < req.correction_requested_on:
                raise InvalidInput("收到补正的日期不能早于告知补正的日期。")
            req.correction_received_on = day
            req.clock_start = day
            req.status = FoiStatus.REGISTERED
            self._audit(s, user, "foi.correction_received", details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def start_consultation(
        self, actor: Actor, request_id: int, *, party: str, on: dt.date | str | None = None
    ) -> FoiView:
        """征求第三方（或其他机关）意见: the answer clock pauses."""
        party = (party or "").replace("\x00", "").strip()
        if not party:
            raise InvalidInput("请填写征求意见的对象（第三方或其他机关）。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "征求第三方意见")
            if req.status != FoiStatus.REGISTERED:
                raise InvalidState("只有办理中的申请可以征求意见。")
            day = self._day(on)
            req.pauses = [*(req.pauses or []), {"start": day.isoformat(), "end": None, "party": party[:200]}]
            req.status = FoiStatus.CONSULTATION
            self._audit(s, user, "foi.consultation", details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def end_consultation(
        self, actor: Actor, request_id: int, *, result: str = "", on: dt.date | str | None = None
    ) -> FoiView:
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "结束征求意见")
            if req.status != FoiStatus.CONSULTATION:
                raise InvalidState("该申请没有进行中的征求意见。")
            day = self._day(on)
            pauses = [dict(p) for p in req.pauses or []]
            if day < dt.date.fromisoformat(pauses[-1]["start"]):
                raise InvalidInput("结束日期不能早于开始日期。")
            pauses[-1]["end"] = day.isoformat()
            pauses[-1]["result"] = (result or "").replace("\x00", "")[:500]
            req.pauses = pauses
            req.status = FoiStatus.REGISTERED
            self._audit(s, user, "foi.consultation_end", details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def extend_foi(self, actor: Actor, request_id: int, days: int, reason: str) -> FoiView:
        """One extension of at most 20 working days, approved by the head of the 政府信息公开工作机构
        before the limit; the written notice is the 延期答复告知书 (`foi_notice(..., "extension")`)."""
        reason = (reason or "").replace("\x00", "").strip()
        if not reason:
            raise InvalidInput("请写明延期理由。")
        if not isinstance(days, int) or not 1 <= days <= limits()["extension_max"]:
            raise InvalidInput(f"延长的期限为 1 至 {limits()['extension_max']} 个工作日。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._require_role(user, req.site, "foi_head", what="批准延期答复")
            if req.status == FoiStatus.ANSWERED:
                raise InvalidState("该申请已答复。")
            if req.extension_days:
                raise InvalidState("答复期限只能延长一次。")
            due, _ = answer_due(req.clock_start, limits()["answer"], _pauses(req))
            if due is not None and self.today() > due:
                raise InvalidState(f"答复期限已于 {due.isoformat()} 届满，不能再延期。")
            req.extension_days = days
            req.extension_reason = reason[:2000]
            req.extension_on = self.today()
            req.extension_approved_by_id = user.id
            self._audit(s, user, "foi.extend", details=self._foi_ref(req) | {"days": days})
            return self._foi_view(s, req, user)

    # ------------------------------------------------------------ drafts and 区分处理

    def foi_candidate_drafts(self, actor: Actor, request_id: int, q: str = "") -> list[FoiCandidateDraft]:
        """Drafts of the request's site tagged 依申请公开, newest first (title contains `q`)."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id)
            self._foi_staff(user, req.site, "查找依申请公开稿件")
            stmt = (
                select(Draft)
                .where(Draft.site == req.site, Draft.disclosure == ON_REQUEST)
                .order_by(Draft.id.desc())
            )
            if q.strip():
                stmt = stmt.where(Draft.title.contains(q.strip()[:100]))
            return [
                {"id": d.id, "title": d.title, "column": d.column_name, "status": d.status}
                for d in s.execute(stmt.limit(100)).scalars()
            ]

    def foi_link_draft(self, actor: Actor, request_id: int, draft_id: int) -> FoiView:
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "关联稿件")
            draft = self._draft(s, draft_id)
            if draft.site != req.site or draft.disclosure != ON_REQUEST:
                raise InvalidInput("只能关联本站点公开属性为「依申请公开」的稿件。")
            req.source_draft_id = draft.id
            self._audit(s, user, "foi.link", draft=draft, details=self._foi_ref(req))
            return self._foi_view(s, req, user)

    def foi_prepare_release(
        self, actor: Actor, request_id: int, options: dict[str, Any] | None = None
    ) -> FoiPreparedView:
        """区分处理: a new draft from the linked 依申请公开 draft's current version, cleaned with the
        existing clean copy (`make_clean_version`) and submitted to the normal review. The actor
        needs the editor role (it becomes the draft's author)."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id)
            self._foi_staff(user, req.site, "准备区分处理稿")
            if req.source_draft_id is None:
                raise InvalidState("请先关联依申请公开稿件。")
            if req.status == FoiStatus.ANSWERED:
                raise InvalidState("该申请已答复。")
            source = self._draft(s, req.source_draft_id)
            version = self._current(s, source)
            if version is None:
                raise InvalidState("所关联的稿件没有版本。")
            data, filename, title, number = (
                self.store.get(version.sha256),
                version.filename,
                source.title,
                req.number,
            )
            site, column = req.site, source.column_name
        draft = self.create_draft(
            actor,
            site,
            f"依申请公开（区分处理）{number}：{title}"[:500],
            column=column,
            data=data,
            filename=filename,
        )
        source_id = draft["current_version_id"]
        if source_id is None:  # pragma: no cover - create_draft with data always adds a version
            raise InvalidState("区分处理稿件没有版本。")
        clean = self.make_clean_version(actor, draft["id"], source_id, options or {})
        self.set_disclosure(
            actor,
            draft["id"],
            ON_REQUEST,
            basis="《中华人民共和国政府信息公开条例》第三十七条",
            reason="依申请公开，区分处理",
        )
        self.submit(actor, draft["id"])
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            req.release_draft_id = draft["id"]
            self._audit(
                s, user, "foi.release_draft", draft=self._draft(s, draft["id"]), details=self._foi_ref(req)
            )
            view = self._foi_view(s, req, user)
        return {**view, "clean": clean.get("clean")}

    def _release_problem(self, s: Session, req: FoiRequest, *, clean_required: bool) -> str | None:
        if req.release_draft_id is None:
            return "部分公开须先准备区分处理稿并通过审核。"
        draft = self._draft(s, req.release_draft_id)
        version = self._current(s, draft)
        done = version is not None and all(
            st.status == "approved" and st.version_id == version.id for st in draft.steps
        )
        if version is None or not done:
            return "区分处理稿尚未在当前版本上完成全部审核。"
        if clean_required:
            if version.clean_copy is None:
                return "区分处理稿的当前版本不是 PubGuard 生成的清理稿。"
            from pubguard.review.gate import clean_copy_problems

            problems = clean_copy_problems(version.clean_copy.report or {})
            if problems:
                return "清理稿不可提供：" + "；".join(problems)
        return None

    def answer_foi(
        self,
        actor: Actor,
        request_id: int,
        answer_type: str,
        *,
        note: str = "",
        on: dt.date | str | None = None,
    ) -> FoiView:
        types = answer_types()
        key = _pick(answer_type, {k: v["label"] for k, v in types.items()}, "答复类型")
        spec = types[key]
        note = (note or "").replace("\x00", "").strip()
        if spec.get("needs_note") and not note:
            raise InvalidInput(f"「{spec['label']}」须写明依据或说明。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "答复申请")
            if req.status == FoiStatus.ANSWERED:
                raise InvalidState("该申请已答复。")
            if req.status == FoiStatus.CONSULTATION:
                raise InvalidState("征求意见尚未结束，请先登记意见结果。")
            if key == "no_correction" and req.status != FoiStatus.CORRECTION:
                raise InvalidState("只有待补正的申请可以按逾期不补正处理。")
            if req.status == FoiStatus.CORRECTION and key not in ("no_correction", "unclear"):
                raise InvalidState("申请待补正：收到补正后再答复，或按逾期不补正处理。")
            if spec.get("needs_release"):
                problem = self._release_problem(s, req, clean_required=True)
                if problem:
                    raise InvalidState(problem)
            elif key == "public" and req.release_draft_id is not None:
                problem = self._release_problem(s, req, clean_required=False)
                if problem:
                    raise InvalidState(problem)
            day = self._day(on)
            due, _ = answer_due(req.clock_start, limits()["answer"] + req.extension_days, _pauses(req))
            req.answer_type = key
            req.answer_article = spec.get("article", "")
            req.answer_note = self._mask(note, self._foi_private(s, req)).text[:MAX_TEXT] if note else ""
            req.answered_on = day
            req.answered_by_id = user.id
            req.answered_late = req.status != FoiStatus.CORRECTION and due is not None and day > due
            req.status = FoiStatus.ANSWERED
            self._audit(
                s, user, "foi.answer", details=self._foi_ref(req) | {"answer": key, "late": req.answered_late}
            )
            return self._foi_view(s, req, user)

    def foi_release_file(self, actor: Actor, request_id: int) -> tuple[str, bytes]:
        """The reviewed (clean) file for the applicant, once answered 予以公开/部分公开 with a release draft."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id)
            self._foi_staff(user, req.site, "向申请人提供信息")
            if req.answer_type not in ("public", "partial") or req.release_draft_id is None:
                raise InvalidState("该申请没有可提供的文件。")
            problem = self._release_problem(s, req, clean_required=req.answer_type == "partial")
            if problem:
                raise InvalidState(problem)
            draft = self._draft(s, req.release_draft_id)
            version = self._current(s, draft)
            assert version is not None  # checked by _release_problem
            self._audit(s, user, "foi.provide", draft=draft, details=self._foi_ref(req))
            return version.filename, self.store.get(version.sha256)

    # ------------------------------------------------------------ reading

    @staticmethod
    def _foi_private(s: Session, req: FoiRequest) -> PrivateValues:
        row = s.get(FoiPrivate, req.id)
        if row is None:
            return PrivateValues()
        return PrivateValues(
            name=row.name, phone=row.phone, address=row.address, email=row.email, id_number=row.id_number
        )

    def _foi_view(self, s: Session, req: FoiRequest, user: User | None) -> FoiView:
        cfg = config()
        types = answer_types()
        today = self.today()
        lims = [x.to_dict() for x in clock(req, today)]
        answer = next((x for x in lims if x["kind"] == "answer"), None)
        roles = self._roles(user, req.site) if user else set()
        staff = bool(roles & {"foi", "foi_head", "admin"})
        names = self._usernames(s, [req.extension_approved_by_id, req.answered_by_id])
        drafts: dict[str, FoiDraftRef | None] = {}
        for key in ("source_draft_id", "release_draft_id"):
            did = getattr(req, key)
            if did:
                d = s.get(Draft, did)
                drafts[key] = (
                    {"id": d.id, "title": d.title, "status": d.status, "status_label": d.status}
                    if d
                    else None
                )
        release_ok = (
            self._release_problem(s, req, clean_required=True) is None if req.release_draft_id else False
        )
        return {
            "id": req.id,
            "number": req.number,
            "site": req.site,
            "channel": req.channel,
            "channel_label": cfg["channels"].get(req.channel, req.channel),
            "applicant_kind": req.applicant_kind,
            "applicant_kind_label": cfg["applicant_kinds"].get(req.applicant_kind, req.applicant_kind),
            "description": req.description,
            "received_on": req.received_on.isoformat(),
            "clock_start": req.clock_start.isoformat(),
            "status": str(req.status),
            "status_label": STATUS_LABELS.get(FoiStatus(req.status), req.status),
            "limits": lims,
            "deadline": answer,
            "overdue": any(x["overdue"] for x in lims),
            "soon": any(x["soon"] for x in lims),
            "correction": {
                "requested_on": _iso(req.correction_requested_on),
                "items": req.correction_items,
                "received_on": _iso(req.correction_received_on),
            },
            "consultations": [dict(p) for p in req.pauses or []],
            "extension": {
                "days": req.extension_days,
                "reason": req.extension_reason,
                "on": _iso(req.extension_on),
                "approved_by": names.get(req.extension_approved_by_id or 0, ""),
                "notice_at": _iso(req.extension_notice_at),
                "notice_missing": bool(req.extension_days) and req.extension_notice_at is None,
            },
            "answer": {
                "type": req.answer_type,
                "label": types.get(req.answer_type or "", {}).get("label", ""),
                "article": req.answer_article,
                "note": req.answer_note,
                "on": _iso(req.answered_on),
                "by": names.get(req.answered_by_id or 0, ""),
                "late": req.answered_late,
            },
            "source_draft": drafts.get("source_draft_id"),
            "release_draft": drafts.get("release_draft_id"),
            "release_ready": release_ok,
            "actions": {
                "correction": staff
                and req.status == FoiStatus.REGISTERED
                and req.correction_requested_on is None,
                "correction_received": staff and req.status == FoiStatus.CORRECTION,
                "consultation": staff and req.status == FoiStatus.REGISTERED,
                "consultation_end": staff and req.status == FoiStatus.CONSULTATION,
                "extend": "foi_head" in roles and req.status != FoiStatus.ANSWERED and not req.extension_days,
                "answer": staff and req.status != FoiStatus.ANSWERED,
                "register": staff,
            },
        }

    def get_foi(self, actor: Actor, request_id: int) -> FoiView:
        with self.db.read() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id)
            self._foi_staff(user, req.site, "查看依申请公开申请")
            return self._foi_view(s, req, user)

    def list_foi(
        self,
        actor: Actor,
        site: str | None = None,
        *,
        todo: bool = False,
        year: int | None = None,
        limit: int = 300,
    ) -> list[FoiView]:
        """Requests the actor handles (`todo=True`: open ones, soonest limit first)."""
        with self.db.read() as s:
            user = self._acting(s, actor)
            stmt = select(FoiRequest).order_by(FoiRequest.id.desc())
            if site:
                stmt = stmt.where(FoiRequest.site == site)
            if todo:
                stmt = stmt.where(FoiRequest.status != FoiStatus.ANSWERED)
            if year:
                stmt = stmt.where(
                    FoiRequest.received_on >= dt.date(year, 1, 1),
                    FoiRequest.received_on <= dt.date(year, 12, 31),
                )
            out: list[FoiView] = []
            for req in s.execute(stmt).scalars():
                if not self._roles(user, req.site) & {"foi", "foi_head", "admin"}:
                    continue
                out.append(self._foi_view(s, req, user))
                if len(out) >= limit:
                    break
            if todo:
                out.sort(
                    key=lambda r: min((x["due"] or "9999") for x in r["limits"]) if r["limits"] else "9999"
                )
            return out

    def foi_reminders(self, actor: Actor) -> list[FoiLimitReminder | FoiNoticeReminder]:
        """Limits due within the reminder window (or past), one line each."""
        out: list[FoiLimitReminder | FoiNoticeReminder] = []
        for r in self.list_foi(actor, todo=True):
            for x in r["limits"]:
                if x["soon"] or x["overdue"]:
                    out.append({"id": r["id"], "number": r["number"], **x})
            if r["extension"]["notice_missing"]:
                out.append(
                    {
                        "id": r["id"],
                        "number": r["number"],
                        "kind": "extension_notice",
                        "text": "延期答复告知书尚未出具",
                    }
                )
        return out

    def foi_register(self, actor: Actor, request_id: int) -> FoiRegisterView:
        """The authorised register view with the applicant (audited, without values)."""
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id)
            self._require_role(user, req.site, "foi", "foi_head", "admin", what="查看申请人信息")
            row = s.get(FoiPrivate, req.id)
            self._audit(s, user, "foi.register_view", details=self._foi_ref(req))
            view = self._foi_view(s, req, user)
            applicant: FoiApplicantView = {
                "name": row.name if row else "",
                "id_number": row.id_number if row else "",
                "phone": row.phone if row else "",
                "address": row.address if row else "",
                "email": row.email if row else "",
                "description": row.description if row else "",
            }
            return {**view, "applicant": applicant}

    def foi_notice(
        self, actor: Actor, request_id: int, kind: str = "answer", fmt: str = "docx"
    ) -> tuple[str, bytes]:
        """The 告知书 (answer / correction / extension) as DOCX or PDF, addressed to the applicant.
        Only 依申请公开 staff; audited without the applicant's data."""
        from pubguard.review.foi_notice import notice_paragraphs, render_docx, render_pdf

        if kind not in ("answer", "correction", "extension") or fmt not in ("docx", "pdf"):
            raise InvalidInput("告知书类型为 answer、correction 或 extension，格式为 docx 或 pdf。")
        with self.db.write() as s:
            user = self._acting(s, actor)
            req = self._foi(s, request_id, lock=True)
            self._foi_staff(user, req.site, "出具告知书")
            if kind == "answer" and req.status != FoiStatus.ANSWERED:
                raise InvalidState("申请尚未答复，不能出具答复告知书。")
            if kind == "correction" and req.correction_requested_on is None:
                raise InvalidState("该申请没有告知补正。")
            if kind == "extension" and not req.extension_days:
                raise InvalidState("该申请没有延期。")
            from pubguard.review.models import Site

            site = s.get(Site, req.site)
            row = s.get(FoiPrivate, req.id)
            due, _ = answer_due(req.clock_start, limits()["answer"] + req.extension_days, _pauses(req))
            paras = notice_paragraphs(
                kind,
                number=req.number,
                organ=site.name if site else req.site,
                applicant=row.name if row else "",
                received_on=req.received_on,
                description=row.description if row else req.description,
                answer=answer_types().get(req.answer_type or "", {}),
                article=req.answer_article,
                note=req.answer_note,
                correction_items=req.correction_items,
                extension_days=req.extension_days,
                extension_reason=req.extension_reason,
                due=due,
                today=self.today(),
            )
            if kind == "extension" and req.extension_notice_at is None:
                req.extension_notice_at = self.now()
            self._audit(s, user, "foi.notice", details=self._foi_ref(req) | {"kind": kind, "format": fmt})
        data = render_docx(paras) if fmt == "docx" else render_pdf(paras)
        label = {"answer": "答复告知书", "correction": "补正告知书", "extension": "延期答复告知书"}[kind]
        return f"{req.number}-{label}.{fmt}", data


__all__ = ["FoiMixin", "FoiStatus", "answer_due", "answer_types", "clock", "config", "limits"]
