"""What anyone may see of a talk's ratings — the one place that decides publication.

A talk's ratings are **published** once its rating window has closed and at least
RATING_MIN_COUNT people rated it. Until the window closes nothing about them shows to anyone
but the rater — not even how many rated: a count, bucket or comment that moved with each new
rating would tell someone watching the page who rated and how. After the close the count is
fixed, so it shows; scores and comments show only from the minimum count on. Every page,
export, report and API (and any feature that shows an average of a person's talks) asks
``summaries`` / ``summary`` here and reads ``published``.

Nothing here returns a user id next to a score. Comments come without names, shuffled on
every call (never in stored order), and hidden comments are left out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from lecturehub.attendance import services as attendance_services
from lecturehub.core import periods
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.aggregates import Aggregate, aggregate, ratio
from lecturehub.ratings.models import SCORE_FIELDS, Rating
from lecturehub.schedule.models import Lecture, Session

# Where a talk's ratings stand (``LectureSummary.status``).
UPCOMING = "upcoming"  # the talk has not ended: rating has not opened
OPEN = "open"  # the rating window is open: nothing shows, not even the count
TOO_FEW = "too_few"  # closed below the minimum count: the count shows, no scores
PUBLISHED = "published"  # closed at or above the minimum: scores and comments show
CANCELLED = "cancelled"  # the session was cancelled: nobody rates it


def _when(value: dt.datetime) -> str:
    return f"{value.month}月{value.day}日 {value:%H:%M}"


def status_of(lecture: Lecture, count: int, minimum: int, now: dt.datetime) -> str:
    """The publication rule: closed window and at least ``minimum`` ratings."""
    opens, closes = services.window(lecture)
    if lecture.session.cancelled:
        return CANCELLED
    if now < opens:
        return UPCOMING
    if now <= closes:
        return OPEN
    return PUBLISHED if count >= minimum else TOO_FEW


@dataclass
class LectureSummary:
    lecture: Lecture
    status: str
    count: int | None  # None until the window has closed
    signed_in: int
    min_count: int
    closes_at: dt.datetime
    aggregate: Aggregate | None = None  # only when published
    comments: list[str] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def visible(self) -> bool:  # the older name, kept for templates and callers
        return self.published

    @property
    def response_rate(self) -> float | None:
        return None if self.count is None else ratio(self.count, self.signed_in)

    @property
    def notice(self) -> str:
        """One sentence on where the ratings stand (empty once published)."""
        closes, minimum = _when(self.closes_at), self.min_count
        if self.status == UPCOMING:
            return f"讲学结束后开放评价，{closes} 评价截止后公布结果（满 {minimum} 人评价才公布）。"
        if self.status == OPEN:
            return (
                f"评价进行中，{closes} 截止后公布结果（满 {minimum} 人评价才公布）；"
                "截止前不显示评价人数和分数。"
            )
        if self.status == TOO_FEW:
            return f"评价已截止，共 {self.count} 人评价，不足 {minimum} 人，结果不公布。"
        if self.status == CANCELLED:
            return "讲学已取消，没有评价。"
        return ""

    @property
    def label(self) -> str:
        """The notice in a few words, for report cells."""
        return {
            UPCOMING: "尚未开始评价",
            OPEN: f"评价中，{self.closes_at.month}月{self.closes_at.day}日截止后公布",
            TOO_FEW: f"评价不足 {self.min_count} 人，不公布",
            CANCELLED: "已取消",
        }.get(self.status, "")

    def as_dict(self) -> dict:
        agg = self.aggregate
        return {
            "lecture_id": self.lecture.id,
            "status": self.status,
            "published": self.published,
            "window_closes_at": iso(self.closes_at),
            "notice": self.notice,
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
    """lecture id → the scores of its ratings, with no trace of who gave them. For the
    arithmetic of published talks only: ask ``summaries`` which ones are."""
    if not lecture_ids:
        return {}
    columns = [getattr(Rating, name) for name in SCORE_FIELDS]
    query = select(Rating.lecture_id, *columns).where(Rating.lecture_id.in_(lecture_ids))
    found: dict[int, list[dict[str, int]]] = defaultdict(list)
    for lecture_id, *scores in db.session.execute(query):
        found[lecture_id].append(dict(zip(SCORE_FIELDS, scores, strict=True)))
    return dict(found)


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


def _closed(lecture: Lecture, now: dt.datetime) -> bool:
    return not lecture.session.cancelled and now > services.window(lecture)[1]


def summaries(
    lectures: list[Lecture], rng: random.Random | None = None, now: dt.datetime | None = None
) -> list[LectureSummary]:
    """What may be shown of each talk's ratings at ``now`` (default: the present)."""
    now = now or local_now()
    closed = [lecture.id for lecture in lectures if _closed(lecture, now)]
    rows, minimum = score_rows(closed), services.min_count()
    shown = [i for i in closed if len(rows.get(i, [])) >= minimum]
    texts = comments(shown, rng)
    out = []
    for lecture in lectures:
        scores = rows.get(lecture.id, [])
        status = status_of(lecture, len(scores), minimum, now)
        summary = LectureSummary(
            lecture,
            status,
            len(scores) if lecture.id in closed else None,
            attendance_services.signed_in_count(lecture.session_id),
            minimum,
            services.window(lecture)[1],
        )
        if summary.published:
            summary.aggregate = aggregate(scores)
            summary.comments = texts.get(lecture.id, [])
        out.append(summary)
    return out


def summary(
    lecture: Lecture, rng: random.Random | None = None, now: dt.datetime | None = None
) -> LectureSummary:
    return summaries([lecture], rng, now)[0]


def published(talks: list[LectureSummary]) -> list[LectureSummary]:
    return [s for s in talks if s.published]


def pooled(talks: list[LectureSummary]) -> Aggregate | None:
    """All ratings of the published talks among ``talks``, pooled (None when there are none):
    a talk below the minimum or still open adds nothing to any mean or distribution."""
    rows = score_rows([s.lecture.id for s in published(talks)])
    scores = [row for ratings in rows.values() for row in ratings]
    return aggregate(scores) if scores else None


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


def series_quarter_average(lecture: Lecture, now: dt.datetime | None = None) -> Aggregate | None:
    """The series' average this quarter, over its published talks."""
    now = now or local_now()
    quarter = periods.quarter_of(lecture.session.date)
    talks = ended_lectures(quarter.date_from, quarter.date_to, now, lecture.session.series_id)
    return pooled(summaries(talks, now=now))


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
        for s in summaries(held, now=now)
    ]
