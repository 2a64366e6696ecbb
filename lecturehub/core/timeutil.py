"""Local time: the township runs on Asia/Shanghai. Datetimes in the database are naive local."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def now() -> dt.datetime:
    """The current local time, naive (the database stores naive Asia/Shanghai times)."""
    return dt.datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    return now().date()


def aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value.astimezone(TZ)


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the API promises."""
    return aware(value).isoformat() if value else None


MIN_YEAR, MAX_YEAR = 2000, 2100  # dates outside this are typos, not plans


def parse_date(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD string as a date; None for anything else (wrong type, format or era)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def format_date_zh(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日（{WEEKDAYS_ZH[value.weekday()]}）"


def format_datetime_zh(value: dt.datetime) -> str:
    return f"{format_date_zh(value.date())} {value:%H:%M}"


def clock(seconds: float | None) -> str:
    """A length of time as people say it: 45 秒, 12 分钟, 12 分 05 秒, 1 小时 15 分; None is —.

    The one place durations are worded: pages, charts, the analysis's advice and the CLI."""
    if seconds is None:
        return "—"
    minutes, sec = divmod(round(abs(seconds)), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    if not minutes:
        return f"{sec} 秒"
    return f"{minutes} 分 {sec:02d} 秒" if sec else f"{minutes} 分钟"
