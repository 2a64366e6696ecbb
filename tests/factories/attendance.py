"""Attendance factories: sessions at chosen times, lead leaders, sign-ins and leave through
the real services (times are passed explicitly, nothing sleeps)."""

from __future__ import annotations

import datetime as dt
import io

from lecturehub.attendance import exemptions, leave, rollcall, signin
from lecturehub.core.timeutil import now
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING, Series, Session
from tests.factories import make_user

LEADER_NAMES = {KIND_LECTURE: "彭宗惠", KIND_TRAINING: "储晓波"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
T0 = dt.datetime(2026, 11, 23, 19, 0)  # a Monday evening talk
MIN = dt.timedelta(minutes=1)


def series_of(kind: str = KIND_LECTURE) -> Series:
    return next(s for s in schedule_services.list_series() if s.kind == kind)


def make_leader(kind: str = KIND_LECTURE, login: str | None = None):
    """The series' lead leader: a user with the notice's name, picked up by the series."""
    user = make_user(login or f"leader_{kind}", LEADER_NAMES[kind], roles=["leader"])
    schedule_services.ensure_default_series()
    return user


def make_session(
    starts_at: dt.datetime = T0, kind: str = KIND_LECTURE, title: str = "测试场次"
) -> Session:
    """A one-off session of the series, entered the day before it (as if planned ahead)."""
    spec = schedule_services.ExtraSession(
        series_of(kind), starts_at.date(), starts_at.time(), title
    )
    return schedule_services.add_extra_session(spec, now=starts_at - dt.timedelta(days=1))


def open_session(kind: str = KIND_LECTURE, minutes_to_start: int = 10) -> Session:
    """A session starting soon after the real now, so its sign-in window is open."""
    starts = now().replace(second=0) + dt.timedelta(minutes=minutes_to_start)
    return make_session(starts, kind)


def sign_in(session: Session, user, at: dt.datetime | None = None):
    at = at or session.starts_at
    return signin.check_in(session, user, signin.make_token(session, at), now=at)


def ask_leave(
    user,
    session: Session,
    at: dt.datetime | None = None,
    leave_type: str = "事假",
    reason: str = "到县里开会",
):
    at = at or session.starts_at - dt.timedelta(days=2)
    ask = leave.LeaveAsk(session.series, leave_type, reason, session=session)
    return leave.request_leave(user, ask, now=at)


def approved_leave(user, session: Session, leader):
    request = ask_leave(user, session)
    return leave.decide(request, leader, True, "同意", now=session.starts_at - dt.timedelta(days=1))


def exempt(user, inspector, date_from: dt.date, date_to: dt.date, scan: bytes | None = None):
    filing = exemptions.ExemptionFiling(
        user,
        series_of(KIND_TRAINING),
        date_from,
        date_to,
        "腰伤，县医院诊断",
        scan=io.BytesIO(scan) if scan else None,
        scan_name="病历.png" if scan else "",
    )
    return exemptions.file_exemption(filing, inspector)


def correct(
    session: Session,
    user,
    status: str,
    by,
    reason: str = "现场点名确认到场",
    late_minutes: int = 0,
    at: dt.datetime | None = None,
):
    at = at or session.starts_at + dt.timedelta(days=1)
    fix = rollcall.Correction(status, late_minutes, reason)
    return rollcall.correct(session, user, fix, by, now=at)
