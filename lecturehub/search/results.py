"""What the search page shows: hits grouped by talk and paged by talk, recent talks for an empty
query, and the choices of the filter form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import Department, User
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import CATEGORIES, KIND_LECTURE, Lecture, Session
from lecturehub.search import services
from lecturehub.search.index import Hit, group_by_lecture
from lecturehub.search.params import SORTS, SearchParams

WINDOW = 300  # best slides fetched per query, grouped into talks
TALKS_PER_PAGE = 10
BEST = 3  # slides shown per talk before "more"
RECENT = 20


@dataclass(frozen=True)
class TalkResult:
    """One talk and its matching slides, best first (or in slide order when sorted by date)."""

    lecture_id: int
    title: str
    date: dt.date
    speaker: str
    department: str
    category: str
    hits: tuple[Hit, ...]

    @classmethod
    def of(cls, lecture_id: int, hits: list[Hit]) -> TalkResult:
        first = hits[0]
        return cls(
            lecture_id,
            first.lecture_title,
            first.date,
            first.speaker,
            first.department,
            first.category,
            tuple(hits),
        )

    @property
    def count(self) -> int:
        return len(self.hits)

    @property
    def best(self) -> tuple[Hit, ...]:
        return self.hits[:BEST]

    @property
    def more(self) -> tuple[Hit, ...]:
        return self.hits[BEST:]


@dataclass(frozen=True)
class ResultPage:
    total: int  # matching slides (an estimate when many match)
    talks: list[TalkResult]  # the talks of this page
    talk_count: int  # talks among the WINDOW best slides
    page: int
    pages: int
    shown: int  # slides fetched (at most WINDOW)

    @property
    def truncated(self) -> bool:
        """More slides match than were fetched: the talks listed are those of the best ones."""
        return self.total > self.shown


def search_talks(params: SearchParams) -> ResultPage:
    result = services.search(
        params.q, sort=params.sort, page=1, per_page=WINDOW, **params.index_filters()
    )
    talks = [TalkResult.of(lecture_id, hits) for lecture_id, hits in group_by_lecture(result.hits)]
    if params.sort == "relevance":  # best slide first; on a tie, more matching slides first
        talks.sort(key=lambda t: (-round(t.hits[0].score, 6), -t.count))
    pages = max(1, -(-len(talks) // TALKS_PER_PAGE))
    start = (params.page - 1) * TALKS_PER_PAGE
    return ResultPage(
        total=result.total,
        talks=talks[start : start + TALKS_PER_PAGE],
        talk_count=len(talks),
        page=params.page,
        pages=pages,
        shown=len(result.hits),
    )


@dataclass(frozen=True)
class RecentTalk:
    lecture: Lecture
    courseware: Courseware


def recent_talks(params: SearchParams, limit: int = RECENT) -> list[RecentTalk]:
    """The latest talks with courseware (newest first), with the form's filters applied."""
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Lecture.id.in_(select(Courseware.lecture_id)))
        .order_by(Session.starts_at.desc())
        .limit(limit)
    )
    conditions = {
        "category": lambda v: Lecture.category == v,
        "department": lambda v: Lecture.department.has(Department.name == v),
        "speaker": lambda v: Lecture.speaker.has(User.name == v),
        "series_id": lambda v: Session.series_id == v,
        "date_from": lambda v: Session.date >= v,
        "date_to": lambda v: Session.date <= v,
    }
    for name, value in params.index_filters().items():
        if value is not None:
            query = query.where(conditions[name](value))
    lectures = list(db.session.scalars(query))
    current = courseware_services.current_for([lec.id for lec in lectures])
    return [RecentTalk(lec, current[lec.id]) for lec in lectures if lec.id in current]


@dataclass(frozen=True)
class FilterChoices:
    categories: list[str]
    departments: list[str]
    series: list[tuple[int, str]]
    speakers: list[str]
    sorts: dict[str, str]


def filter_choices() -> FilterChoices:
    speakers = db.session.scalars(
        select(User.name)
        .join(Lecture, Lecture.speaker_id == User.id)
        .where(Lecture.id.in_(select(Courseware.lecture_id)))
        .distinct()
        .order_by(User.name)
    )
    return FilterChoices(
        categories=list(CATEGORIES),
        departments=[d.name for d in auth_services.list_departments()],
        series=[(s.id, s.name) for s in schedule_services.list_series() if s.kind == KIND_LECTURE],
        speakers=list(speakers),
        sorts=SORTS,
    )


FILTER_LABELS = {
    "category": "类别",
    "department": "部门",
    "speaker": "讲课人",
    "series": "系列",
    "from": "开始日期",
    "to": "结束日期",
}


def filter_label(params: SearchParams, name: str, choices: FilterChoices) -> str:
    """The label of a "drop this filter" link, e.g. 类别：政治理论."""
    value = params.args()[name]
    if name == "series":
        value = dict(choices.series).get(params.series_id, value)
    return f"{FILTER_LABELS[name]}：{value}"
