"""Request and response models of the HTTP API (pydantic). Responses mirror the review
library's dicts: the commonly used fields are typed, further fields pass through unchanged."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    return value


Text = Annotated[str, AfterValidator(_no_nul), Field(max_length=5000)]
ShortText = Annotated[str, AfterValidator(_no_nul), Field(max_length=200)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
StepKey = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=32)]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Input(BaseModel):
    """Base of every JSON request body: an unknown field is refused (422), not silently dropped,
    so a misspelt field name cannot look accepted. (/api/v1/check's body, sent by CMSs, is the
    one exception.)"""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- errors


class ErrorOut(BaseModel):
    code: str = Field(description="机器可读的错误代码，如 forbidden、stale_version、too_large")
    message: str = Field(description="中文错误信息")
    details: dict[str, Any] = Field(default_factory=dict)


# ---------------------------------------------------------------- auth and users


class LoginIn(Input):
    username: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=64)]
    password: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=256)]


class TokenIn(LoginIn):
    ttl_days: Annotated[int, Field(ge=1, le=365)] | None = None
    scope: Literal["api", "check"] = Field(
        "api", description="api：完整接口；check：只能调用发布前检查 /api/v1/check（供内容管理系统使用）"
    )


class RoleOut(BaseModel):
    site: str
    role: str


class UserOut(Open):
    id: int
    username: str
    display_name: str = ""
    is_active: bool = True
    is_admin: bool = False
    roles: list[RoleOut] = Field(default_factory=list)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Cookie 会话的 CSRF 令牌：修改类请求须放在 X-CSRF-Token 请求头")


class MeOut(BaseModel):
    user: UserOut
    via: Literal["cookie", "bearer"]
    csrf_token: str = ""


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in_days: int


class RoleIn(Input):
    site: ShortText
    role: Literal["editor", "proofreader", "reviewer1", "reviewer2", "reviewer3", "publisher", "admin"]


class UserCreateIn(Input):
    username: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=64)]
    display_name: ShortText = ""
    password: Annotated[str, AfterValidator(_no_nul), Field(min_length=8, max_length=256)]
    is_admin: bool = False
    roles: Annotated[list[RoleIn], Field(max_length=50)] = Field(default_factory=list)


class SiteOut(Open):
    key: str
    name: str
    workflow: str
    columns: list[str] = []  # the site's 栏目 (empty: free text)


# ---------------------------------------------------------------- drafts, versions, jobs


class JobOut(Open):
    id: int
    kind: str
    version_id: int | None = None
    status: str
    attempts: int = 0
    error: str | None = None
    pages_done: int | None = Field(None, description="已检查的页数（PDF 等分页文件，检查进行中时更新）")
    pages_total: int | None = Field(None, description="总页数（开始检查后可知）")
    pages_stage: str | None = Field(None, description="进行中的阶段：read 读取内容，analyse 分析图像")
    pages_stage_label: str | None = Field(None, description="阶段的中文名称（显示用）")


class VersionOut(Open):
    id: int
    draft_id: int
    number: int
    filename: str
    sha256: str
    size: int
    format: str | None = None
    scan_status: str
    scan_error: str | None = None
    pages: int = 0
    job: JobOut | None = None


class StepOut(Open):
    key: str
    name: str
    kind: str
    role: str
    status: str
    active: bool = False


class DraftSummary(Open):
    id: int
    site: str
    column: str = ""
    title: str
    status: str
    status_label: str
    current_version_id: int | None = None
    scan_status: str | None = None
    active_step: StepOut | None = None
    steps: list[StepOut] = Field(default_factory=list)
    deadline: dict[str, Any] | None = None
    disclosure: dict[str, Any] = Field(default_factory=dict)
    info_class: dict[str, Any] | None = None


class FindingOut(Open):
    id: int
    version_id: int
    category: str
    rule: str
    severity: str
    message: str
    evidence: str
    page: int | None = None
    status: str
    decision: str | None = None


class DraftDetail(DraftSummary):
    versions: list[VersionOut] = Field(default_factory=list)
    findings: list[FindingOut] = Field(default_factory=list)
    comments: list[dict[str, Any]] = Field(default_factory=list)
    releases: list[dict[str, Any]] = Field(default_factory=list)
    gate: dict[str, Any] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)


class UploadOut(BaseModel):
    draft: DraftSummary
    version: VersionOut
    job: JobOut | None = None


class ScanStatusOut(Open):
    version_id: int
    draft_id: int
    scan_status: str
    job: JobOut | None = None


class ImportantIn(Input):
    important: bool


# ---------------------------------------------------------------- findings and workflow


class DecisionIn(Input):
    decision: Literal["confirmed", "false_positive", "accepted", "open"] = Field(
        description="confirmed 确认须修改；false_positive 误报（须填理由）；accepted 接受发布（须填理由和审核级别）；open 撤销决定"
    )
    reason: Text = ""
    level: Annotated[int, Field(ge=1, le=3)] | None = None


class RevealIn(Input):
    reason: Text = Field("", description="查看完整值的理由（必填，至少 4 个字；记入审计日志）")


class RevealOut(BaseModel):
    finding_id: int
    value: str = Field(description="完整值：只在本次响应中出现（不缓存、不记录）")


class SubmitIn(Input):
    version_id: Id | None = None
    comment: Text = ""
    # Open 阻断 findings: false refuses (the client showed a warning the user did not confirm);
    # omitted: go ahead (the count is recorded in the audit entry). Policy "refuse" always refuses.
    acknowledge_blockers: bool | None = None


class ClaimIn(Input):
    step_key: StepKey | None = None


class ApproveIn(Input):
    version_id: Id = Field(description="审核所依据的版本；不是当前版本时返回 409 stale_version")
    step_key: StepKey | None = None
    comment: Text = ""


class RejectIn(Input):
    version_id: Id
    comment: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=5000)]
    to_step: StepKey | None = Field(default=None, description="退回到的前序步骤；不填则退回编辑")
    step_key: StepKey | None = None


class RecallIn(Input):
    comment: Text = ""


class ReassignIn(Input):
    step_key: StepKey
    assignee: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=64)] | None = None


class CommentIn(Input):
    body: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=5000)]
    kind: Literal["comment", "correction"] = "comment"
    step_key: StepKey | None = None


class DisclosureIn(Input):
    attribute: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=16)] = Field(
        description="主动公开 / 依申请公开 / 不予公开"
    )
    basis: Text = ""
    reason: Text = ""


class ReleaseIn(Input):
    version_id: Id | None = None


class WithdrawIn(Input):
    reason: Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=5000)]


class ArchiveIn(Input):
    comment: Text = ""


class GateOut(BaseModel):
    ok: bool
    reasons: list[str]


class ReleaseOut(Open):
    id: int
    draft_id: int
    version_id: int
    location: str


class AuditEntryOut(Open):
    seq: int
    at: str
    actor: str
    action: str
    draft_id: int | None = None
    version_id: int | None = None
    step: str | None = None
    comment: str = ""
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    head_hash: str
    problems: list[dict[str, Any]]


class DiffOut(BaseModel):
    from_version_id: int
    to_version_id: int
    unified: str
    added: int
    removed: int
    text_source: Literal["text", "ocr", "ocr_missing"] = Field(
        "text",
        description="比较的文字来源：text 文件文字；ocr 扫描件/图片经 OCR 识别的文字；ocr_missing 图片文字未能识别（未安装 OCR）",
    )
    same_file: bool = Field(False, description="两个版本是否为同一文件（内容完全相同）")
