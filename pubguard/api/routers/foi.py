"""依申请公开 requests: register, statutory clock actions (补正, 征求意见, 延期), answers, 区分处理
drafts, the 告知书 (DOCX/PDF) and the register view. Each route is one call of
`pubguard.review.foi`; responses carry masked text only, except the register view and the
告知书 (addressed to the applicant), both for 依申请公开 staff and audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import ACTION, COMMON, attachment_headers
from pubguard.api.schemas import MAX_ID, Id, Input, Open, ShortText, Text
from pubguard.review import ReviewService
from pubguard.review.readmodels import FoiPreparedView, FoiView

router = APIRouter(tags=["依申请公开"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]
FoiId = Annotated[int, Path(ge=1, le=MAX_ID)]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class ApplicantIn(Input):
    name: Annotated[ShortText, Field(min_length=1)]
    id_number: Annotated[str, Field(max_length=50)] = ""
    phone: Annotated[str, Field(max_length=50)] = ""
    address: Annotated[str, Field(max_length=300)] = ""
    email: Annotated[str, Field(max_length=200)] = ""


class FoiIn(Input):
    site: Annotated[str, Field(min_length=1, max_length=64)]
    description: Annotated[Text, Field(min_length=1)]
    applicant: ApplicantIn
    applicant_kind: ShortText = "natural"
    channel: ShortText = "online"
    received_on: dt.date | None = None


class FoiOut(Open):
    id: int
    number: str
    status: str
    limits: list


class CorrectionIn(Input):
    items: Annotated[Text, Field(min_length=1)]
    on: dt.date | None = None


class OnIn(Input):
    on: dt.date | None = None


class ConsultIn(Input):
    party: Annotated[ShortText, Field(min_length=1)]
    on: dt.date | None = None


class ConsultEndIn(Input):
    result: Text = ""
    on: dt.date | None = None


class ExtendIn(Input):
    days: Annotated[int, Field(ge=1, le=20)]
    reason: Annotated[Text, Field(min_length=1)]


class AnswerIn(Input):
    answer_type: Annotated[ShortText, Field(min_length=1, description="答复类型（代码或中文名称）")]
    note: Text = ""
    on: dt.date | None = None


class LinkIn(Input):
    draft_id: Id


class CleanOptionsIn(Input):
    mask_preset: Literal["site", "id6-4", "last4"] | None = None
    drop_columns: bool | None = None
    revisions: Literal["accept", "reject"] | None = None


@router.post("/foi", status_code=201, response_model=FoiOut, responses=COMMON, summary="登记依申请公开申请")
def register(body: FoiIn, me: Me, svc: Svc) -> FoiView:
    return svc.register_foi(
        me.id,
        body.site,
        description=body.description,
        applicant=body.applicant.model_dump(),
        applicant_kind=body.applicant_kind,
        channel=body.channel,
        received_on=body.received_on,
    )


@router.get("/foi", response_model=list[FoiOut], responses=COMMON, summary="依申请公开申请（含待办）")
def list_foi(
    me: Me,
    svc: Svc,
    site: Annotated[str | None, Query(max_length=64)] = None,
    todo: Annotated[bool, Query(description="只看未答复的申请")] = False,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[FoiView]:
    return svc.list_foi(me.id, site, todo=todo, year=year)


@router.get("/foi/reminders", responses=COMMON, summary="即将到期或已超期的法定时限")
def reminders(me: Me, svc: Svc) -> list[dict]:
    return [dict(r) for r in svc.foi_reminders(me.id)]  # no response model: JSON as it was


@router.get("/foi/{foi_id}", response_model=FoiOut, responses=COMMON, summary="申请详情（已脱敏）")
def get_foi(foi_id: FoiId, me: Me, svc: Svc) -> FoiView:
    return svc.get_foi(me.id, foi_id)


@router.get("/foi/{foi_id}/register", responses=COMMON, summary="申请登记（含申请人信息，查看留痕）")
def register_view(foi_id: FoiId, me: Me, svc: Svc) -> dict:
    return dict(svc.foi_register(me.id, foi_id))  # no response model: JSON as it was


@router.post("/foi/{foi_id}/correction", response_model=FoiOut, responses=ACTION, summary="一次性告知补正")
def correction(foi_id: FoiId, body: CorrectionIn, me: Me, svc: Svc) -> FoiView:
    return svc.request_correction(me.id, foi_id, body.items, on=body.on)


@router.post("/foi/{foi_id}/correction/received", response_model=FoiOut, responses=ACTION, summary="收到补正")
def correction_received(foi_id: FoiId, body: OnIn, me: Me, svc: Svc) -> FoiView:
    return svc.receive_correction(me.id, foi_id, on=body.on)


@router.post(
    "/foi/{foi_id}/consultation",
    response_model=FoiOut,
    responses=ACTION,
    summary="征求第三方意见（计时暂停）",
)
def consultation(foi_id: FoiId, body: ConsultIn, me: Me, svc: Svc) -> FoiView:
    return svc.start_consultation(me.id, foi_id, party=body.party, on=body.on)


@router.post(
    "/foi/{foi_id}/consultation/end", response_model=FoiOut, responses=ACTION, summary="征求意见结束"
)
def consultation_end(foi_id: FoiId, body: ConsultEndIn, me: Me, svc: Svc) -> FoiView:
    return svc.end_consultation(me.id, foi_id, result=body.result, on=body.on)


@router.post(
    "/foi/{foi_id}/extend", response_model=FoiOut, responses=ACTION, summary="延期答复（负责人批准，一次）"
)
def extend(foi_id: FoiId, body: ExtendIn, me: Me, svc: Svc) -> FoiView:
    return svc.extend_foi(me.id, foi_id, body.days, body.reason)


@router.post("/foi/{foi_id}/answer", response_model=FoiOut, responses=ACTION, summary="答复")
def answer(foi_id: FoiId, body: AnswerIn, me: Me, svc: Svc) -> FoiView:
    return svc.answer_foi(me.id, foi_id, body.answer_type, note=body.note, on=body.on)


@router.get("/foi/{foi_id}/drafts", responses=COMMON, summary="查找依申请公开稿件")
def candidates(foi_id: FoiId, me: Me, svc: Svc, q: Annotated[str, Query(max_length=100)] = "") -> list[dict]:
    return [dict(d) for d in svc.foi_candidate_drafts(me.id, foi_id, q)]  # no response model: JSON as it was


@router.post("/foi/{foi_id}/link", response_model=FoiOut, responses=ACTION, summary="关联依申请公开稿件")
def link(foi_id: FoiId, body: LinkIn, me: Me, svc: Svc) -> FoiView:
    return svc.foi_link_draft(me.id, foi_id, body.draft_id)


@router.post(
    "/foi/{foi_id}/release-draft",
    response_model=FoiOut,
    responses=ACTION,
    summary="生成区分处理稿（清理稿）并送审",
)
def release_draft(foi_id: FoiId, body: CleanOptionsIn, me: Me, svc: Svc) -> FoiPreparedView:
    return svc.foi_prepare_release(me.id, foi_id, body.model_dump(exclude_none=True))


def _file(name: str, data: bytes, media: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers=attachment_headers(name, no_store=True),
    )


@router.get(
    "/foi/{foi_id}/notice",
    response_class=Response,
    responses=COMMON | {200: {"content": {m: {} for m in MEDIA.values()}, "description": "告知书"}},
    summary="告知书（DOCX / PDF）",
)
def notice(
    foi_id: FoiId,
    me: Me,
    svc: Svc,
    kind: Annotated[Literal["answer", "correction", "extension"], Query()] = "answer",
    fmt: Annotated[Literal["docx", "pdf"], Query(alias="format")] = "docx",
) -> Response:
    name, data = svc.foi_notice(me.id, foi_id, kind, fmt)
    return _file(name, data, MEDIA[fmt])


@router.get(
    "/foi/{foi_id}/file",
    response_class=Response,
    responses=ACTION
    | {200: {"content": {"application/octet-stream": {}}, "description": "提供给申请人的文件"}},
    summary="提供给申请人的文件（已审核的区分处理稿）",
)
def release_file(foi_id: FoiId, me: Me, svc: Svc) -> Response:
    name, data = svc.foi_release_file(me.id, foi_id)
    return _file(name, data, "application/octet-stream")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Annotated[int, Query(ge=2000, le=2100)]
SiteKey = Annotated[str, Query(min_length=1, max_length=64)]


@router.get("/annual-report", tags=["年度报告"], responses=COMMON, summary="政府信息公开工作年度报告统计表")
def annual_report(site: SiteKey, year: Year, me: Me, svc: Svc) -> dict:
    return dict(svc.annual_report(me.id, site, year))  # no response model: JSON as it was


@router.get(
    "/annual-report.xlsx",
    tags=["年度报告"],
    response_class=Response,
    responses=COMMON | {200: {"content": {XLSX: {}}, "description": "统计表（XLSX）"}},
    summary="年度报告统计表（XLSX）",
)
def annual_report_xlsx(site: SiteKey, year: Year, me: Me, svc: Svc) -> Response:
    return _file(
        f"政府信息公开工作年度报告统计表-{year}.xlsx", svc.annual_report_xlsx(me.id, site, year), XLSX
    )


@router.get(
    "/annual-report.docx",
    tags=["年度报告"],
    response_class=Response,
    responses=COMMON | {200: {"content": {MEDIA["docx"]: {}}, "description": "年度报告第二、三部分（DOCX）"}},
    summary="年度报告第二、三部分（DOCX）",
)
def annual_report_docx(site: SiteKey, year: Year, me: Me, svc: Svc) -> Response:
    return _file(
        f"政府信息公开工作年度报告-{year}.docx", svc.annual_report_docx(me.id, site, year), MEDIA["docx"]
    )
