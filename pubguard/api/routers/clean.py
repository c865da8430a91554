"""Clean copies and annotated drafts: make the publishable copy of a version (a new version,
re-scanned by a background job like an upload), read its clean report, download the draft with
every finding as a Word comment / PDF note. Routes only call the review service."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from pubguard.api.deps import Principal, current_principal, get_service
from pubguard.api.routers import COMMON, attachment_headers, errors
from pubguard.api.routers.drafts import DraftId, upload_response
from pubguard.api.routers.versions import VersionId
from pubguard.api.schemas import Input, Open, Text, UploadOut
from pubguard.review import ReviewService
from pubguard.review.readmodels import CleanReportView

router = APIRouter(tags=["清理稿与批注版"])
Svc = Annotated[ReviewService, Depends(get_service)]
Me = Annotated[Principal, Depends(current_principal)]


class CleanIn(Input):
    """Options of one clean copy (all optional)."""

    mask_preset: Literal["site", "id6-4", "last4"] = Field(
        default="site",
        description="脱敏方式：site 按站点配置；id6-4 身份证保留前6位和后4位；last4 身份证仅留后4位",
    )
    drop_columns: bool = Field(
        default=False,
        description="删除身份证号列：名单表格中的身份证号、银行卡号、电话等整列删除（否则列内脱敏）",
    )
    revisions: Literal["accept", "reject"] = Field(
        default="accept", description="修订处理：accept 接受修订；reject 拒绝修订"
    )
    name_style: Literal["surname", "first_last"] | None = Field(
        default=None, description="姓名脱敏样式：surname 张*；first_last 张*明（默认随脱敏方式）"
    )
    keep_header_text: bool = Field(default=False, description="版头保留发文机关名称（改为黑色）而不删除")
    note: Text = Field(default="", description="版本说明（默认：第N版的清理稿）")

    def options(self) -> dict[str, Any]:
        return self.model_dump(exclude={"note"})


class CleanOut(UploadOut):
    clean: dict[str, Any] | None = Field(
        default=None,
        description="清理结果：删除/脱敏的内容（规则、位置、脱敏后的证据）、复查结论、能否发布及原因",
    )


class CleanReportOut(Open):
    draft_id: int
    version_id: int
    number: int
    source_version_id: int
    report: dict[str, Any] = Field(description="清理报告 pubguard.clean/1（仅含脱敏后的证据）")
    review: dict[str, Any] = Field(description="供审核人员查看的摘要：删除项、复查结论、能否发布及原因")


@router.post(
    "/drafts/{draft_id}/versions/{version_id}/clean",
    response_model=CleanOut,
    status_code=202,
    responses=errors(401, 403, 404, 409, 422),
    summary="生成清理稿（作为新版本保存，后台复查）",
)
def make_clean_copy(
    request: Request, draft_id: DraftId, version_id: VersionId, me: Me, svc: Svc, body: CleanIn | None = None
) -> dict:
    body = body or CleanIn()
    version = svc.make_clean_version(
        me.id, draft_id, version_id, body.options(), note=body.note.replace("\x00", ""), scan=False
    )
    out = upload_response(request, svc, me, draft_id, version)
    out["clean"] = version["clean"]
    return out


@router.get(
    "/drafts/{draft_id}/versions/{version_id}/clean-report",
    response_model=CleanReportOut,
    responses=COMMON,
    summary="清理稿的清理报告与复查结论",
)
def clean_report(draft_id: DraftId, version_id: VersionId, me: Me, svc: Svc) -> CleanReportView:
    return svc.get_clean_report(me.id, draft_id, version_id)


@router.get(
    "/drafts/{draft_id}/versions/{version_id}/annotated",
    responses={
        200: {
            "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                "application/pdf": {},
            },
            "description": "批注版：每个问题作为 Word 批注或 PDF 注释标在原文处",
        },
        **COMMON,
    },
    summary="下载批注版（Word 批注 / PDF 注释）",
)
def annotated(draft_id: DraftId, version_id: VersionId, me: Me, svc: Svc) -> Response:
    filename, data, media_type = svc.annotated_file(me.id, draft_id, version_id)
    return Response(
        data,
        media_type=media_type,
        headers=attachment_headers(filename),
    )
