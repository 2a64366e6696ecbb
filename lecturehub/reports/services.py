"""Report periods (a month ``YYYY-MM``, a quarter ``YYYY-Qn``) and the talks held in them."""

from __future__ import annotations

import datetime as dt

from lecturehub.core import periods
from lecturehub.core.periods import Period, month, quarter
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import summaries
from lecturehub.ratings.summaries import LectureSummary


def parse_month(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-MM``; empty means the current month. Anything else is a 400 ``bad_month``."""
    return periods.parse_month(text, today or local_now().date())


def parse_quarter(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-Qn``; empty means the current quarter. Anything else is a 400 ``bad_quarter``."""
    return periods.parse_quarter(text, today or local_now().date())


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


def talk_summaries(
    period: Period, now: dt.datetime | None = None, rng=None
) -> list[LectureSummary]:
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
