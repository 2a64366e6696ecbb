"""Attendance lookups, permissions and record primitives shared by sign-in, roll call, leave
and the records, and what ratings asks: who signed in at a session.

The operations live beside this module, one file per responsibility: ``signin`` (QR tokens and
check-in), ``rollcall`` (点名 and corrections), ``leave`` (请假), ``exemptions`` (备案 and
exclusions), ``records`` (who was present, absent, excused — computed, never stored). Sessions
and series are the schedule's: ``schedule.services.get_session/get_series/list_sessions``.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from lecturehub.attendance.models import (
    LATE,
    PRESENT,
    AttendanceCorrection,
    AttendanceRecord,
)
from lecturehub.auth import services as auth_services
from lecturehub.auth.models import Department, User
from lecturehub.core.errors import Forbidden
from lecturehub.core.security import has_role
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_TRAINING, Series, Session

SIGNED_IN = (PRESENT, LATE)


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


def upcoming_sessions(now: dt.datetime, limit: int = 3) -> list[Session]:
    """Sessions whose sign-in has not closed yet, soonest first (today's first)."""
    since = now - dt.timedelta(minutes=int(current_app.config["SIGNIN_CLOSES_MINUTES"]))
    sessions = schedule_services.list_sessions(since.date(), active_only=True)
    return [session for session in sessions if session.starts_at >= since][:limit]


def user_dict(user: User) -> dict:
    return auth_services.user_brief(user)


# --- records: the pieces sign-in and roll call share -----------------------------------------


def find_record(session_id: int, user_id: int) -> AttendanceRecord | None:
    query = select(AttendanceRecord).where(
        AttendanceRecord.session_id == session_id, AttendanceRecord.user_id == user_id
    )
    return db.session.scalar(query)


def lateness(session: Session, at: dt.datetime) -> tuple[str, int]:
    """Present up to the first full minute after the start; then late by whole minutes."""
    minutes = int((at - session.starts_at).total_seconds() // 60)
    return (LATE, minutes) if minutes >= 1 else (PRESENT, 0)


def apply_change(
    record: AttendanceRecord,
    status: str,
    minutes: int,
    by: User,
    reason: str,
    now: dt.datetime,
    old_status: str | None = None,
) -> None:
    """Change a record and keep the correction (the caller commits)."""
    correction = AttendanceCorrection(
        by_id=by.id,
        at=now,
        reason=reason,
        old_status=old_status or record.status,
        old_late_minutes=record.late_minutes,
        new_status=status,
        new_late_minutes=minutes,
    )
    record.corrections.append(correction)
    record.status, record.late_minutes = status, minutes
    record.recorded_by_id = by.id


# --- who signed in (ratings: only they may rate) ---------------------------------------------


def _signed_in_query(session_id: int):
    return select(AttendanceRecord.user_id).where(
        AttendanceRecord.session_id == session_id, AttendanceRecord.status.in_(SIGNED_IN)
    )


def signed_in(session_id: int, user_id: int) -> bool:
    """True when the person has a present or late record at the session."""
    query = _signed_in_query(session_id).where(AttendanceRecord.user_id == user_id)
    return db.session.scalar(query) is not None


def signed_in_count(session_id: int) -> int:
    query = select(func.count()).select_from(_signed_in_query(session_id).subquery())
    return int(db.session.scalar(query) or 0)


def signed_in_users(session_id: int) -> list[int]:
    """User ids of everyone who signed in at the session."""
    return list(db.session.scalars(_signed_in_query(session_id)))
