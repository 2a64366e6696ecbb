"""Attendance lookups, permissions, the attendance state of a session and the record
primitives shared by sign-in, roll call, leave and the records, and what ratings asks: who
signed in at a session.

The operations live beside this module, one file per responsibility: ``signin`` (QR tokens and
check-in), ``rollcall`` (点名, 补录, bulk marks and corrections), ``leave`` (请假),
``exemptions`` (备案 and exclusions), ``records`` (who was present, absent, excused — computed,
never stored). Sessions and series are the schedule's: ``schedule.services``.

The attendance state of a session (``attendance_state``), computed, never stored:

- ``void``: voided (作废) or cancelled — it counts for nobody;
- ``upcoming``: its sign-in window has not opened yet;
- ``open``: the window is open (QR sign-in, roll call);
- ``recorded``: the window has closed and the session has at least one record (a QR sign-in, a
  roll call, a 补录 by the admin or the series' lead leader) — only these produce absences;
- ``unrecorded``: the window has closed and nothing was recorded (待补录).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
from lecturehub.core import signals
from lecturehub.core.errors import Conflict, Forbidden
from lecturehub.core.security import has_role
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_TRAINING, Series, Session

SIGNED_IN = (PRESENT, LATE)
UPCOMING, OPEN, UNRECORDED, RECORDED, VOID = "upcoming", "open", "unrecorded", "recorded", "void"
STATES = (UPCOMING, OPEN, UNRECORDED, RECORDED, VOID)
STATE_LABELS = {
    UPCOMING: "未开始",
    OPEN: "签到中",
    UNRECORDED: "待补录",
    RECORDED: "已记录",
    VOID: "不计考勤",
}


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


def state_of(session: Session, has_records: bool, now: dt.datetime) -> str:
    """The attendance state (see the module's docstring) from the facts it depends on."""
    if session.cancelled or session.voided:
        return VOID
    opens, closes = window(session)
    if now < opens:
        return UPCOMING
    if now < closes:
        return OPEN
    return RECORDED if has_records else UNRECORDED


def recorded_ids(session_ids) -> set[int]:
    """The ids among ``session_ids`` of the sessions with at least one attendance record."""
    ids = sorted(set(session_ids))
    if not ids:
        return set()
    query = select(AttendanceRecord.session_id).where(AttendanceRecord.session_id.in_(ids))
    return set(db.session.scalars(query.distinct()))


def has_records(session: Session) -> bool:
    return bool(recorded_ids([session.id]))


def attendance_states(sessions: list[Session], now: dt.datetime) -> dict[int, str]:
    """session id → attendance state, for a list of sessions in one query."""
    recorded = recorded_ids(s.id for s in sessions)
    return {s.id: state_of(s, s.id in recorded, now) for s in sessions}


def attendance_state(session: Session, now: dt.datetime) -> str:
    return attendance_states([session], now)[session.id]


UNRECORDED_DAYS = 400  # how far back the 待补录 lists look by default


def unrecorded_sessions(
    now: dt.datetime, since: dt.date | None = None, series_id: int | None = None
) -> list[Session]:
    """待补录: sessions begun since ``since`` whose window closed with nothing recorded."""
    sessions = schedule_services.list_sessions(
        since or now.date() - dt.timedelta(days=UNRECORDED_DAYS),
        now.date(),
        series_id=series_id,
        active_only=True,
        until=now,
    )
    states = attendance_states(sessions, now)
    return [s for s in sessions if states[s.id] == UNRECORDED]


@signals.session_changing.connect
def _held_sessions_stay(session: Session, change: str, **_kwargs) -> None:
    """A session with attendance records was held: it is neither moved nor cancelled."""
    if has_records(session):
        verb = "调整时间" if change == "move" else "取消"
        raise Conflict(
            f"该活动已有考勤记录（已举行），不能{verb}；如需不计入考勤，请由党政办“作废”。",
            "session_has_attendance",
        )


def active_users() -> list[User]:
    """Everyone active now, by department order then name (choices on forms)."""
    return [user for user in people() if user.active]


def people() -> list[User]:
    """Everyone who may ever have been expected: all accounts, by department order then name
    (whether someone was expected at a session depends on its date: ``records.Ledger``)."""
    query = (
        select(User)
        .outerjoin(Department, User.department_id == Department.id)
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


@dataclass(frozen=True)
class Change:
    """One change to a record: the new status (and minutes late), who, why, when."""

    status: str
    minutes: int
    by: User
    reason: str
    at: dt.datetime


def apply_change(record: AttendanceRecord, change: Change, old_status: str | None = None) -> None:
    """Change a record and keep the correction: who, when, old → new, why (the caller commits).

    ``old_status`` is what the person counted as before, when the record is new (a 补录 of
    someone who was 待补录 or 缺席)."""
    correction = AttendanceCorrection(
        by_id=change.by.id,
        at=change.at,
        reason=change.reason,
        old_status=old_status or record.status,
        old_late_minutes=record.late_minutes,
        new_status=change.status,
        new_late_minutes=change.minutes,
    )
    record.corrections.append(correction)
    record.status, record.late_minutes = change.status, change.minutes
    record.recorded_by_id = change.by.id


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
