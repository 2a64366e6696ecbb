"""Who was present, late, excused, exempt or absent — computed from the records, never stored.

A :class:`Ledger` loads the records, approved leave, exemptions and exclusions of a set of
sessions once, then answers ``cell(session, user)`` in memory. Status precedence: a sign-in
(present/late) wins; then an exemption (免训), then approved leave (请假); then an explicit
absent mark or a closed sign-in window means absent (缺席); otherwise still pending.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from lecturehub.attendance.models import (
    ABSENT,
    EXCUSED,
    EXEMPT,
    LATE,
    LEAVE_APPROVED,
    PENDING,
    PRESENT,
    STATUS_LABELS,
    AttendanceRecord,
    Exclusion,
    Exemption,
    LeaveRequest,
)
from lecturehub.attendance.services import active_users, is_closed
from lecturehub.auth.models import User
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Series, Session
from lecturehub.schedule.services import list_sessions


@dataclass(frozen=True)
class Cell:
    status: str
    late_minutes: int = 0
    record: AttendanceRecord | None = None
    leave: LeaveRequest | None = None
    exemption: Exemption | None = None

    @property
    def label(self) -> str:
        if self.status == LATE and self.late_minutes:
            return f"迟到 {self.late_minutes} 分钟"
        return STATUS_LABELS[self.status]


@dataclass
class Counts:
    present: int = 0
    late: int = 0
    excused: int = 0
    exempt: int = 0
    absent: int = 0
    pending: int = 0

    @property
    def expected(self) -> int:
        """应到: everyone counted except the exempt."""
        return self.present + self.late + self.excused + self.absent + self.pending

    @property
    def attended(self) -> int:
        return self.present + self.late

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    def merge(self, other: Counts) -> None:
        for name in (PRESENT, LATE, EXCUSED, EXEMPT, ABSENT, PENDING):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        keys = (PRESENT, LATE, EXCUSED, EXEMPT, ABSENT, PENDING)
        return {"expected": self.expected, **{k: getattr(self, k) for k in keys}}


def _by_key(query) -> dict[tuple[int, int], list]:
    grouped: dict[tuple[int, int], list] = defaultdict(list)
    for row in db.session.scalars(query):
        grouped[(row.series_id, row.user_id)].append(row)
    return grouped


class Ledger:
    """The facts of a set of sessions, loaded in four queries."""

    def __init__(self, sessions: list[Session], users: list[User] | None = None):
        self.sessions = sessions
        self.users = active_users() if users is None else users
        ids = [s.id for s in sessions] or [0]
        series_ids = sorted({s.series_id for s in sessions}) or [0]
        first = min((s.date for s in sessions), default=dt.date.min)
        last = max((s.date for s in sessions), default=dt.date.min)
        records = db.session.scalars(
            select(AttendanceRecord).where(AttendanceRecord.session_id.in_(ids))
        )
        self.records = {(r.session_id, r.user_id): r for r in records}
        leaves = self._ranged(LeaveRequest, series_ids, first, last)
        self.leaves = _by_key(leaves.where(LeaveRequest.status == LEAVE_APPROVED))
        exempt = self._ranged(Exemption, series_ids, first, last)
        self.exemptions = _by_key(exempt.where(Exemption.ended_at.is_(None)))
        self.exclusions = _by_key(select(Exclusion).where(Exclusion.series_id.in_(series_ids)))

    @staticmethod
    def _ranged(model, series_ids, first, last):
        return select(model).where(
            model.series_id.in_(series_ids), model.date_from <= last, model.date_to >= first
        )

    def _find(self, table, session: Session, user: User):
        rows = table.get((session.series_id, user.id), ())
        return next((row for row in rows if row.covers(session)), None)

    def expected(self, session: Session, user: User) -> bool:
        return self._find(self.exclusions, session, user) is None

    def cell(self, session: Session, user: User, now: dt.datetime) -> Cell | None:
        """The person's status at the session, or None when not expected and not recorded."""
        record = self.records.get((session.id, user.id))
        if record is not None and record.status in (PRESENT, LATE):
            return Cell(record.status, record.late_minutes, record)
        if record is None and (session.cancelled or not self.expected(session, user)):
            return None
        exemption = self._find(self.exemptions, session, user)
        if exemption is not None:
            return Cell(EXEMPT, record=record, exemption=exemption)
        leave = self._find(self.leaves, session, user)
        if leave is not None:
            return Cell(EXCUSED, record=record, leave=leave)
        if record is not None or is_closed(session, now):
            return Cell(ABSENT, record=record)
        return Cell(PENDING)


@dataclass
class SessionSheet:
    session: Session
    rows: list[tuple[User, Cell]]
    counts: Counts

    def named(self, *statuses: str) -> list[tuple[User, Cell]]:
        return [(user, cell) for user, cell in self.rows if cell.status in statuses]


def sheet_from(ledger: Ledger, session: Session, now: dt.datetime) -> SessionSheet:
    rows, counts = [], Counts()
    for user in ledger.users:
        cell = ledger.cell(session, user, now)
        if cell is not None:
            rows.append((user, cell))
            counts.add(cell.status)
    return SessionSheet(session, rows, counts)


def session_sheet(session: Session, now: dt.datetime | None = None) -> SessionSheet:
    """Every expected (or recorded) person at a session with their status, and the counts."""
    return sheet_from(Ledger([session]), session, now or local_now())


def session_sheets(sessions: list[Session], now: dt.datetime | None = None) -> list[SessionSheet]:
    ledger, now = Ledger(sessions), now or local_now()
    return [sheet_from(ledger, s, now) for s in sessions]


def user_history(
    user: User, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> list[tuple[Session, Cell]]:
    """One person's sessions that have begun in a date range, with their status."""
    now = now or local_now()
    ledger = Ledger(list_sessions(date_from, date_to, active_only=True, until=now), [user])
    cells = ((s, ledger.cell(s, user, now)) for s in ledger.sessions)
    return [(s, cell) for s, cell in cells if cell is not None]


def flag_count() -> int:
    return int(current_app.config["ABSENCE_FLAG_COUNT"])


def absences_in_year(
    year: int, users: list[User] | None = None, now: dt.datetime | None = None
) -> dict[int, list[Session]]:
    """Unexcused absences (缺席) per user id in a calendar year, all series together."""
    now = now or local_now()
    year_from, year_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sessions = list_sessions(year_from, year_to, active_only=True, until=now)
    ledger = Ledger(sessions, users)
    found: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        for user in ledger.users:
            cell = ledger.cell(session, user, now)
            if cell is not None and cell.status == ABSENT:
                found[user.id].append(session)
    return dict(found)


def absence_flags(
    year: int, users: list[User] | None = None, now: dt.datetime | None = None
) -> dict[int, list[Session]]:
    """The "多次缺席" rule: who loses 评先评优 eligibility for ``year``, and from which sessions."""
    limit = flag_count()
    absences = absences_in_year(year, users, now)
    return {uid: sessions for uid, sessions in absences.items() if len(sessions) >= limit}


@dataclass
class PersonRow:
    user: User
    by_series: dict[int, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    flagged: list[Session] = field(default_factory=list)  # this year's absences, when flagged


@dataclass
class PeriodReport:
    date_from: dt.date
    date_to: dt.date
    series: list[Series]
    rows: list[PersonRow]
    totals: dict[int, Counts]
    grand_total: Counts


def person_report(
    date_from: dt.date,
    date_to: dt.date,
    users: list[User] | None = None,
    now: dt.datetime | None = None,
) -> PeriodReport:
    """Per person, per series counts for a period, with the year's 评先评优 flag."""
    now = now or local_now()
    ledger = Ledger(list_sessions(date_from, date_to, active_only=True, until=now), users)
    series = sorted({s.series for s in ledger.sessions}, key=lambda s: s.id)
    rows = {u.id: PersonRow(u, {s.id: Counts() for s in series}) for u in ledger.users}
    for session in ledger.sessions:
        for user in ledger.users:
            cell = ledger.cell(session, user, now)
            if cell is not None:
                rows[user.id].by_series[session.series_id].add(cell.status)
    flags = absence_flags(date_to.year, ledger.users, now)
    return _finish_report(date_from, date_to, series, list(rows.values()), flags)


def _finish_report(date_from, date_to, series, rows, flags) -> PeriodReport:
    totals = {s.id: Counts() for s in series}
    grand = Counts()
    for row in rows:
        row.flagged = flags.get(row.user.id, [])
        for series_id, counts in row.by_series.items():
            row.total.merge(counts)
            totals[series_id].merge(counts)
        grand.merge(row.total)
    return PeriodReport(date_from, date_to, series, rows, totals, grand)
