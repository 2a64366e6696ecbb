"""Reporting periods: "2026-11" (month), "2026-Q4" (quarter), "2026" (year).

The one home of month and quarter arithmetic: the 督查 record (attendance), the speaker's
quarter comparison (ratings) and 组织办's reports all use it. Pure module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from lecturehub.core.errors import ServiceError

QUARTERS_ZH = ["第一季度", "第二季度", "第三季度", "第四季度"]
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_STRICT_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    key: str
    label: str  # 2026年11月 / 2026年第四季度 / 2026年
    date_from: dt.date
    date_to: dt.date

    @property
    def number(self) -> int:
        """The month (1–12) of a month, the quarter (1–4) of a quarter, 1 for a year."""
        if self.kind == "month":
            return self.date_from.month
        return (self.date_from.month - 1) // 3 + 1

    @property
    def range_label(self) -> str:
        a, b = self.date_from, self.date_to
        return f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日"


def month(year: int, number: int) -> Period:
    last = calendar.monthrange(year, number)[1]
    return Period(
        "month",
        f"{year}-{number:02d}",
        f"{year}年{number}月",
        dt.date(year, number, 1),
        dt.date(year, number, last),
    )


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(
        "quarter",
        f"{year}-Q{number}",
        f"{year}年{QUARTERS_ZH[number - 1]}",
        first.date_from,
        last.date_to,
    )


def quarter_of(day: dt.date) -> Period:
    """The calendar quarter that contains ``day``."""
    return quarter(day.year, (day.month - 1) // 3 + 1)


def year(number: int) -> Period:
    return Period(
        "year", str(number), f"{number}年", dt.date(number, 1, 1), dt.date(number, 12, 31)
    )


def parse(text: str | None, today: dt.date) -> Period:
    """A period from its key; anything unreadable gives the current month."""
    text = (text or "").strip()
    if (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        return month(int(m.group(1)), int(m.group(2)))
    if m := _QUARTER.match(text):
        return quarter(int(m.group(1)), int(m.group(2)))
    if m := _YEAR.match(text):
        return year(int(m.group(1)))
    return month(today.year, today.month)


def shifted(period: Period, step: int) -> Period:
    """The month or quarter ``step`` places later (earlier when negative)."""
    if period.kind == "month":
        index = period.date_from.year * 12 + period.number - 1 + step
        return month(index // 12, index % 12 + 1)
    index = period.date_from.year * 4 + period.number - 1 + step
    return quarter(index // 4, index % 4 + 1)


def months_before(period: Period, count: int) -> list[Period]:
    """The ``count`` months before ``period`` (a month), oldest first."""
    return [shifted(period, -step) for step in range(count, 0, -1)]


def choices(today: dt.date) -> list[Period]:
    """This year's months so far, its quarters so far and the year, for a select box."""
    months = [month(today.year, m) for m in range(today.month, 0, -1)]
    quarters = [quarter(today.year, q) for q in range(quarter_of(today).number, 0, -1)]
    return months + quarters + [year(today.year), year(today.year - 1)]


MONTH_ERROR = "月份格式应为 YYYY-MM（如 2026-10）。"
QUARTER_ERROR = "季度格式应为 YYYY-Qn（如 2026-Q4）。"


def _checked_year(text: str, message: str, code: str) -> int:
    value = int(text)
    if not 2000 <= value <= 2100:
        raise ServiceError(message, code, 400)
    return value


def parse_month(text: str | None, today: dt.date) -> Period:
    """Strict ``YYYY-MM``; empty means the current month; anything else is a 400 ``bad_month``."""
    if not (text or "").strip():
        return month(today.year, today.month)
    match = _STRICT_MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ServiceError(MONTH_ERROR, "bad_month", 400)
    return month(_checked_year(match.group(1), MONTH_ERROR, "bad_month"), int(match.group(2)))


def parse_quarter(text: str | None, today: dt.date) -> Period:
    """Strict ``YYYY-Qn``; empty means the current quarter; else a 400 ``bad_quarter``."""
    if not (text or "").strip():
        return quarter_of(today)
    match = _QUARTER.match(text.strip())
    if not match:
        raise ServiceError(QUARTER_ERROR, "bad_quarter", 400)
    return quarter(_checked_year(match.group(1), QUARTER_ERROR, "bad_quarter"), int(match.group(2)))


YEAR_ERROR = "年份格式应为 YYYY（如 2026）。"


def parse_year(text: str | None, today: dt.date) -> int:
    """Strict ``YYYY``; empty means this year; anything else is a 400 ``bad_year``."""
    text = (text or "").strip()
    if not text:
        return today.year
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise ServiceError(YEAR_ERROR, "bad_year", 400)
    return _checked_year(text, YEAR_ERROR, "bad_year")
