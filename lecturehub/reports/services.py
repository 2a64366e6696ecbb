"""Report periods (a month ``YYYY-MM``, a quarter ``YYYY-Qn``) and the talks held in them."""

from __future__ import annotations

import datetime as dt

from lecturehub.core import periods
from lecturehub.core.periods import Period
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import summaries
from lecturehub.ratings.summaries import LectureSummary


def parse_month(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-MM``; empty means the current month. Anything else is a 400 ``bad_month``."""
    return periods.parse_month(text, today or local_now().date())


def parse_quarter(text: str | None, today: dt.date | None = None) -> Period:
    """``YYYY-Qn``; empty means the current quarter. Anything else is a 400 ``bad_quarter``."""
    return periods.parse_quarter(text, today or local_now().date())


def talk_summaries(
    period: Period, now: dt.datetime | None = None, rng=None
) -> list[LectureSummary]:
    """Every talk held in the period with what may be shown of its ratings, in time order."""
    now = now or local_now()
    lectures = summaries.ended_lectures(period.date_from, period.date_to, now)
    return summaries.summaries(lectures, rng, now)


def published_counts(talks: list[LectureSummary]) -> tuple[int, int]:
    """(ratings, people signed in) over the published talks only: a talk still open or below
    the minimum count adds nothing to a report's figures."""
    shown = summaries.published(talks)
    return sum(s.count for s in shown), sum(s.signed_in for s in shown)


def talk_dict(summary: LectureSummary) -> dict:
    lecture = summary.lecture
    return {
        **summary.as_dict(),
        "title": lecture.display_title,
        "date": lecture.session.date.isoformat(),
        "speaker": lecture.speaker.name if lecture.speaker else None,
        "department": lecture.department.name if lecture.department else None,
    }
