"""Series (recurring programmes), their sessions, and the talks (讲学) on lecture sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.auth.models import Department, User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db

CATEGORIES = ["政治理论", "党史和红色故事学习", "最新政策和文件解读", "业务知识讲解"]
KIND_LECTURE = "lecture"
KIND_TRAINING = "training"


class Series(db.Model):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    subtitle: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20))  # lecture | training
    weekdays: Mapped[str] = mapped_column(String(20))  # "0,2" = Mon, Wed (Python weekday())
    start_time: Mapped[dt.time]  # winter / all-year start
    summer_start_time: Mapped[dt.time | None]  # None: no seasonal switch
    summer_from: Mapped[str] = mapped_column(String(5), default="05-01")  # MM-DD
    summer_to: Mapped[str] = mapped_column(String(5), default="09-30")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    venue: Mapped[str] = mapped_column(String(120))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(default=True)

    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    department: Mapped[Department | None] = relationship()

    @property
    def weekday_list(self) -> list[int]:
        return [int(x) for x in self.weekdays.split(",") if x.strip() != ""]

    def __str__(self) -> str:
        return self.name


class Session(db.Model):
    """One meeting of a series on a date (a lecture evening or a morning training)."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("series_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    date: Mapped[dt.date] = mapped_column(index=True)
    starts_at: Mapped[dt.datetime]  # naive Asia/Shanghai
    duration_minutes: Mapped[int] = mapped_column(default=60)
    venue: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled|cancelled
    is_extra: Mapped[bool] = mapped_column(default=False)  # a one-off (专题讲座, 运动会 …)
    title: Mapped[str] = mapped_column(String(120), default="")  # for one-off sessions
    change_reason: Mapped[str] = mapped_column(Text, default="")
    moved_from: Mapped[dt.datetime | None]  # the original start, kept across later moves
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, bumped on changes
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    backfill: Mapped[bool] = mapped_column(default=False)  # 补录: created after it was held
    # 作废: held, but counts for nobody (its attendance records stay, for the audit)
    voided_at: Mapped[dt.datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    series: Mapped[Series] = relationship()
    lecture: Mapped[Lecture | None] = relationship(back_populates="session", uselist=False)
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])
    events: Mapped[list[SessionEvent]] = relationship(
        back_populates="session", order_by="SessionEvent.id"
    )

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def moved(self) -> bool:
        return self.moved_from is not None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def display_status(self) -> str:
        """scheduled | moved | cancelled (what attendees see)."""
        if self.cancelled:
            return "cancelled"
        return "moved" if self.moved else "scheduled"

    @property
    def label(self) -> str:
        return self.title or self.series.name


EVENT_LABELS = {
    "created": "新建临时活动",
    "backfill": "补录已举行的活动",
    "moved": "调整时间/地点",
    "cancelled": "取消",
    "voided": "作废",
    "unvoided": "撤销作废",
}


class SessionEvent(db.Model):
    """One change to a session, kept for the audit trail (who, when, what, why). Never deleted."""

    __tablename__ = "session_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # a key of EVENT_LABELS
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # e.g. the old → new time

    session: Mapped[Session] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


class Lecture(db.Model):
    """A talk (讲学) given at a lecture session."""

    __tablename__ = "lectures"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    category: Mapped[str] = mapped_column(String(40), default="")
    abstract_md: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.datetime | None]
    confirmed: Mapped[bool] = mapped_column(default=True)  # rotation proposals start unconfirmed
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    session: Mapped[Session] = relationship(back_populates="lecture")
    speaker: Mapped[User | None] = relationship()
    department: Mapped[Department | None] = relationship()

    @property
    def starts_at(self) -> dt.datetime:
        return self.session.starts_at

    @property
    def display_title(self) -> str:
        return self.title or "（待定）"
