"""Report periods (a month ``YYYY-MM``, a quarter ``YYYY-Qn``) and the talks held in them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lecturehub.core.errors import ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import summaries
from lecturehub.ratings.summaries import LectureSummary

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}
MONTH_ERROR = "月份格式应为 YYYY-MM（如 2026-10）。"
QUARTER_ERROR = "季度格式应为 YYYY-Qn（如 2026-Q4）。"


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter
    key: str  # "2026-10" | "2026-Q4"
    label: str  # "2026年10月" | "2026年第四季度"
    date_from: dt.date
    date_to: dt.date

    @property
    def range_label(self) -> str:
        a, b = self.date_from, self.date_to
        return f"{a.year}年{a.month}月{a.day}日—{b.year}年{b.month}月{b.day}日"


def _last_day(year: int, month: int) -> dt.date:
    after = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return after - dt.timedelta(days=1)


def month(year: int, number: int) -> Period:
    return Period("month", f"{year:04d}-{number:02d}", f"{year}年{number}月",
                  dt.date(year, number, 1), _last_day(year, number))  # fmt: skip


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period("quarter", f"{year:04d}-Q{number}", f"{year}年第{QUARTER_ZH[number]}季度",
                  dt.date(year, first, 1), _last_day(year, first + 2))  # fmt: skip


def _year(text: str, message: str, code: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise ServiceError(message, code, 400)
    return year


def parse_month(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-MM``; empty means the current month. Anything else is a 400 ``bad_month``."""
    if not (text or "").strip():
        today = today or local_now().date()
        return month(today.year, today.month)
    match = MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ServiceError(MONTH_ERROR, "bad_month", 400)
    return month(_year(match.group(1), MONTH_ERROR, "bad_month"), int(match.group(2)))


def parse_quarter(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-Qn``; empty means the current quarter. Anything else is a 400 ``bad_quarter``."""
    if not (text or "").strip():
        today = today or local_now().date()
        return quarter(today.year, (today.month - 1) // 3 + 1)
    match = QUARTER_RE.match(text.strip())
    if not match:
        raise ServiceError(QUARTER_ERROR, "bad_quarter", 400)
    return quarter(_year(match.group(1), QUARTER_ERROR, "bad_quarter"), int(match.group(2)))


def months_before(period: Period, count: int) -> list[Period]:
    """The ``count`` months before ``period`` (a month), oldest first."""
    year, number = period.date_from.year, period.date_from.month
    out = []
    for _ in range(count):
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
        out.append(month(year, number))
    return out[::-1]


def shifted(period: Period, step: int) -> Period:
    """The previous (-1) or next (+1) month or quarter, for the page's arrows."""
    if period.kind == "month":
        index = period.date_from.year * 12 + period.date_from.month - 1 + step
        return month(index // 12, index % 12 + 1)
    index = period.date_from.year * 4 + (period.date_from.month - 1) // 3 + step
    return quarter(index // 4, index % 4 + 1)


def talk_summaries(period: Period, now: dt.datetime | None = None,
                   rng=None) -> list[LectureSummary]:  # fmt: skip
    """Every talk held in the period with its visible rating summary, in time order."""
    lectures = summaries.ended_lectures(period.date_from, period.date_to, now)
    return summaries.summaries(lectures, rng)


def talk_dict(summary: LectureSummary) -> dict:
    lecture = summary.lecture
    return {
        **summary.as_dict(),
        "title": lecture.display_title,
        "date": lecture.session.date.isoformat(),
        "speaker": lecture.speaker.name if lecture.speaker else None,
        "department": lecture.department.name if lecture.department else None,
    }
