"""Attendance facts offered to sibling features (ratings) through ``provide``/``provider``.

Ratings may not import attendance, so it asks these: who signed in (出勤 or 迟到) at a session.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from lecturehub.attendance.models import LATE, PRESENT, AttendanceRecord
from lecturehub.core.templating import provide
from lecturehub.extensions import db

SIGNED_IN = (PRESENT, LATE)


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


def register(app: Flask) -> None:
    provide(app, "attendance_signed_in", signed_in)
    provide(app, "attendance_signed_in_count", signed_in_count)
    provide(app, "attendance_signed_in_users", signed_in_users)
