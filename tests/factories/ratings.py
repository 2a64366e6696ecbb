"""Ratings factories: talks at chosen times, attendees signed in through the attendance
service, and ratings given through the real ratings service (times passed explicitly)."""

from __future__ import annotations

import datetime as dt
import itertools

from lecturehub.attendance import signin
from lecturehub.auth import services as auth_services
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import services
from lecturehub.schedule import lectures
from lecturehub.schedule import services as schedule_services
from tests.factories import make_user

HOUR = dt.timedelta(hours=1)
_people = itertools.count(1)
# Six ratings whose figures are easy to check by hand (see tests/reports/test_satisfaction.py).
SIX = [
    # overall, useful, practical, clear, timing
    (5, 5, 5, 3, 4),
    (5, 4, 5, 3, 4),
    (4, 4, 5, 4, 4),
    (4, 4, 4, 2, 4),
    (3, 4, 4, 3, 4),
    (2, 3, 4, 3, 5),
]


def make_talk(
    starts_at: dt.datetime,
    speaker=None,
    title: str = "乡村振兴政策解读",
    department: str | None = "文化站",
    deadline: dt.datetime | None = None,
):
    """A talk on its own one-off lecture session (any date and time), via the schedule."""
    series = schedule_services.lecture_series()
    spec = schedule_services.ExtraSession(series, starts_at.date(), starts_at.time(), title)
    session = schedule_services.add_extra_session(spec, now=starts_at - dt.timedelta(days=1))
    changes = {
        "speaker": speaker,
        "title": title,
        "category": "业务知识讲解",
        "department": auth_services.department_by_name(department) if department else None,
    }
    if deadline is not None:
        changes["deadline"] = deadline
    return lectures.new_lecture(session, **changes)


def recent_talk(days_ago: int = 1, **kwargs):
    """A talk that ended ``days_ago`` days before the real now (so pages can rate it)."""
    starts = dt.datetime.combine(local_now().date() - dt.timedelta(days=days_ago), dt.time(19))
    return make_talk(starts, **kwargs)


def attendee(
    lecture,
    login: str | None = None,
    name: str | None = None,
    late: bool = False,
    department: str = "党政办",
):
    """A new user who signed in at the talk (on time, or 10 minutes late)."""
    n = next(_people)
    user = make_user(login or f"att{n}", name or f"听众{n:03d}", department=department)
    at = lecture.session.starts_at + dt.timedelta(minutes=10 if late else -5)
    signin.record_signin(lecture.session, user, at)
    return user


def attendees(lecture, count: int) -> list:
    return [attendee(lecture) for _ in range(count)]


def scores(overall=5, useful=5, practical=5, clear=5, timing=5, comment="") -> dict:
    return {
        "overall": overall,
        "useful": useful,
        "practical": practical,
        "clear": clear,
        "timing": timing,
        "comment": comment,
    }


def rate(lecture, user, at: dt.datetime | None = None, **kwargs):
    """Rate through the service, by default an hour after the talk ended."""
    at = at or lecture.session.ends_at + HOUR
    return services.rate(lecture, user, scores(**kwargs), now=at)[0]


def rate_many(lecture, rows, comments=()) -> list:
    """One new signed-in attendee per row of (overall, useful, practical, clear, timing)."""
    comments = list(comments) + [""] * len(rows)
    people = []
    for row, comment in zip(rows, comments, strict=False):
        user = attendee(lecture)
        rate(
            lecture,
            user,
            **dict(zip(("overall", "useful", "practical", "clear", "timing"), row, strict=True)),
            comment=comment,
        )
        people.append(user)
    return people
