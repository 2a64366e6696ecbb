"""Who was present, late, excused, exempt or absent — computed from the records, never stored.

A :class:`Ledger` loads the records, approved leave, exemptions, exclusions and account history
of a set of sessions once, then answers ``cell(session, user)`` in memory.

Who is expected at a session: people whose account was active at its start (an account
deactivated before it is not expected; one created after it only where a record names it),
minus the exclusions of the series; exemptions (免训) take people out of training.

Status precedence: a sign-in (present/late) wins; then an exemption (免训), then approved leave
(请假); then an explicit mark (absent, or excused by the leader); then, once the sign-in window
has closed, absent (缺席) — but only in a session with at least one record (``recorded``): in
an ``unrecorded`` one everyone without a record is 待补录, and nobody is absent. A void
(作废) or unrecorded session counts for nobody (``Cell.counted``).
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
    UNRECORDED,
    AttendanceRecord,
    Exclusion,
    Exemption,
    LeaveRequest,
)
from lecturehub.attendance.services import (
    RECORDED,
    SIGNED_IN,
    VOID,
    is_closed,
    people,
    state_of,
)
from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Series, Session
from lecturehub.schedule.services import list_sessions

NOT_COUNTED = (VOID, UNRECORDED)  # session states that count for nobody


@dataclass(frozen=True)
class Cell:
    status: str
    late_minutes: int = 0
    record: AttendanceRecord | None = None
    leave: LeaveRequest | None = None
    exemption: Exemption | None = None
    state: str = RECORDED  # the session's attendance state

    @property
    def label(self) -> str:
        if self.status == LATE and self.late_minutes:
            return f"迟到 {self.late_minutes} 分钟"
        return STATUS_LABELS[self.status]

    @property
    def counted(self) -> bool:
        """Whether it counts in anyone's record (not in a void or unrecorded session)."""
        return self.state not in NOT_COUNTED


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

    def add_cell(self, cell: Cell) -> None:
        """Count a cell when it counts (see ``Cell.counted``)."""
        if cell.counted:
            self.add(cell.status)

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
    """The facts of a set of sessions, loaded in six queries."""

    def __init__(self, sessions: list[Session], users: list[User] | None = None):
        self.sessions = sessions
        self.users = people() if users is None else users
        ids = [s.id for s in sessions] or [0]
        series_ids = sorted({s.series_id for s in sessions}) or [0]
        first = min((s.date for s in sessions), default=dt.date.min)
        last = max((s.date for s in sessions), default=dt.date.min)
        records = db.session.scalars(
            select(AttendanceRecord).where(AttendanceRecord.session_id.in_(ids))
        )
        self.records = {(r.session_id, r.user_id): r for r in records}
        self.recorded = {session_id for session_id, _user_id in self.records}
        leaves = self._ranged(LeaveRequest, series_ids, first, last)
        self.leaves = _by_key(leaves.where(LeaveRequest.status == LEAVE_APPROVED))
        exempt = self._ranged(Exemption, series_ids, first, last)
        self.exemptions = _by_key(exempt.where(Exemption.ended_at.is_(None)))
        self.exclusions = _by_key(select(Exclusion).where(Exclusion.series_id.in_(series_ids)))
        self.activity = auth_services.activity_changes(u.id for u in self.users)

    @staticmethod
    def _ranged(model, series_ids, first, last):
        return select(model).where(
            model.series_id.in_(series_ids), model.date_from <= last, model.date_to >= first
        )

    def _find(self, table, session: Session, user: User):
        rows = table.get((session.series_id, user.id), ())
        return next((row for row in rows if row.covers(session)), None)

    def expected(self, session: Session, user: User) -> bool:
        """Active when the session began, and not excluded from its series."""
        changes = self.activity.get(user.id, [])
        if not auth_services.was_active(user, changes, session.starts_at):
            return False
        return self._find(self.exclusions, session, user) is None

    def state(self, session: Session, now: dt.datetime) -> str:
        return state_of(session, session.id in self.recorded, now)

    def cell(self, session: Session, user: User, now: dt.datetime) -> Cell | None:
        """The person's status at the session, or None when not expected and not recorded."""
        state = self.state(session, now)
        record = self.records.get((session.id, user.id))
        if record is not None and record.status in SIGNED_IN:
            return Cell(record.status, record.late_minutes, record, state=state)
        if record is None and (session.cancelled or not self.expected(session, user)):
            return None
        exemption = self._find(self.exemptions, session, user)
        if exemption is not None:
            return Cell(EXEMPT, record=record, exemption=exemption, state=state)
        leave = self._find(self.leaves, session, user)
        if leave is not None:
            return Cell(EXCUSED, record=record, leave=leave, state=state)
        if record is not None:  # marked absent, or excused by the leader
            return Cell(record.status, record=record, state=state)
        if not is_closed(session, now):
            return Cell(PENDING, state=state)
        return Cell(ABSENT if session.id in self.recorded else UNRECORDED, state=state)


@dataclass
class SessionSheet:
    session: Session
    rows: list[tuple[User, Cell]]
    counts: Counts  # what counts in the record: nothing for a void or unrecorded session
    state: str = RECORDED

    def named(self, *statuses: str) -> list[tuple[User, Cell]]:
        return [(user, cell) for user, cell in self.rows if cell.status in statuses]

    @property
    def listed(self) -> int:
        """How many people the sheet lists (expected or recorded), counted or not."""
        return len(self.rows)


def sheet_from(ledger: Ledger, session: Session, now: dt.datetime) -> SessionSheet:
    rows, counts = [], Counts()
    for user in ledger.users:
        cell = ledger.cell(session, user, now)
        if cell is not None:
            rows.append((user, cell))
            counts.add_cell(cell)
    return SessionSheet(session, rows, counts, ledger.state(session, now))


def session_sheet(session: Session, now: dt.datetime | None = None) -> SessionSheet:
    """Every expected (or recorded) person at a session with their status, and the counts."""
    return sheet_from(Ledger([session]), session, now or local_now())


def session_sheets(sessions: list[Session], now: dt.datetime | None = None) -> list[SessionSheet]:
    ledger, now = Ledger(sessions), now or local_now()
    return [sheet_from(ledger, s, now) for s in sessions]


def user_history(
    user: User, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> list[tuple[Session, Cell]]:
    """One person's sessions that have begun in a date range, with their status (void and
    unrecorded sessions included: their cells say so, and do not count)."""
    now = now or local_now()
    ledger = Ledger(list_sessions(date_from, date_to, active_only=True, until=now), [user])
    cells = ((s, ledger.cell(s, user, now)) for s in ledger.sessions)
    return [(s, cell) for s, cell in cells if cell is not None]


def tally(cells) -> Counts:
    """The counts of the cells that count."""
    counts = Counts()
    for cell in cells:
        counts.add_cell(cell)
    return counts


def flag_count() -> int:
    return int(current_app.config["ABSENCE_FLAG_COUNT"])


@dataclass
class YearRow:
    """One person's 督查 record of a year: recorded sessions only."""

    user: User
    counts: Counts = field(default_factory=Counts)
    absences: list[Session] = field(default_factory=list)
    flagged: bool = False

    def as_dict(self) -> dict:
        c = self.counts
        return {
            "user": {"id": self.user.id, "name": self.user.name},
            "expected": c.expected,
            "attended": c.attended,
            "late": c.late,
            "excused": c.excused,
            "exempt": c.exempt,
            "absent": c.absent,
            "flagged": self.flagged,
        }


def year_record(
    year: int, users: list[User] | None = None, now: dt.datetime | None = None
) -> list[YearRow]:
    """Per person, the year's recorded sessions: expected, attended, late, excused, exempt,
    absent, and the 评先评优 flag (``ABSENCE_FLAG_COUNT`` absences) with the sessions behind it.

    Only ``recorded`` sessions count (not void, not unrecorded, window closed). A person who was
    never expected nor recorded in the year has no row unless their account is active."""
    now = now or local_now()
    sessions = list_sessions(
        dt.date(year, 1, 1), dt.date(year, 12, 31), active_only=True, until=now
    )
    ledger = Ledger(sessions, users)
    rows = {user.id: YearRow(user) for user in ledger.users}
    seen: set[int] = set()
    for session in sessions:
        if ledger.state(session, now) != RECORDED:
            continue
        for user in ledger.users:
            cell = ledger.cell(session, user, now)
            if cell is None:
                continue
            seen.add(user.id)
            rows[user.id].counts.add(cell.status)
            if cell.status == ABSENT:
                rows[user.id].absences.append(session)
    limit = flag_count()
    for row in rows.values():
        row.flagged = len(row.absences) >= limit
    return [row for row in rows.values() if row.user.active or row.user.id in seen]


def absences_in_year(
    year: int, users: list[User] | None = None, now: dt.datetime | None = None
) -> dict[int, list[Session]]:
    """Unexcused absences (缺席) per user id in a calendar year, all series together (recorded
    sessions only)."""
    return {row.user.id: row.absences for row in year_record(year, users, now) if row.absences}


def absence_flags(
    year: int, users: list[User] | None = None, now: dt.datetime | None = None
) -> dict[int, list[Session]]:
    """The "多次缺席" rule: who loses 评先评优 eligibility for ``year``, and from which sessions."""
    return {row.user.id: row.absences for row in year_record(year, users, now) if row.flagged}


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
    seen: set[int] = set()
    for session in ledger.sessions:
        for user in ledger.users:
            cell = ledger.cell(session, user, now)
            if cell is not None and cell.counted:
                seen.add(user.id)
                rows[user.id].by_series[session.series_id].add(cell.status)
    flags = absence_flags(date_to.year, ledger.users, now)
    kept = [row for row in rows.values() if row.user.active or row.user.id in seen]
    return _finish_report(date_from, date_to, series, kept, flags)


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
