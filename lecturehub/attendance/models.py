"""Attendance: sign-in records, their corrections, leave, medical exemptions, exclusions, and
the server-side grants that keep a scanned QR code valid while its scanner logs in.

Absence is never stored: it is computed from who is expected at a session and what is
recorded (see ``records.py``), so a correction or a late approval updates every report. Only a
session with at least one record (``recorded``) produces absences.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.auth.models import User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db
from lecturehub.schedule.models import Series, Session

PRESENT, LATE, ABSENT = "present", "late", "absent"
EXCUSED, EXEMPT, PENDING = "excused", "exempt", "pending"
UNRECORDED = "unrecorded"  # the session's window closed and nobody recorded it (待补录)
STATUS_LABELS = {
    PRESENT: "出勤",
    LATE: "迟到",
    ABSENT: "缺席",
    EXCUSED: "请假",
    EXEMPT: "免训",
    PENDING: "未签到",
    UNRECORDED: "待补录",
}
RECORD_STATUSES = (PRESENT, LATE, ABSENT, EXCUSED)  # what a record (a mark) may say
LEAVE_TYPES = ("公假", "事假", "病假")
LEAVE_PENDING, LEAVE_APPROVED, LEAVE_REFUSED, LEAVE_WITHDRAWN = (
    "pending",
    "approved",
    "refused",
    "withdrawn",
)
LEAVE_LABELS = {
    LEAVE_PENDING: "待审批",
    LEAVE_APPROVED: "已批准",
    LEAVE_REFUSED: "未批准",
    LEAVE_WITHDRAWN: "已撤回",
}


class AttendanceRecord(db.Model):
    """What was recorded for one person at one session (QR sign-in, roll call, correction)."""

    __tablename__ = "attendance_records"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # present | late | absent | excused
    late_minutes: Mapped[int] = mapped_column(default=0)
    checked_in_at: Mapped[dt.datetime | None]
    # qr | roll_call | correction | backfill (补录 after the window closed)
    method: Mapped[str] = mapped_column(String(20), default="qr")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    session: Mapped[Session] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    corrections: Mapped[list[AttendanceCorrection]] = relationship(
        back_populates="record", order_by="AttendanceCorrection.id"
    )


class AttendanceCorrection(db.Model):
    """One change to a record after the fact: who, when, old → new, why. Never deleted."""

    __tablename__ = "attendance_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("attendance_records.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    old_status: Mapped[str] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    old_late_minutes: Mapped[int] = mapped_column(default=0)
    new_late_minutes: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text)

    record: Mapped[AttendanceRecord] = relationship(back_populates="corrections")
    by: Mapped[User] = relationship()


class LeaveRequest(db.Model):
    """Leave (请假) from one session or a date range of a series, decided by its lead leader."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    date_from: Mapped[dt.date]
    date_to: Mapped[dt.date]
    leave_type: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=LEAVE_PENDING, index=True)
    late: Mapped[bool] = mapped_column(default=False)  # 逾期: after the day-before cutoff
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    series: Mapped[Series] = relationship()
    session: Mapped[Session | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return LEAVE_LABELS.get(self.status, self.status)

    def covers(self, session: Session) -> bool:
        if session.series_id != self.series_id:
            return False
        if self.session_id is not None:
            return self.session_id == session.id
        return self.date_from <= session.date <= self.date_to


class Exemption(db.Model):
    """A medical exemption (备案) from a training series, filed by 督查办."""

    __tablename__ = "attendance_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    date_from: Mapped[dt.date]
    date_to: Mapped[dt.date]
    note: Mapped[str] = mapped_column(Text, default="")
    scan_key: Mapped[str | None] = mapped_column(String(64))
    scan_name: Mapped[str] = mapped_column(String(200), default="")
    scan_type: Mapped[str] = mapped_column(String(10), default="")  # pdf | jpg | png
    scan_size: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    ended_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    series: Mapped[Series] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def covers(self, session: Session) -> bool:
        return (
            self.ended_at is None
            and session.series_id == self.series_id
            and self.date_from <= session.date <= self.date_to
        )


class Exclusion(db.Model):
    """A person not expected at a series for a while (e.g. seconded elsewhere 借调)."""

    __tablename__ = "attendance_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    date_from: Mapped[dt.date]
    date_to: Mapped[dt.date | None]  # None: until further notice
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    series: Mapped[Series] = relationship()

    def covers(self, session: Session) -> bool:
        return (
            session.series_id == self.series_id
            and self.date_from <= session.date
            and (self.date_to is None or session.date <= self.date_to)
        )


class CheckinGrant(db.Model):
    """A QR code scanned while signed out: valid when scanned, it stays valid for
    GRANT_MINUTES while its browser logs in. Only a hash of the grant is stored; the times are
    the server's (a phone's clock is never asked)."""

    __tablename__ = "attendance_checkin_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    scanned_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
