"""The rotation planner: which department gives the talk on each lecture evening.

Fair turns: the department with the fewest talks this calendar year goes first; ties go to the
one that has waited longest since its last talk, then to the department list's sort order.
The same department never speaks twice in a row when another one can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from lecturehub.auth.models import Department
from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db
from lecturehub.schedule import services
from lecturehub.schedule.generation import validate_range
from lecturehub.schedule.lectures import new_lecture
from lecturehub.schedule.models import KIND_LECTURE, Lecture, Session


@dataclass(frozen=True)
class Proposal:
    session: Session
    department: Department


@dataclass
class _Tally:
    counts: dict[int, int]
    last: dict[int, dt.date]
    previous: int | None = None

    def record(self, department_id: int | None, day: dt.date, year: int) -> None:
        if department_id is not None and day.year == year:
            self.counts[department_id] = self.counts.get(department_id, 0) + 1
        if department_id is not None:
            self.last[department_id] = max(day, self.last.get(department_id, day))
        self.previous = department_id


def _history(start: dt.date) -> _Tally:
    """Talks before ``start``: counts in start's calendar year, last dates, the latest one."""
    query = (
        select(Lecture.department_id, Session.date)
        .join(Session)
        .where(
            Lecture.department_id.is_not(None),
            Session.date < start,
            Session.status != services.STATUS_CANCELLED,
        )
        .order_by(Session.starts_at)
    )
    tally = _Tally({}, {})
    for department_id, day in db.session.execute(query):
        tally.record(department_id, day, start.year)
    return tally


def _pick(departments: list[Department], tally: _Tally) -> Department:
    def key(department: Department):
        return (
            tally.counts.get(department.id, 0),
            tally.last.get(department.id, dt.date.min),
            department.sort_order,
            department.id,
        )

    ranked = sorted(departments, key=key)
    for department in ranked:
        if department.id != tally.previous:
            return department
    return ranked[0]


def propose_rotation(
    departments: list[Department], start: dt.date | None, end: dt.date | None
) -> list[Proposal]:
    """A department for every lecture session in the range that has no talk yet."""
    validate_range(start, end)
    if not departments:
        raise ServiceError("请至少选择一个参加轮讲的部门。", "no_departments")
    tally = _history(start)
    proposals = []
    for session in services.list_sessions(start, end, kind=KIND_LECTURE, active_only=True):
        if session.lecture is not None:
            tally.record(session.lecture.department_id, session.date, start.year)
            continue
        department = _pick(departments, tally)
        proposals.append(Proposal(session, department))
        tally.record(department.id, session.date, start.year)
    return proposals


def confirm_rotation(assignments: dict[int, int | None]) -> list[Lecture]:
    """Create the talks {session id: department id}; a None department leaves a session open.

    Everything is checked first; one commit for all.
    """
    planned = []
    for session_id, department_id in sorted(assignments.items()):
        if not department_id:
            continue
        department = db.session.get(Department, department_id)
        if department is None:
            raise ServiceError("所选部门不存在。", "unknown_department")
        planned.append((services.get_session(session_id), department))
    lectures = []
    try:
        for session, department in planned:
            lectures.append(new_lecture(session, commit=False, department=department))
            db.session.flush()
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    return lectures
