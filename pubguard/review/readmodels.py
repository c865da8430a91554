"""Typed read models of the review service: the shape of what it returns to the API, the
web UI and the CLI. They are TypedDicts, so the values stay plain JSON-ready dicts at run
time (the API's response models and the templates read them unchanged) while mypy checks
every key that producers write and consumers read.

Add a key here first, then in the function that builds the view (views.py). Keys are listed
in the order the builder writes them: the JSON the API serves keeps that order, and
tests/review/test_readmodels.py checks both the keys and their order against real results."""

from __future__ import annotations

from typing import Any, Literal

# typing_extensions' TypedDict (the same plain dicts at run time): pydantic can validate it on
# Python < 3.12, which tests/review/test_readmodels.py does against real service results.
from typing_extensions import TypedDict


class StepView(TypedDict):
    """One step of a draft's workflow (`ViewsMixin._step_dict`)."""

    key: str
    name: str
    kind: str  # review | proofread
    role: str
    role_label: str
    level: int | None
    status: str  # a states.StepStatus value
    active: bool
    version_id: int | None
    assignee: str | None
    assignee_id: int | None
    approved_by: str | None
    approved_by_id: int | None
    approved_at: str | None  # ISO 8601
    comment: str
    carried: bool
    confirms_disclosure: bool


class FindingView(TypedDict):
    """One finding row of a version, with its decision (`ViewsMixin._finding_dict`)."""

    id: int
    draft_id: int
    version_id: int
    fingerprint: str
    category: str
    rule: str
    severity: str
    message: str
    evidence: str  # masked by the detector
    location: dict[str, Any] | None
    page: int | None
    suggestion: str
    basis: str
    confidence: float
    block_kind: str | None
    details: dict[str, Any]
    status: str  # a states.FindingStatus value
    status_label: str
    decision: str | None
    decision_reason: str
    decision_level: int | None
    decided_by: str | None
    decided_at: str | None  # ISO 8601
    carried_over: bool
    confirmed_by: str | None
    confirmed_at: str | None  # ISO 8601
    fixed_in_version_id: int | None


class DisclosureView(TypedDict):
    """The 公开属性 block of a draft summary: the scan's proposal, the setting, the 终审
    confirmation (`ViewsMixin._draft_summary`; GET /drafts/{id}/disclosure)."""

    proposed: str | None
    proposal: dict[str, Any] | None  # gate.propose_disclosure's suggestion as stored
    attribute: str | None  # 主动公开 | 依申请公开 | 不予公开, None: not set
    basis: str
    reason: str
    set_by: str | None
    set_at: str | None  # ISO 8601
    confirmed_by: str | None
    confirmed_at: str | None  # ISO 8601
    confirmed_version_id: int | None


class RejectionView(TypedDict):
    """The latest 退回意见 while it is the news about a draft (`ViewsMixin._last_rejection`)."""

    body: str
    author: str | None
    step_name: str
    at: str | None  # ISO 8601


class DeadlineView(TypedDict):
    """The 公开时限 of a draft (`deadlines.Deadline.to_dict`)."""

    kind: str  # normal | important | change
    label: str
    limit_days: int
    start: str  # ISO date
    due: str  # ISO date
    remaining: int  # working days left; negative: overdue by that many
    overdue: bool
    approximate: bool
    text: str


class ClassChoice(TypedDict):
    key: str
    label: str


class InfoClassView(TypedDict):
    """The 信息类别 block of a draft summary (`routes.info_class_view`)."""

    key: str
    label: str | None
    reason: str
    needs_interpretation: bool
    proposal: dict[str, Any] | None  # the scan's class suggestion as stored
    differs: bool
    choices: list[ClassChoice]


class GateView(TypedDict):
    """The release gate (`check_release`, `get_draft()["gate"]`): ok, or every reason why not."""

    ok: bool
    reasons: list[str]


class DraftSummaryView(TypedDict):
    """One draft in lists and after every workflow action (`ViewsMixin._draft_summary`)."""

    last_rejection: RejectionView | None
    id: int
    site: str
    site_name: str
    column: str
    title: str
    status: str  # a states.DraftStatus value
    status_label: str
    returned: bool
    important: bool
    workflow: str
    created_by: str | None
    created_by_id: int
    created_at: str | None  # ISO 8601
    updated_at: str | None  # ISO 8601
    formed_on: str | None  # ISO date
    current_version_id: int | None
    current_version: int | None  # its number (第n版)
    scan_status: str | None  # a states.ScanStatus value of the current version
    released_version_id: int | None
    released_at: str | None  # ISO 8601
    active_step: StepView | None
    steps: list[StepView]
    open_findings: dict[str, int]  # severity -> open findings of the current version
    disclosure: DisclosureView
    deadline: DeadlineView | None
    info_class: InfoClassView | None
    lock_version: int


class VersionView(TypedDict):
    """One version of a draft (`ViewsMixin._version_dict`; the upload answer's `version`)."""

    id: int
    draft_id: int
    number: int
    filename: str
    sha256: str
    size: int
    format: str | None
    note: str
    uploaded_by_id: int
    created_at: str | None  # ISO 8601
    scan_status: str  # a states.ScanStatus value
    scan_error: str | None
    scan_error_code: str | None
    pages: int
    scanned_at: str | None  # ISO 8601
    clean_of_version_id: int | None
    clean: dict[str, Any] | None  # cleancopy.clean_view of a clean copy


class JobView(TypedDict):
    """A background scan job (`models.Job.to_dict`; `claim_job`, `run_job`, `get_job`)."""

    id: int
    kind: str
    version_id: int | None
    status: str  # a states.JobStatus value
    attempts: int
    error: str | None
    pages_done: int | None
    pages_total: int | None
    pages_stage: str | None  # read | analyse
    pages_stage_label: str | None
    created_at: str | None  # ISO 8601
    finished_at: str | None  # ISO 8601


class JobStatusView(JobView):
    """A job with its version's scan status (`queries.job_status`, GET /jobs/{id})."""

    draft_id: int
    scan_status: str


class VersionMetaView(VersionView):
    """A version with its latest scan job (`queries.version_meta`, GET /versions/{id})."""

    job: JobView | None
    site: str
    current: bool  # it is the draft's current version


class CommentView(TypedDict):
    """A comment, correction or rejection (`ViewsMixin._comment_dict`)."""

    id: int
    version_id: int | None
    step_key: str | None
    author: str | None
    author_id: int
    kind: str  # comment | correction | rejection
    body: str
    attachment_sha256: str | None
    attachment_name: str | None
    created_at: str | None  # ISO 8601


class PublishedAttachmentView(TypedDict):
    """A 附件 published with a release, with its web address (`views._published_attachment`)."""

    file: str | None  # as recorded in the release row
    sha256: str | None
    size: int | None
    location: str
    url: str | None
    url_text: str | None


class ReleaseView(TypedDict):
    """A release record (`ViewsMixin._release_dict`); `url`: the page's web address."""

    id: int
    draft_id: int
    version_id: int
    target_kind: str
    target: str
    location: str
    url: str | None
    url_text: str | None
    file: str
    released_by: str | None
    released_at: str | None  # ISO 8601
    withdrawn_at: str | None  # ISO 8601
    withdrawn_by: str | None
    withdraw_reason: str
    attachments: list[PublishedAttachmentView]


class LinkedDraft(TypedDict):
    draft_id: int
    title: str
    status: str
    status_label: str


class LinksView(TypedDict):
    """Policy ↔ 解读 links of a draft (`interpretation.links_view`)."""

    needs_interpretation: bool
    interpretation: LinkedDraft | None
    policy: LinkedDraft | None


class DraftDetailView(DraftSummaryView):
    """Everything about a draft for its page (`ViewsMixin.get_draft`): the summary, then these."""

    versions: list[VersionView]
    findings: list[FindingView]
    comments: list[CommentView]
    releases: list[ReleaseView]
    gate: GateView
    actions: list[str]
    approval_hold: str | None
    open_blockers: int
    links: LinksView


class RoleGrantView(TypedDict):
    site: str  # "*": every site
    role: str


class UserView(TypedDict):
    """An account (`models.User.to_dict`); the e-mail address only masked."""

    id: int
    username: str
    display_name: str
    is_active: bool
    is_admin: bool
    email_masked: str
    roles: list[RoleGrantView]


class SessionUserView(UserView):
    """The account behind a token (`resolve_token`; the web API's `Principal.user`)."""

    token_kind: str  # session | api | …


class SiteView(TypedDict):
    """A site (`models.Site.to_dict`)."""

    key: str
    name: str
    workflow: str
    publish: dict[str, Any] | None  # publish target config (publish.target_from_config)
    columns: list[str]


class NotificationView(TypedDict):
    """One 消息 (`notify._notification_dict`)."""

    id: int
    draft_id: int | None
    kind: str  # turn | returned | deadline_soon | overdue
    kind_label: str
    title: str
    body: str
    link: str
    created_at: str | None  # ISO 8601
    read_at: str | None  # ISO 8601
    emailed: bool


class AttachmentView(TypedDict):
    """A 附件 of a draft with its own scan (`AttachmentsMixin._attachment_dict`)."""

    id: int
    draft_id: int
    version_id: int
    filename: str
    size: int
    format: str | None
    sha256: str
    uploaded_by: str
    created_at: str | None  # ISO 8601
    scan_status: str
    scan_error: str | None
    findings: list[dict[str, Any]]  # category, rule, severity, message, evidence, location
    counts: dict[str, int]  # severity -> findings
    blocking: int
    problems: list[str]  # gate reasons


class AuditEntryView(TypedDict):
    """One entry of the hash-chained audit log (`audit.entry_to_dict`)."""

    seq: int
    at: str  # ISO 8601 UTC, as hashed
    actor_id: int | None
    actor: str  # username, or "system"
    action: str
    draft_id: int | None
    version_id: int | None
    step: str | None
    comment: str
    details: dict[str, Any]  # the action's own record (canonical JSON in the row)
    prev_hash: str
    hash: str


class AuditLogEntryView(AuditEntryView):
    """An audit entry as the pages show it (`ViewsMixin.audit_log`)."""

    actor_name: str
    what: str  # what was decided, in Chinese (views.audit_what)
    step_name: str | None


class PrecisionRow(TypedDict):
    """Reviewer decisions on one detector's findings (`ViewsMixin.detector_precision`)."""

    detector: str
    confirmed: int
    accepted: int
    fixed: int
    false_positive: int
    open: int
    decided: int
    precision: float | None  # None: nothing decided yet


class InfoClassDefView(TypedDict):
    """One information class of a workflow (`routes.InfoClassDef.to_dict`; `info_classes`)."""

    key: str
    label: str
    description: str
    important: bool
    needs_interpretation: bool
    extra_steps: list[str]  # names of the steps the class adds
    omit: list[str]  # keys of the steps it leaves out


class RevealView(TypedDict):
    """查看完整值: one personal value in full (`RevealMixin.reveal_value`; audited, never stored)."""

    finding_id: int
    value: str


class CleanReportView(TypedDict):
    """A clean copy's stored report and the reviewers' view of it (`get_clean_report`)."""

    draft_id: int
    version_id: int
    number: int
    source_version_id: int
    report: dict[str, Any]  # CleanReport.to_dict() (pubguard.clean/1), masked evidence only
    review: dict[str, Any]  # cleancopy.clean_view


Settled = Literal["finished", "rolled_back", "retry"]  # how reconcile settled one release intent


class ReconcileView(TypedDict):
    """What `reconcile()` did: draft ids per outcome, and the stray files it swept."""

    finished: list[int]
    rolled_back: list[int]
    retry: list[int]
    swept: list[str]


# ---------------------------------------------------------------------- 值班读网 (duty.py)
class RosterEntryView(TypedDict):
    """One person on duty on one day (`DutyMixin.roster`)."""

    date: str  # ISO date
    username: str
    name: str


class DutyFindingSummary(TypedDict):
    """A finding of a re-scan as the duty log keeps it (`duty._finding_summary`); evidence is
    masked by the detector."""

    fingerprint: str | None
    category: str | None
    rule: str | None
    severity: str | None
    message: str | None
    evidence: str | None
    page: int | None


class DutyRescanView(TypedDict):
    """A re-scan of a published copy (`duty._rescan_summary`), stored on the duty item."""

    status: str
    error: str | None
    anomaly: str  # '' when the page looks right
    findings: list[DutyFindingSummary]
    new: list[DutyFindingSummary]  # not seen at review
    withdrawn: bool


class DutyItemView(TypedDict):
    """One entry of the 值班读网日志 (`DutyMixin._item_dict`)."""

    id: int
    site: str
    kind: str  # recheck | finding | anomaly
    kind_label: str
    draft_id: int | None
    release_id: int | None
    run_id: int | None
    title: str
    location: str
    due_on: str  # ISO date
    overdue: bool
    assignee: str | None
    finding: dict[str, Any] | None  # stored JSON: a DutyFindingSummary, or {"message": …} for an anomaly
    rescan: dict[str, Any] | None  # stored JSON: a DutyRescanView
    rescanned_at: str | None  # ISO 8601
    status: str  # open | closed
    status_label: str
    checked_by: str | None
    checked_at: str | None
    found: str | None
    outcome: str | None  # corrected | withdrawn | no_issue
    outcome_label: str
    created_at: str | None


class DutyRunView(TypedDict):
    """The summary of one site's daily re-scan (`DutyMixin._run_site`)."""

    site: str
    run_id: int
    date: str  # ISO date
    pages: int
    findings: int
    new_items: int
    errors: list[str]


# ---------------------------------------------------------------------- 依申请公开 (foi.py)
class FoiLimitView(TypedDict):
    """One time limit of a request (`foi.Limit.to_dict`)."""

    kind: str  # correction | answer | consultation
    label: str
    due: str | None  # ISO date; None while paused (征求意见 under way)
    remaining: int | None
    overdue: bool
    soon: bool
    approximate: bool
    text: str


class FoiDraftRef(TypedDict):
    """The linked 依申请公开 draft or the 区分处理 draft of a request."""

    id: int
    title: str
    status: str
    status_label: str


class FoiCorrectionView(TypedDict):
    requested_on: str | None
    items: str
    received_on: str | None


class FoiExtensionView(TypedDict):
    days: int
    reason: str
    on: str | None
    approved_by: str
    notice_at: str | None
    notice_missing: bool


class FoiAnswerView(TypedDict):
    type: str | None
    label: str
    article: str
    note: str
    on: str | None
    by: str
    late: bool


class FoiActionsView(TypedDict):
    """What the reader may do next (buttons of the request page)."""

    correction: bool
    correction_received: bool
    consultation: bool
    consultation_end: bool
    extend: bool
    answer: bool
    register: bool


class FoiView(TypedDict):
    """One 依申请公开 request (`FoiMixin._foi_view`); the applicant is not in it."""

    id: int
    number: str
    site: str
    channel: str
    channel_label: str
    applicant_kind: str
    applicant_kind_label: str
    description: str  # masked
    received_on: str
    clock_start: str
    status: str  # a foi.FoiStatus value
    status_label: str
    limits: list[FoiLimitView]
    deadline: FoiLimitView | None  # the answer limit
    overdue: bool
    soon: bool
    correction: FoiCorrectionView
    consultations: list[dict[str, Any]]  # stored JSON pauses (start, end, …)
    extension: FoiExtensionView
    answer: FoiAnswerView
    source_draft: FoiDraftRef | None
    release_draft: FoiDraftRef | None
    release_ready: bool
    actions: FoiActionsView


class FoiApplicantView(TypedDict):
    name: str
    id_number: str
    phone: str
    address: str
    email: str
    description: str  # as written


class FoiRegisterView(FoiView):
    """The authorised register view of a request, with its applicant (`foi_register`)."""

    applicant: FoiApplicantView


class FoiPreparedView(FoiView):
    """A request after its 区分处理 draft was prepared (`foi_prepare_release`)."""

    clean: dict[str, Any] | None  # the clean copy's cleancopy.clean_view


class FoiCandidateDraft(TypedDict):
    """A draft tagged 依申请公开 that a request may be linked to (`foi_candidate_drafts`)."""

    id: int
    title: str
    column: str
    status: str


class FoiLimitReminder(TypedDict):
    """A limit due soon or past, for the reminders list (`foi_reminders`): the request's id and
    number, then the FoiLimitView keys."""

    id: int
    number: str
    kind: str
    label: str
    due: str | None
    remaining: int | None
    overdue: bool
    soon: bool
    approximate: bool
    text: str


class FoiNoticeReminder(TypedDict):
    """A missing 延期答复告知书 in the reminders list (`foi_reminders`)."""

    id: int
    number: str
    kind: str  # extension_notice
    text: str


# ---------------------------------------------------------------------- 政民互动 (interaction.py)
class MessageTypeView(TypedDict):
    """A message type of a site and its time limit (`interaction.TypeDef.to_dict`)."""

    key: str
    label: str
    days: int  # working days
    accusation: bool  # 检举控告: never handed to the accused unit


class UnitView(TypedDict):
    """An 承办单位 with its heads and members (`InteractionMixin._unit_dict`)."""

    id: int
    site: str
    name: str
    heads: list[str]
    members: list[str]


class ImportErrorRow(TypedDict):
    row: int  # row number in the file (header = 1)
    message: str  # never with the row's values


class MessageImportView(TypedDict):
    """What `import_messages` registered and which rows it skipped."""

    imported: int
    numbers: list[str]
    errors: list[ImportErrorRow]


class QaCheckView(TypedDict):
    """The 保密审查 of a Q&A as it would be published (`check_publication`)."""

    question: str  # masked
    answer: str  # masked
    ok: bool
    problems: list[str]


class MessageDeadlineView(TypedDict):
    """A message's time limit (`InteractionMixin._deadline`)."""

    limit_days: int
    due: str  # ISO date
    remaining: int
    overdue: bool
    soon: bool
    approximate: bool
    text: str


class InstructionView(TypedDict):
    """A leader's 批示 on a message."""

    leader: str
    body: str
    at: str | None  # ISO 8601


# What the reader may do next with a message (buttons of the message page). The functional
# form, because "return" is a keyword.
MessageActionsView = TypedDict(
    "MessageActionsView",
    {
        "assign": bool,
        "reply": bool,
        "return": bool,
        "review": bool,
        "publish": bool,
        "close": bool,
        "instruct": bool,
        "register": bool,
    },
)


class MessageSummaryView(TypedDict):
    """A message as the lists show it (`InteractionMixin._message_summary`): masked text only."""

    id: int
    number: str
    site: str
    channel: str
    channel_label: str
    type: str
    type_label: str
    accusation: bool
    subject: str  # masked
    status: str  # an interaction.MessageStatus value
    status_label: str
    source: str  # api | import | form
    public_consent: bool
    received_at: str | None  # ISO 8601
    received_on: str  # ISO date
    unit_id: int | None
    unit: str
    deadline: MessageDeadlineView
    answered_on: str | None
    published_at: str | None
    satisfaction: str | None
    satisfaction_label: str


class MessageView(MessageSummaryView):
    """A message as its handlers see it (`InteractionMixin._message_view`), never the writer's data."""

    body: str  # masked
    reply: str
    reply_by: str
    reviewed_by: str
    review_comment: str
    published_question: str
    published_answer: str
    scan: dict[str, Any] | None  # stored JSON: ok, problems, masked
    instructions: list[InstructionView]
    actions: MessageActionsView


class WriterView(TypedDict):
    """The writer's data and the text as written (`message_register` only, audited)."""

    name: str
    phone: str
    address: str
    email: str
    secrets: list[str]
    subject: str
    body: str


class MessageRegisterView(MessageView):
    writer: WriterView


class PublishedMessageView(TypedDict):
    """One public Q&A of a site (`published_messages`): masked, no 批示, no writer data."""

    number: str
    channel_label: str
    subject: str
    question: str
    answer: str
    unit: str
    received_on: str
    answered_on: str | None
    published_at: str | None


class TallyView(TypedDict):
    """受理、办结、超期、满意度 counts of a period (`interaction._Tally.to_dict`)."""

    received: int
    answered: int
    on_time: int
    overdue: int
    open_overdue: int
    on_time_rate: str  # "95.0%" or "—"
    satisfied: int
    basic: int
    unsatisfied: int
    rated: int
    satisfaction_rate: str


class NamedTallyView(TypedDict):
    """A TallyView of one unit or type, its name first."""

    name: str
    received: int
    answered: int
    on_time: int
    overdue: int
    open_overdue: int
    on_time_rate: str
    satisfied: int
    basic: int
    unsatisfied: int
    rated: int
    satisfaction_rate: str


class InteractionStatsView(TypedDict):
    """政民互动 statistics of a month, quarter or year (`interaction_stats`)."""

    site: str
    period: str
    start: str
    end: str
    total: TallyView
    by_unit: list[NamedTallyView]
    by_type: list[NamedTallyView]


# ---------------------------------------------------------------------- 发布登记 (register.py)
class RegisterApprovalView(TypedDict):
    """One approval of a release's 谁审查谁负责 record, up to the release."""

    step: str
    name: str
    by: str  # the username (API contract)
    at: str  # ISO 8601 UTC as audited
    by_name: str  # what people read


class RegisterDeadlineView(TypedDict):
    label: str
    due: str  # ISO date
    approximate: bool


class RegisterRowView(TypedDict):
    """One release in the release register (`RegisterMixin._register_row`)."""

    release_id: int
    draft_id: int
    site: str
    column: str
    title: str
    version: int | None
    info_class: str | None
    info_class_label: str
    disclosure: str | None
    important: bool
    formed_on: str  # ISO date
    submitted_at: str | None
    released_at: str | None
    released_by: str | None
    location: str
    withdrawn_at: str | None
    withdrawn_by: str | None
    withdraw_reason: str
    steps: list[RegisterApprovalView]
    deadline: RegisterDeadlineView
    deadline_met: bool
    archive: str  # the archive's API path


# ---------------------------------------------------------------------- 年度报告 (annual_report.py)
class AnnualRowView(TypedDict):
    """One row of the 收到和处理政府信息公开申请情况 table."""

    key: str | None  # None: a heading row without numbers
    label: str
    level: int  # 0 a numbered row, 1 a result group or row, 2 a sub-row
    cells: list[int] | None  # one per applicant kind, then the total


class ColumnCountView(TypedDict):
    column: str
    count: int


class Article20View(TypedDict):
    """A 第二十条 table of the report, left for the office to fill in."""

    item: str
    head: list[str]
    rows: list[list[str | None]]


class ProactiveView(TypedDict):
    """主动公开政府信息情况 of the year."""

    releases: int
    withdrawn: int
    by_column: list[ColumnCountView]
    qa_published: int
    article_20: list[Article20View]


class AnnualReportView(TypedDict):
    """The figures of a site's 政府信息公开工作年度报告 (`AnnualReportMixin.annual_report`)."""

    site: str
    year: int
    columns: list[str]
    applications: list[AnnualRowView]
    balanced: bool  # received == handled
    proactive: ProactiveView
