"""The monthly satisfaction survey (满意度测评): every talk of a month and the month's figures.

Month figures count the published talks only (``ratings.summaries``: window closed and at
least RATING_MIN_COUNT raters). A talk still open shows no count at all, a closed one below the
minimum its count alone; neither adds to any total, mean or distribution (otherwise its scores
could be worked out from the month's totals, or watched moving as people rate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lecturehub.core import periods
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import services as rating_services
from lecturehub.ratings.aggregates import Aggregate, ratio
from lecturehub.ratings.summaries import LectureSummary, pooled
from lecturehub.reports import services
from lecturehub.reports.services import Period

TREND_MONTHS = 6


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    talks: int
    ratings: int
    satisfaction_rate: float | None
    mean: float | None

    def as_dict(self) -> dict:
        return {
            "month": self.period.key,
            "talks": self.talks,
            "ratings": self.ratings,
            "satisfaction_rate": self.satisfaction_rate,
            "mean": self.mean,
        }


@dataclass
class MonthReport:
    period: Period
    talks: list[LectureSummary]
    total: Aggregate | None  # pooled over the published talks
    trend: list[TrendPoint]
    min_count: int

    @property
    def ratings(self) -> int:
        return services.published_counts(self.talks)[0]

    @property
    def signed_in(self) -> int:
        return services.published_counts(self.talks)[1]

    @property
    def response_rate(self) -> float | None:
        return ratio(self.ratings, self.signed_in)

    @property
    def visible_talks(self) -> list[LectureSummary]:
        return [s for s in self.talks if s.visible]

    def summary_dict(self) -> dict:
        total = self.total
        return {
            "talks": len(self.talks),
            "talks_rated": len(self.visible_talks),
            "ratings": self.ratings,
            "signed_in": self.signed_in,
            "response_rate": self.response_rate,
            "satisfaction_rate": total.satisfaction_rate if total else None,
            "overall": total.overall.as_dict() if total else None,
            "dimensions": total.dimensions_dict() if total else None,
        }

    def as_dict(self) -> dict:
        return {
            "month": self.period.key,
            "label": self.period.label,
            "date_from": self.period.date_from.isoformat(),
            "date_to": self.period.date_to.isoformat(),
            "min_count": self.min_count,
            "summary": self.summary_dict(),
            "talks": [services.talk_dict(s) for s in self.talks],
            "trend": [p.as_dict() for p in self.trend],
        }


def _point(period: Period, talks: list[LectureSummary], total: Aggregate | None) -> TrendPoint:
    return TrendPoint(
        period,
        len(talks),
        services.published_counts(talks)[0],
        total.satisfaction_rate if total else None,
        total.overall.mean if total else None,
    )


def trend_point(period: Period, now: dt.datetime) -> TrendPoint:
    talks = services.talk_summaries(period, now)
    return _point(period, talks, pooled(talks))


def monthly(period: Period, now: dt.datetime | None = None, rng=None) -> MonthReport:
    """The month's talks, pooled figures, and the trend: the six months before, then this one."""
    now = now or local_now()
    talks = services.talk_summaries(period, now, rng)
    total = pooled(talks)
    trend = [trend_point(p, now) for p in periods.months_before(period, TREND_MONTHS)]
    return MonthReport(
        period, talks, total, trend + [_point(period, talks, total)], rating_services.min_count()
    )
