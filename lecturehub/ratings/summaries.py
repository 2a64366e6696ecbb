"""What anyone may see of a talk's ratings: aggregates only, and only from RATING_MIN_COUNT on.

Nothing here returns a user id next to a score. Comments come without names, shuffled on
every call (never in stored order), and hidden comments are left out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lecturehub.attendance import services as attendance_services
from lecturehub.core import periods
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.aggregates import Aggregate, aggregate, ratio
from lecturehub.ratings.models import SCORE_FIELDS, Rating
from lecturehub.schedule.models import Lecture, Session


@dataclass
class LectureSummary:
    lecture: Lecture
    count: int
    signed_in: int
    min_count: int
    aggregate: Aggregate | None = None  # None below the minimum count
    comments: list[str] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.aggregate is not None

    @property
    def response_rate(self) -> float | None:
        return ratio(self.count, self.signed_in)

    @property
    def shortfall_text(self) -> str:
        return f"评价人数不足（已有 {self.count} 人评价，满 {self.min_count} 人后显示）"

    def as_dict(self) -> dict:
        agg = self.aggregate
        return {
            "lecture_id": self.lecture.id,
            "count": self.count,
            "signed_in": self.signed_in,
            "response_rate": self.response_rate,
            "visible": self.visible,
            "min_count": self.min_count,
            "overall": agg.overall.as_dict() if agg else None,
            "dimensions": agg.dimensions_dict() if agg else None,
            "satisfaction_rate": agg.satisfaction_rate if agg else None,
            "comments": list(self.comments) if agg else None,
        }


def score_rows(lecture_ids: list[int]) -> dict[int, list[dict[str, int]]]:
    """lecture id → the scores of its ratings, with no trace of who gave them."""
    if not lecture_ids:
        return {}
    columns = [getattr(Rating, name) for name in SCORE_FIELDS]
    query = select(Rating.lecture_id, *columns).where(Rating.lecture_id.in_(lecture_ids))
    found: dict[int, list[dict[str, int]]] = defaultdict(list)
    for lecture_id, *scores in db.session.execute(query):
        found[lecture_id].append(dict(zip(SCORE_FIELDS, scores, strict=True)))
    return dict(found)


def counts(lecture_ids: list[int]) -> dict[int, int]:
    if not lecture_ids:
        return {}
    query = (
        select(Rating.lecture_id, func.count())
        .where(Rating.lecture_id.in_(lecture_ids))
        .group_by(Rating.lecture_id)
    )
    return dict(db.session.execute(query).all())


def comments(lecture_ids: list[int], rng: random.Random | None = None) -> dict[int, list[str]]:
    """Visible comment texts per talk, shuffled (a fresh order on every call)."""
    if not lecture_ids:
        return {}
    query = select(Rating.lecture_id, Rating.comment).where(
        Rating.lecture_id.in_(lecture_ids), Rating.comment != "", Rating.comment_hidden.is_(False)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for lecture_id, text in db.session.execute(query):
        found[lecture_id].append(text)
    rng = rng or random.Random()
    for texts in found.values():
        rng.shuffle(texts)
    return dict(found)


def summaries(lectures: list[Lecture], rng: random.Random | None = None) -> list[LectureSummary]:
    """The visible summary of each talk (aggregates and comments only at the minimum count)."""
    ids = [lecture.id for lecture in lectures]
    rows, texts, minimum = score_rows(ids), comments(ids, rng), services.min_count()
    out = []
    for lecture in lectures:
        scores = rows.get(lecture.id, [])
        summary = LectureSummary(
            lecture, len(scores), attendance_services.signed_in_count(lecture.session_id), minimum
        )
        if len(scores) >= minimum:
            summary.aggregate = aggregate(scores)
            summary.comments = texts.get(lecture.id, [])
        out.append(summary)
    return out


def summary(lecture: Lecture, rng: random.Random | None = None) -> LectureSummary:
    return summaries([lecture], rng)[0]


# --- quarters and the speaker's comparison ---------------------------------------------------


def ended_lectures(
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
    series_id: int | None = None,
) -> list[Lecture]:
    """Talks held (not cancelled, ended by ``now``) between two dates, in time order."""
    now = now or local_now()
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.date >= date_from, Session.date <= date_to)
        .where(Session.status != "cancelled", Session.starts_at <= now)
        .order_by(Session.starts_at, Session.id)
    )
    if series_id is not None:
        query = query.where(Session.series_id == series_id)
    return [lec for lec in db.session.scalars(query) if lec.session.ends_at <= now]


def pooled(lectures: list[Lecture]) -> Aggregate | None:
    """All ratings of the talks that meet the minimum count, pooled (None when there are none)."""
    rows = score_rows([lecture.id for lecture in lectures])
    minimum = services.min_count()
    scores = [row for ratings in rows.values() if len(ratings) >= minimum for row in ratings]
    return aggregate(scores) if scores else None


def series_quarter_average(lecture: Lecture, now: dt.datetime | None = None) -> Aggregate | None:
    """The series' average this quarter, over the talks that meet the minimum count."""
    quarter = periods.quarter_of(lecture.session.date)
    return pooled(
        ended_lectures(quarter.date_from, quarter.date_to, now, lecture.session.series_id)
    )


@dataclass
class SpeakerTalk:
    summary: LectureSummary
    series_average: Aggregate | None
    quarter: str


def speaker_talks(lectures: list[Lecture], now: dt.datetime | None = None) -> list[SpeakerTalk]:
    """The speaker's held talks, newest first, with the series' quarter average beside each."""
    now = now or local_now()
    held = [lec for lec in lectures if not lec.session.cancelled and lec.session.ends_at <= now]
    held.sort(key=lambda lec: lec.session.starts_at, reverse=True)
    return [
        SpeakerTalk(
            s,
            series_quarter_average(s.lecture, now),
            periods.quarter_of(s.lecture.session.date).label,
        )
        for s in summaries(held)
    ]
