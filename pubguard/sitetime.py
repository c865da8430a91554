"""The site's time zone: one home for how times are shown to people (web UI, 审核单, CLI HTML
report). Default Asia/Shanghai (北京时间); `PUBGUARD_TIMEZONE` (an IANA name such as
`Asia/Urumqi`) changes it for every place at once. Stored times stay UTC."""

from __future__ import annotations

import datetime as dt
import functools
import os

DEFAULT_TIMEZONE = "Asia/Shanghai"
_BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")  # China keeps no DST: a fixed +08:00


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, ValueError, OSError, KeyError):  # no tz database on the machine, or a bad name
        from pubguard.errors import PubGuardError

        if name == DEFAULT_TIMEZONE:
            return _BEIJING
        raise PubGuardError(f"时区无效：{name}（应为 IANA 时区名，如 Asia/Shanghai）。") from None


def site_timezone(name: str | None = None) -> dt.tzinfo:
    """`name`, else `PUBGUARD_TIMEZONE`, else Asia/Shanghai."""
    return _zone(name or os.environ.get("PUBGUARD_TIMEZONE") or DEFAULT_TIMEZONE)


def local_time(value: str | dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M", tz: str | None = None) -> str:
    """A stored time (aware, naive UTC or ISO text) as the site's local time; '' for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        when = value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(site_timezone(tz)).strftime(fmt)


def now_local(tz: str | None = None) -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone(site_timezone(tz))
