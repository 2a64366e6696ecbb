"""Schedule factories: sessions and talks made through the real services."""

from __future__ import annotations

import datetime as dt

from lecturehub.auth import services as auth_services
from lecturehub.schedule import lectures, services
from lecturehub.schedule.generation import generate_sessions, holiday_name
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING, Series, Session


def series_of(kind: str) -> Series:
    return next(s for s in services.list_series() if s.kind == kind)


def lecture_series() -> Series:
    return series_of(KIND_LECTURE)


def training_series() -> Series:
    return series_of(KIND_TRAINING)


def generate(start: str, end: str, kind: str | None = None):
    chosen = [series_of(kind)] if kind else services.list_series()
    return generate_sessions(dt.date.fromisoformat(start), dt.date.fromisoformat(end), chosen)


def upcoming_weekday(weekday: int = 0, weeks: int = 1) -> dt.date:
    """A working (non-holiday) ``weekday`` at least ``weeks`` weeks from today."""
    day = dt.date.today() + dt.timedelta(weeks=weeks)
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    while is_holiday(day):
        day += dt.timedelta(weeks=1)
    return day


def is_holiday(day: dt.date) -> bool:
    try:
        return holiday_name(day) is not None
    except NotImplementedError:
        return False


def make_session(day: dt.date | str, kind: str = KIND_LECTURE) -> Session:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    generate(day.isoformat(), day.isoformat(), kind)
    return next(s for s in services.list_sessions(day, day, kind=kind) if not s.is_extra)


def make_lecture(
    day: dt.date | str,
    speaker=None,
    department: str | None = "文化站",
    title: str = "全民健身与乡村文化振兴",
    category: str = "业务知识讲解",
    abstract: str = "讲 **每周两操** 的开展情况。",
):
    session = make_session(day)
    return lectures.new_lecture(
        session,
        speaker=speaker,
        title=title,
        category=category,
        department=auth_services.department_by_name(department) if department else None,
        abstract=abstract,
    )
