"""Search, status filter, sorting and pagination of a list page whose rows the service returns
as dicts (依申请公开, 政民互动): one helper, so every list reads the same query parameters
(`q`, `status`, `sort`, `page`) and shows the same controls (`_macros.html`: list_controls,
pagination). The drafts list and the audit log filter in SQL (`list_drafts`, `audit_log`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

PER_PAGE = 50


@dataclass(frozen=True)
class Sort:
    label: str
    key: Callable[[dict[str, Any]], Any]
    reverse: bool = False


def _text(row: dict[str, Any], fields: Iterable[str]) -> str:
    return " ".join(str(row.get(f) or "") for f in fields)


def list_view(
    rows: list[dict[str, Any]],
    *,
    q: str | None,
    fields: Iterable[str],
    status: str | None,
    statuses: dict[str, str],
    sort: str | None,
    sorts: dict[str, Sort],
    page: int,
    per_page: int | None = None,
) -> dict[str, Any]:
    """The page of `rows` matching `q` (substring of any of `fields`) and `status`, in `sort`
    order (the first of `sorts` by default), and what the template needs to show the controls."""
    per_page = per_page or PER_PAGE
    fields = tuple(fields)
    term = (q or "").strip()
    if term:
        rows = [r for r in rows if term in _text(r, fields)]
    if status in statuses:
        rows = [r for r in rows if r.get("status") == status]
    else:
        status = None
    key = sort if sort in sorts else next(iter(sorts))
    order = sorts[key]
    rows = sorted(rows, key=order.key, reverse=order.reverse)
    start = (page - 1) * per_page
    params = {"q": term, "status": status or "", "sort": key if key != next(iter(sorts)) else ""}
    return {
        "rows": rows[start : start + per_page],
        "total": len(rows),
        "pager": {"page": page, "has_prev": page > 1, "has_next": len(rows) > start + per_page},
        "filters": {"q": term, "status": status, "sort": key},
        "statuses": statuses,
        "sorts": {k: s.label for k, s in sorts.items()},
        "query": urlencode({k: v for k, v in params.items() if v}),
    }
