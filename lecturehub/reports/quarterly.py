"""The quarterly evaluation (小结评估): talks ranked, departments compared, attendance per
series, the weakest dimensions (需改进) and the best talks to publicise (经验做法)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lecturehub.attendance import records
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.ratings import services as rating_services
from lecturehub.ratings.aggregates import DIMENSIONS, Aggregate, ratio
from lecturehub.ratings.summaries import LectureSummary, pooled
from lecturehub.reports import services
from lecturehub.reports.services import Period
from lecturehub.schedule import services as schedule_services

IMPROVE_BELOW = 3.5
BEST_MEAN, BEST_COUNT, BEST_SHARE = 4.5, 3, 0.10
NO_DEPARTMENT = "（未定部门）"


@dataclass
class DepartmentRow:
    name: str
    talks: list[LectureSummary] = field(default_factory=list)
    total: Aggregate | None = None
    courseware_on_time: int = 0  # first version uploaded by the talk's deadline
    within_hour: int = 0  # current version's verdict is "ok"


@dataclass(frozen=True)
class SeriesAttendance:
    name: str
    sessions: int
    expected: int
    attended: int

    @property
    def rate(self) -> float | None:
        return ratio(self.attended, self.expected)


@dataclass(frozen=True)
class DimensionFlag:
    key: str
    label: str
    mean: float
    reasons: tuple[str, ...]


@dataclass
class QuarterReport:
    period: Period
    ranked: list[LectureSummary]
    unranked: list[LectureSummary]
    departments: list[DepartmentRow]
    attendance: list[SeriesAttendance]
    total: Aggregate | None
    improve: list[DimensionFlag]
    best: list[LectureSummary]
    min_count: int

    @property
    def talks(self) -> list[LectureSummary]:
        return self.ranked + self.unranked

    @property
    def ratings(self) -> int:
        return services.published_counts(self.ranked)[0]

    @property
    def signed_in(self) -> int:
        return services.published_counts(self.ranked)[1]

    def is_best(self, summary: LectureSummary) -> bool:
        return any(s.lecture.id == summary.lecture.id for s in self.best)


def rank(talks: list[LectureSummary]) -> tuple[list[LectureSummary], list[LectureSummary]]:
    """Published talks by overall mean (then more raters first); the rest unranked."""
    ranked = [s for s in talks if s.published]
    ranked.sort(key=lambda s: (-s.aggregate.overall.mean, -s.count, s.lecture.session.starts_at))
    return ranked, [s for s in talks if not s.published]


def best_talks(ranked: list[LectureSummary]) -> list[LectureSummary]:
    """经验做法: the top 3 with an overall mean of at least 4.5; when none reaches 4.5, the top
    10% of the ranked talks (at least one)."""
    top = [s for s in ranked if s.aggregate.overall.mean >= BEST_MEAN][:BEST_COUNT]
    if top or not ranked:
        return top
    return ranked[: max(1, math.ceil(len(ranked) * BEST_SHARE))]


def improve_flags(total: Aggregate | None) -> list[DimensionFlag]:
    """需改进: the dimension with the lowest quarter mean, and any dimension below 3.5."""
    if total is None:
        return []
    means = {key: total.dimensions[key].mean for key in DIMENSIONS}
    lowest = min(means.values())
    flags = []
    for key, value in sorted(means.items(), key=lambda item: item[1]):
        reasons = (("本季度最低",) if value == lowest else ()) + (
            (f"低于 {IMPROVE_BELOW} 分",) if value < IMPROVE_BELOW else ()
        )
        if reasons:
            flags.append(DimensionFlag(key, DIMENSIONS[key], value, reasons))
    return flags


def _first_uploads(lecture_ids: list[int]) -> dict[int, dt.datetime]:
    if not lecture_ids:
        return {}
    query = (
        select(Courseware.lecture_id, func.min(Courseware.uploaded_at))
        .where(Courseware.lecture_id.in_(lecture_ids))
        .group_by(Courseware.lecture_id)
    )
    return dict(db.session.execute(query).all())


def departments(talks: list[LectureSummary]) -> list[DepartmentRow]:
    ids = [s.lecture.id for s in talks]
    firsts, current = _first_uploads(ids), courseware_services.current_for(ids)
    rows: dict[str, DepartmentRow] = {}
    for s in talks:
        lecture = s.lecture
        name = lecture.department.name if lecture.department else NO_DEPARTMENT
        row = rows.setdefault(name, DepartmentRow(name))
        row.talks.append(s)
        first = firsts.get(lecture.id)
        due = lecture.deadline or lecture.session.starts_at
        row.courseware_on_time += int(first is not None and first <= due)
        version = current.get(lecture.id)
        row.within_hour += int(version is not None and version.verdict == "ok")
    for row in rows.values():
        row.total = pooled(row.talks)
    return sorted(rows.values(), key=_department_order)


def _department_order(row: DepartmentRow):
    mean = row.total.overall.mean if row.total else None
    return (mean is None, -(mean or 0), row.name)


def attendance(period: Period, now: dt.datetime) -> list[SeriesAttendance]:
    """Per series: present + late over expected (应到, without the exempt), from the record."""
    sessions = schedule_services.list_sessions(
        period.date_from, period.date_to, active_only=True, until=now
    )
    grouped: dict[int, list] = defaultdict(list)
    for sheet in records.session_sheets(sessions, now):
        grouped[sheet.session.series_id].append(sheet)
    out = []
    for sheets in grouped.values():
        counts = records.Counts()
        for sheet in sheets:
            counts.merge(sheet.counts)
        name = sheets[0].session.series.name
        out.append(SeriesAttendance(name, len(sheets), counts.expected, counts.attended))
    return sorted(out, key=lambda row: row.name)


def quarterly(period: Period, now: dt.datetime | None = None, rng=None) -> QuarterReport:
    now = now or local_now()
    talks = services.talk_summaries(period, now, rng)
    ranked, unranked = rank(talks)
    total = pooled(talks)
    return QuarterReport(
        period,
        ranked,
        unranked,
        departments(talks),
        attendance(period, now),
        total,
        improve_flags(total),
        best_talks(ranked),
        rating_services.min_count(),
    )
