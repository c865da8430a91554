"""Jinja2 set-up for the web UI and the 审核单: templates ship inside the package, output is
auto-escaped, times are shown in Beijing time, codes are shown with their Chinese labels."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape

from pubguard.clean.options import MASK_PRESETS
from pubguard.finding import CATEGORY_LABELS, SEVERITY_LABELS
from pubguard.review.gate import DECISION_LABELS, STATUS_LABELS
from pubguard.review.interpretation import REVIEW_CATEGORY_LABELS
from pubguard.review.workflow import ROLES

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))

ACTION_LABELS = {
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
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "user.password": "修改密码",
    "token.issue": "签发令牌",
    "site.create": "创建站点",
    "draft.info_class": "设置信息类别",
    "interpretation.link": "关联政策解读",
    "interpretation.unlink": "解除政策解读关联",
    "duty.roster": "排定值班",
    "duty.rescan": "值班复查",
    "duty.run": "每日读网复查",
    "duty.close": "办结值班事项",
}
SCAN_LABELS = {"pending": "检查中", "ok": "已检查", "error": "检查失败"}


def beijing(value: str | dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA_TZ).strftime(fmt)


def filesize(n: int | None) -> str:
    n = int(n or 0)
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pubguard.api", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["beijing"] = beijing
    env.filters["filesize"] = filesize
    env.globals.update(
        SEVERITY_LABELS={str(k): v for k, v in SEVERITY_LABELS.items()},
        CATEGORY_LABELS={**{str(k): v for k, v in CATEGORY_LABELS.items()}, **REVIEW_CATEGORY_LABELS},
        DECISION_LABELS=DECISION_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        ROLE_LABELS=ROLES,
        ACTION_LABELS=ACTION_LABELS,
        SCAN_LABELS=SCAN_LABELS,
        MASK_PRESETS={k: v[0] for k, v in MASK_PRESETS.items()},
    )
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def render_error(request: Request, status: int, body: dict[str, Any], *, fragment: bool) -> str:
    if fragment:
        return render("_error.html", error=body, status=status)
    from pubguard.api.deps import csrf_for, resolve_principal

    try:
        principal = resolve_principal(request)
    except Exception:  # the error page must render even when the database is down
        principal = None
    return render(
        "error.html",
        error=body,
        status=status,
        user=principal.user if principal else None,
        csrf=csrf_for(request, principal),
        request=request,
    )
