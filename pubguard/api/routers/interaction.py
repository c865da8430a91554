"""政民互动 (网民留言 / 市长信箱 / 书记信箱): messages, handling units, limits by type, reply, 审阅,
保密审查 and publication, the register view, statistics. Every route is one call of the review
library (`pubguard.review.interaction`); no rule lives here. Responses carry masked text only,
except `GET /messages/{id}/register` (政民互动受理 staff), which is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.errors import ApiError
from pubguard.api.routers import ACTION, COMMON, errors
from pubguard.api.schemas import MAX_ID, Id, Input, Open, ShortText, Text
from pubguard.review import ReviewService
from pubguard.review.readmodels import MessageSummaryView, MessageView

router = APIRouter(tags=["政民互动"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID)]
SiteKey = Annotated[str, Query(min_length=1, max_length=64)]
MAX_IMPORT = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WriterIn(Input):
    name: ShortText = ""
    phone: Annotated[str, Field(max_length=50)] = ""
    address: Annotated[str, Field(max_length=300)] = ""
    email: Annotated[str, Field(max_length=200)] = ""
    secrets: Annotated[list[ShortText], Field(max_length=20)] = []


class MessageIn(Input):
    site: Annotated[str, Field(min_length=1, max_length=64)]
    subject: Annotated[ShortText, Field(min_length=1)]
    body: Annotated[Text, Field(min_length=1)]
    type: ShortText = "other"
    channel: ShortText = "netizen"
    writer: WriterIn = WriterIn()
    received_at: dt.datetime | None = Field(None, description="来信时间（缺省为现在）")
    accused_unit: Id | None = Field(None, description="检举控告类：被检举控告的单位 id")
    public_consent: bool = Field(True, description="来信人是否同意公开")


class MessageOut(Open):
    id: int
    number: str
    status: str
    subject: str
    deadline: dict


class AssignIn(Input):
    unit_id: Id
    comment: Text = ""


class ReasonIn(Input):
    reason: Annotated[Text, Field(min_length=1)]


class InstructionIn(Input):
    leader: Annotated[ShortText, Field(min_length=1)]
    body: Annotated[Text, Field(min_length=1)]


class ReplyIn(Input):
    text: Annotated[Text, Field(min_length=1)]
    submit: bool = Field(False, description="同时提交单位负责人审阅")


class ReviewIn(Input):
    approve: bool
    comment: Text = ""


class CloseIn(Input):
    satisfaction: Literal["satisfied", "basic", "unsatisfied", "满意", "基本满意", "不满意"] | None = None


class TypeIn(Input):
    days: Annotated[int, Field(ge=1, le=60)]
    label: ShortText | None = None


class UnitIn(Input):
    site: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[ShortText, Field(min_length=1)]
    head: ShortText | None = None
    members: Annotated[list[ShortText], Field(max_length=100)] = []


class MemberIn(Input):
    username: Annotated[ShortText, Field(min_length=1)]
    head: bool = False


Month = Annotated[int | None, Query(ge=1, le=12)]
Quarter = Annotated[int | None, Query(ge=1, le=4)]


@router.get("/interaction/types", responses=COMMON, summary="留言类型与办理时限（工作日）")
def list_types(site: SiteKey, me: Me, svc: Svc) -> list[dict]:
    return [dict(t.to_dict()) for t in svc.message_types(site).values()]  # no response model: JSON as it was


@router.put("/interaction/types/{site}/{key}", responses=COMMON, summary="设置本站点某类留言的办理时限")
def set_type(
    site: Annotated[str, Path(max_length=64)],
    key: Annotated[str, Path(max_length=32)],
    body: TypeIn,
    me: Me,
    svc: Svc,
) -> dict:
    view = svc.set_message_type(me.id, site, key, body.days, body.label)
    return dict(view)  # no response model: JSON as it was


@router.get("/interaction/units", responses=COMMON, summary="承办单位")
def list_units(site: SiteKey, me: Me, svc: Svc) -> list[dict]:
    rows = svc.list_units(site)
    return [dict(r) for r in rows]  # no response model: JSON as it was


@router.post("/interaction/units", status_code=201, responses=COMMON, summary="创建承办单位")
def create_unit(body: UnitIn, me: Me, svc: Svc) -> dict:
    view = svc.create_unit(me.id, body.site, body.name, head=body.head, members=body.members)
    return dict(view)  # no response model: JSON as it was


@router.post("/interaction/units/{unit_id}/members", responses=COMMON, summary="设置承办单位成员（负责人）")
def set_member(unit_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: MemberIn, me: Me, svc: Svc) -> dict:
    view = svc.set_unit_member(me.id, unit_id, body.username, head=body.head)
    return dict(view)  # no response model: JSON as it was


@router.post("/messages", status_code=201, response_model=MessageOut, responses=COMMON, summary="登记来信")
def receive(body: MessageIn, me: Me, svc: Svc) -> MessageView:
    return svc.receive_message(
        me.id,
        body.site,
        subject=body.subject,
        body=body.body,
        type=body.type,
        channel=body.channel,
        writer=body.writer.model_dump(),
        received_at=body.received_at,
        accused_unit=body.accused_unit,
        public_consent=body.public_consent,
    )


@router.post("/messages/import", responses=errors(401, 403, 404, 413, 422), summary="导入来信（CSV / XLSX）")
def import_messages(
    me: Me,
    svc: Svc,
    site: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GB18030）或 XLSX，首行为中文表头")],
) -> dict:
    data = file.file.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        raise ApiError(413, "too_large", "导入文件过大（上限 20 MB）。")
    view = svc.import_messages(me.id, site, data, file.filename or "import.csv")
    return dict(view)  # no response model: JSON as it was


@router.get("/messages", response_model=list[MessageOut], responses=COMMON, summary="来信列表（含我的待办）")
def list_messages(
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        Literal["received", "assigned", "reviewing", "answered", "published", "closed"] | None, Query()
    ] = None,
    overdue: Annotated[bool | None, Query(description="true 只看超期")] = None,
    todo: Annotated[bool, Query(description="只看轮到我处理的来信")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[MessageSummaryView]:
    return svc.list_messages(me.id, site, status=status, overdue=overdue, todo=todo, limit=limit)


@router.get(
    "/messages/{message_id}", response_model=MessageOut, responses=COMMON, summary="来信详情（已脱敏）"
)
def get_message(message_id: MessageId, me: Me, svc: Svc) -> MessageView:
    return svc.get_message(me.id, message_id)


@router.get(
    "/messages/{message_id}/register",
    responses=COMMON,
    summary="来信登记（含来信人信息；仅政民互动受理人员，查看留痕）",
)
def register(message_id: MessageId, me: Me, svc: Svc) -> dict:
    view = svc.message_register(me.id, message_id)
    return dict(view)  # no response model: JSON as it was


@router.post("/messages/{message_id}/assign", response_model=MessageOut, responses=ACTION, summary="分办")
def assign(message_id: MessageId, body: AssignIn, me: Me, svc: Svc) -> MessageView:
    return svc.assign_message(me.id, message_id, body.unit_id, comment=body.comment)


@router.post("/messages/{message_id}/return", response_model=MessageOut, responses=ACTION, summary="退回分办")
def return_message(message_id: MessageId, body: ReasonIn, me: Me, svc: Svc) -> MessageView:
    return svc.return_message(me.id, message_id, body.reason)


@router.post(
    "/messages/{message_id}/instructions",
    response_model=MessageOut,
    responses=ACTION,
    summary="登记领导批示（不公开）",
)
def instruction(message_id: MessageId, body: InstructionIn, me: Me, svc: Svc) -> MessageView:
    return svc.add_instruction(me.id, message_id, body.leader, body.body)


@router.post("/messages/{message_id}/reply", response_model=MessageOut, responses=ACTION, summary="拟写答复")
def reply(message_id: MessageId, body: ReplyIn, me: Me, svc: Svc) -> MessageView:
    return svc.draft_reply(me.id, message_id, body.text, submit=body.submit)


@router.post(
    "/messages/{message_id}/review", response_model=MessageOut, responses=ACTION, summary="单位负责人审阅答复"
)
def review(message_id: MessageId, body: ReviewIn, me: Me, svc: Svc) -> MessageView:
    return svc.review_reply(me.id, message_id, approve=body.approve, comment=body.comment)


@router.get("/messages/{message_id}/check", responses=COMMON, summary="公开前保密审查（预览脱敏后的问答）")
def check(message_id: MessageId, me: Me, svc: Svc) -> dict:
    view = svc.check_publication(me.id, message_id)
    return dict(view)  # no response model: JSON as it was


@router.post(
    "/messages/{message_id}/publish",
    response_model=MessageOut,
    responses=ACTION,
    summary="公开问答（脱敏并复查）",
)
def publish(message_id: MessageId, me: Me, svc: Svc) -> MessageView:
    return svc.publish_message(me.id, message_id)


@router.post(
    "/messages/{message_id}/close", response_model=MessageOut, responses=ACTION, summary="办结（可记满意度）"
)
def close(message_id: MessageId, body: CloseIn, me: Me, svc: Svc) -> MessageView:
    return svc.close_message(me.id, message_id, satisfaction=body.satisfaction)


@router.get("/interaction/published", responses=COMMON, summary="已公开的问答")
def published(site: SiteKey, me: Me, svc: Svc) -> list[dict]:
    rows = svc.published_messages(site)
    return [dict(r) for r in rows]  # no response model: JSON as it was


@router.get("/interaction/stats", responses=COMMON, summary="办理情况统计（月督查、季通报）")
def stats(
    site: SiteKey,
    year: Annotated[int, Query(ge=2000, le=2100)],
    me: Me,
    svc: Svc,
    month: Month = None,
    quarter: Quarter = None,
) -> dict:
    view = svc.interaction_stats(me.id, site, year, month=month, quarter=quarter)
    return dict(view)  # no response model: JSON as it was


@router.get(
    "/interaction/stats.xlsx",
    responses=COMMON | {200: {"content": {XLSX: {}}, "description": "统计表（XLSX）"}},
    response_class=Response,
    summary="办理情况统计表（XLSX）",
)
def stats_xlsx(
    site: SiteKey,
    year: Annotated[int, Query(ge=2000, le=2100)],
    me: Me,
    svc: Svc,
    month: Month = None,
    quarter: Quarter = None,
) -> Response:
    data = svc.interaction_stats_xlsx(me.id, site, year, month=month, quarter=quarter)
    safe = "".join(c for c in site if c.isascii() and (c.isalnum() or c in "_.-"))[:64] or "site"
    name = f"interaction-{safe}-{year}{f'-m{month}' if month else ''}{f'-q{quarter}' if quarter else ''}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
