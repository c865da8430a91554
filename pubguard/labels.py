"""The Chinese label of every code a user can see: one table per kind of code, all here.

Codes (severities, categories, block kinds, draft statuses, decisions, roles, actions …) are
identifiers in English; whatever shows them to a person — web UI templates, CLI text output,
HTML/XLSX/text reports — looks the label up here (`label(kind, code)`, or the table itself).
The tables hold plain strings keyed by the code's string value, so StrEnum members look up too.
Modules that own an enum re-export their table from here (`finding.SEVERITY_LABELS`,
`review.states.STATUS_LABELS`, `review.workflow.ROLES` …). Rules are named by their detector's
catalogue (`Detector.rules`), see `rule_label`. No imports beyond the standard library: this
module is imported by `pubguard.finding` and must stay cheap.
"""

from __future__ import annotations

from functools import lru_cache

SEVERITY: dict[str, str] = {
    "blocker": "阻断",
    "high": "高",
    "medium": "中",
    "low": "低",
    "info": "提示",
}

CATEGORY: dict[str, str] = {
    "classification_mark": "密级与内部标识",
    "red_header": "红头版头",
    "seal": "印章与签名",
    "leader_annotation": "领导批示",
    "personal_data": "个人信息",
    "sensitive_term": "敏感词与规范表述",
    "hidden_content": "隐藏内容",
    "proofreading": "校对",
    "publication": "发布要求",  # pubguard.review.interpretation.REVIEW_CATEGORY
}

# Where the text of a finding sat (pubguard.document.BlockKind).
BLOCK_KIND: dict[str, str] = {
    "body": "正文",
    "table_cell": "表格",
    "header": "页眉",
    "footer": "页脚",
    "text_box": "文本框",
    "comment": "批注",
    "revision_insert": "修订（插入的文字）",
    "revision_delete": "修订（删除的文字）",
    "metadata": "文档属性",
    "annotation": "PDF 注释",
    "ocr": "图片识别文字（OCR）",
    "alt_text": "图片说明文字",
}

# pubguard.review.states.DraftStatus
DRAFT_STATUS: dict[str, str] = {
    "draft": "草稿",
    "in_review": "审核中",
    "approved": "待发布",
    "released": "已发布",
    "withdrawn": "已撤稿",
    "archived": "已归档",
}

# A finding's decision / status on a draft (pubguard.review.states.FindingStatus).
DECISION: dict[str, str] = {
    "open": "待处理",
    "confirmed": "确认须修改",
    "false_positive": "误报",
    "accepted": "接受发布",
    "fixed": "已修复",
}

# Roles per site (pubguard.review.workflow.ROLES: the keys are the valid roles).
ROLE: dict[str, str] = {
    "editor": "编辑",
    "proofreader": "校对",
    "reviewer1": "初审",
    "reviewer2": "复审",
    "reviewer3": "终审",
    "publisher": "发布",
    "admin": "管理员",
    # 政民互动 / 依申请公开 registers (pubguard.review.interaction, pubguard.review.foi)
    "interaction": "政民互动受理",
    "foi": "依申请公开经办",
    "foi_head": "政府信息公开工作机构负责人",
    # Steps held by another organisation (分级审批, `routes.py`): their people hold these roles.
    "gov_office": "政府办公室审批",
    "superior": "上级部门审核",
}

# What a user may do on a draft now (pubguard.review.views._actions).
DRAFT_ACTION: dict[str, str] = {
    "upload": "上传新版本",
    "clean": "生成清理稿",
    "submit": "送审",
    "recall": "撤回送审",
    "approve": "审核通过",
    "reject": "退回",
    "claim": "领取",
    "reassign": "转交",
    "decide": "处理问题",
    "set_disclosure": "设置公开属性",
    "set_info_class": "设置信息类别",
    "release": "发布",
    "withdraw": "撤稿",
    "archive": "归档",
    "comment": "发表意见",
}

# Audit log actions (pubguard.review.audit: the `action` of every entry).
AUDIT_ACTION: dict[str, str] = {
    "draft.create": "创建稿件",
    "version.upload": "上传版本",
    "version.clean": "生成清理稿",
    "scan.complete": "检查完成",
    "disclosure.set": "设置公开属性",
    "draft.submit": "送审",
    "draft.recall": "撤回送审",
    "draft.important": "修改重要信息标记",
    "step.claim": "领取",
    "step.approve": "审核通过",
    "step.reject": "退回",
    "step.reassign": "转交",
    "finding.decide": "问题处理",
    "finding.unmask": "查看个人信息完整值",
    "key.rotate": "轮换指纹密钥",
    "comment.add": "意见",
    "release": "发布",
    "withdraw": "撤稿",
    "archive": "归档",
    "archive.export": "导出归档",
    "provide_on_request": "依申请提供",
    "user.create": "创建用户",
    "user.update": "修改用户信息",
    "user.deactivate": "停用用户",
    "user.activate": "启用用户",
    "user.reset_password": "重置密码",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "user.password": "修改密码",
    "user.email": "修改邮箱",
    "token.issue": "签发令牌",
    "site.create": "创建站点",
    "site.columns": "设置栏目",
    "draft.info_class": "设置信息类别",
    "draft.assign": "分派稿件",
    "interpretation.link": "关联政策解读",
    "interpretation.unlink": "解除政策解读关联",
    "duty.roster": "排定值班",
    "duty.rescan": "值班复查",
    "duty.run": "每日读网复查",
    "duty.close": "办结值班事项",
    "finding.confirm": "确认问题",
    "attachment.add": "添加附件",
    "attachment.remove": "删除附件",
    "release.rollback": "发布回退",
    # 依申请公开 (pubguard.review.foi)
    "foi.register": "登记依申请公开申请",
    "foi.correction": "告知补正",
    "foi.correction_received": "收到补正",
    "foi.consultation": "征求第三方意见",
    "foi.consultation_end": "征求意见结束",
    "foi.extend": "延期答复",
    "foi.answer": "答复申请",
    "foi.link": "关联依申请公开稿件",
    "foi.release_draft": "区分处理稿送审",
    "foi.notice": "出具告知书",
    "foi.register_view": "查看申请人信息",
    "foi.provide": "向申请人提供信息",
    # 政民互动 (pubguard.review.interaction)
    "message.receive": "登记来信",
    "message.import": "导入来信",
    "message.assign": "分办",
    "message.return": "退回分办",
    "message.reply": "拟写答复",
    "message.submit": "提交审阅",
    "message.review": "审阅答复",
    "message.publish": "公开问答",
    "message.close": "办结",
    "message.instruction": "领导批示",
    "message.register_view": "查看来信人信息",
    "message.type": "设置留言办理时限",
    "unit.create": "创建承办单位",
    "unit.member": "设置承办单位成员",
}

# 依申请公开 request status (pubguard.review.foi.FoiStatus).
FOI_STATUS: dict[str, str] = {
    "registered": "办理中",
    "correction": "待补正",
    "consultation": "征求意见中",
    "answered": "已答复",
}

# 政民互动 message status (pubguard.review.interaction.MessageStatus).
MESSAGE_STATUS: dict[str, str] = {
    "received": "待分办",
    "assigned": "办理中",
    "reviewing": "待审阅",
    "answered": "已答复",
    "published": "已公开",
    "closed": "已办结（不公开）",
}

SCAN_STATUS: dict[str, str] = {"pending": "检查中", "ok": "已检查", "error": "检查失败"}

# What the cleaner did (pubguard.clean.report.CleanAction.action).
CLEAN_ACTION: dict[str, str] = {
    "removed": "删除",
    "masked": "脱敏",
    "recoloured": "改为黑色",
    "cleared": "清空",
    "dropped_column": "删除整列",
    "revisions": "处理修订",
    "redacted": "涂除",
    "replaced": "改为全角标点",
}

TABLES: dict[str, dict[str, str]] = {
    "severity": SEVERITY,
    "category": CATEGORY,
    "block_kind": BLOCK_KIND,
    "draft_status": DRAFT_STATUS,
    "decision": DECISION,
    "role": ROLE,
    "draft_action": DRAFT_ACTION,
    "audit_action": AUDIT_ACTION,
    "scan_status": SCAN_STATUS,
    "foi_status": FOI_STATUS,
    "message_status": MESSAGE_STATUS,
    "clean_action": CLEAN_ACTION,
}


def label(kind: str, code: object) -> str:
    """The Chinese label of `code` in table `kind` ("rule" names a detector rule). An unknown
    code comes back as it is (the tests walk every enum, so that is a bug, not a silent gap)."""
    if code is None or code == "":
        return ""
    if kind == "rule":
        return rule_label(str(code))
    return TABLES[kind].get(str(code), str(code))


def labels(kind: str, codes: object) -> list[str]:
    return [label(kind, c) for c in codes]  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _rule_catalogue() -> dict[str, str]:
    from pubguard.detectors import load_all

    out: dict[str, str] = {}
    for cls in load_all().values():
        for rule_id, text in cls.rules.items():
            out.setdefault(rule_id, text)
    return out


def short_text(text: str) -> str:
    """A rule's description cut to its name: "隐藏文字：Word 隐藏格式…" -> "隐藏文字",
    "带有单位公章（红色圆形…）" -> "带有单位公章"."""
    for sep in ("：", "（", "("):
        head = text.split(sep, 1)[0].strip()
        if head and head != text:
            text = head
    return text


def rule_label(rule: str) -> str:
    """The Chinese name of a detector rule, from the detector's own catalogue (one home for
    rule texts: `Detector.rules`)."""
    text = _rule_catalogue().get(rule)
    return short_text(text) if text else rule
