"""Attendance lookups and permissions shared by sign-in, roll call, leave and the records.

The operations live beside this module, one file per responsibility: ``signin`` (QR tokens and
check-in), ``rollcall`` (点名 and corrections), ``leave`` (请假), ``exemptions`` (备案 and
exclusions), ``records`` (who was present, absent, excused — computed, never stored).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import Department, User
from lecturehub.core.errors import Forbidden, NotFound
from lecturehub.core.security import has_role
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_TRAINING, Series, Session


def get_series(series_id: int | None) -> Series:
    series = db.session.get(Series, series_id) if series_id else None
    if series is None:
        raise NotFound("找不到该系列。", "series_not_found")
    return series


def leads(user: User, series: Series) -> bool:
    """True when ``user`` is the lead leader (牵头领导) of ``series``."""
    return series.leader_id is not None and series.leader_id == getattr(user, "id", None)


def led_series(user: User) -> list[Series]:
    return list(db.session.scalars(select(Series).where(Series.leader_id == user.id)))


def can_manage(user: User, session: Session) -> bool:
    """Open the sign-in screen, take the roll call, correct records: admin or the lead leader."""
    return has_role(user, "admin") or leads(user, session.series)


def require_manage(user: User, session: Session) -> None:
    if not can_manage(user, session):
        raise Forbidden("只有管理员或该系列的牵头领导可以进行此操作。", "not_series_leader")


def can_view(user: User, session: Session) -> bool:
    return has_role(user, "admin", "inspector") or leads(user, session.series)


def require_view(user: User, session: Session) -> None:
    if not can_view(user, session):
        raise Forbidden("只有管理员、督查办或该系列的牵头领导可以查看。", "forbidden")


def window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    """When sign-in opens and closes for a session (config SIGNIN_OPENS/CLOSES_MINUTES)."""
    cfg = current_app.config
    opens = session.starts_at - dt.timedelta(minutes=int(cfg["SIGNIN_OPENS_MINUTES"]))
    closes = session.starts_at + dt.timedelta(minutes=int(cfg["SIGNIN_CLOSES_MINUTES"]))
    return opens, closes


def is_closed(session: Session, now: dt.datetime) -> bool:
    return now >= window(session)[1]


def active_users() -> list[User]:
    """Everyone who may be expected: active users, by department order then name."""
    query = (
        select(User)
        .outerjoin(Department, User.department_id == Department.id)
        .where(User.active.is_(True))
        .order_by(Department.sort_order, User.name, User.id)
    )
    return list(db.session.scalars(query))


def training_series() -> list[Series]:
    return list(db.session.scalars(select(Series).where(Series.kind == KIND_TRAINING)))


def sessions_between(
    date_from: dt.date,
    date_to: dt.date,
    series: Series | None = None,
    until: dt.datetime | None = None,
) -> list[Session]:
    """Scheduled (not cancelled) sessions in a date range, optionally only those begun by ``until``."""
    query = select(Session).where(
        Session.date >= date_from, Session.date <= date_to, Session.status != "cancelled"
    )
    if series is not None:
        query = query.where(Session.series_id == series.id)
    if until is not None:
        query = query.where(Session.starts_at <= until)
    return list(db.session.scalars(query.order_by(Session.starts_at, Session.id)))


def upcoming_sessions(now: dt.datetime, limit: int = 3) -> list[Session]:
    """Sessions whose sign-in has not closed yet, soonest first (today's first)."""
    closes = dt.timedelta(minutes=int(current_app.config["SIGNIN_CLOSES_MINUTES"]))
    query = (
        select(Session)
        .where(Session.starts_at >= now - closes, Session.status != "cancelled")
        .order_by(Session.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def user_dict(user: User) -> dict:
    return auth_services.user_brief(user)


get_session = schedule_services.get_session  # the schedule feature owns sessions
