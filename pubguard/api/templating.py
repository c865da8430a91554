"""Jinja2 set-up for the web UI and the 审核单: templates ship inside the package, output is
auto-escaped, times are shown in Beijing time, codes are shown with their Chinese labels."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape

from pubguard import labels
from pubguard.clean.options import MASK_PRESETS
from pubguard.finding import CATEGORY_LABELS, SEVERITY_LABELS
from pubguard.review.gate import DECISION_LABELS, STATUS_LABELS
from pubguard.review.interpretation import REVIEW_CATEGORY_LABELS
from pubguard.review.workflow import ROLES

ACTION_LABELS: dict[str, str] = labels.AUDIT_ACTION  # one home: pubguard.labels
SCAN_LABELS: dict[str, str] = labels.SCAN_STATUS


def beijing(value: str | dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in the site's time zone (`pubguard.sitetime`: Asia/Shanghai unless configured)."""
    from pubguard.sitetime import local_time

    return local_time(value, fmt)


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
    env.filters["label"] = lambda code, kind: labels.label(kind, code)
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
