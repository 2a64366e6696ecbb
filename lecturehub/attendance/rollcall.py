"""Roll call (点名), 补录 and bulk marks by the lead leader or an admin, and corrections, with a
kept audit trail.

A first mark during the sign-in window needs no reason. Any change to an existing record, and
any record made after the window has closed (补录: the session was not recorded, or the person
already counts as absent), needs a reason and is kept as an :class:`AttendanceCorrection`
(who, when, old → new, why).

A session becomes ``recorded`` with its first record. So the first record of a session whose
window has closed is made for everyone at once (:func:`record_marks`, with what the rest get:
"其余全部到场" / "其余全部缺席"), never by a lone correction that would leave everybody else
absent without anyone deciding it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lecturehub.attendance.models import (
    ABSENT,
    LATE,
    PENDING,
    RECORD_STATUSES,
    STATUS_LABELS,
    UNRECORDED,
    AttendanceRecord,
)
from lecturehub.attendance.records import Cell, Ledger, session_sheet
from lecturehub.attendance.services import (
    SIGNED_IN,
    Change,
    apply_change,
    find_record,
    has_records,
    is_closed,
    lateness,
    require_manage,
    window,
)
from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.core.errors import Forbidden, ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Session

MAX_LATE_MINUTES = 600
REST = (PENDING, UNRECORDED, ABSENT)  # "the rest": people without a record, neither away nor exempt
STATUS_CHOICES = "出勤 / 迟到 / 缺席 / 请假"


def _check_status(status: str) -> None:
    if status not in RECORD_STATUSES:
        raise ServiceError(f"状态只能是 {STATUS_CHOICES}。", "bad_status")


def _check_open(session: Session, now: dt.datetime) -> None:
    if session.cancelled:
        raise ServiceError("该场次已取消，无需点名。", "session_cancelled")
    if session.voided:
        raise ServiceError("该场次已作废，不能再记录考勤；如需记录，请先撤销作废。", "session_void")
    if now < window(session)[0]:
        raise ServiceError("签到尚未开始，暂不能点名。", "signin_not_open")


@dataclass(frozen=True)
class NewMark:
    """A record made by a person (roll call, 补录), not by a QR scan."""

    status: str
    minutes: int
    by: User
    at: dt.datetime
    method: str


def _new_record(session: Session, user: User, mark: NewMark) -> AttendanceRecord:
    record = AttendanceRecord(
        session_id=session.id,
        user_id=user.id,
        status=mark.status,
        late_minutes=mark.minutes,
        checked_in_at=mark.at if mark.method == "roll_call" and mark.status in SIGNED_IN else None,
        method=mark.method,
        recorded_by_id=mark.by.id,
    )
    db.session.add(record)
    return record


def roll_call(
    session: Session, marks: dict[int, str], by: User, now: dt.datetime | None = None
) -> int:
    """Record ticks (user id → present/late/absent/excused) for people not yet recorded, during
    the sign-in window; one commit.

    Refuses the whole list when any tick would change an existing record (use ``correct``)."""
    now = now or local_now()
    require_manage(by, session)
    _check_open(session, now)
    if is_closed(session, now):
        raise ServiceError(
            "签到时段已结束，不能再点名；请用“补录/批量记录”并填写原因。", "signin_closed"
        )
    if not marks:
        raise ServiceError("没有勾选任何人员。", "no_marks")
    rows = {user.id: (user, cell) for user, cell in session_sheet(session, now).rows}
    for user_id, status in marks.items():
        _check_status(status)
        if user_id not in rows:
            raise ServiceError("名单中没有该人员。", "not_expected")
    changed = [
        rows[uid][0].name
        for uid, st in marks.items()
        if rows[uid][1].record is not None and rows[uid][1].record.status != st
    ]
    if changed:
        raise ServiceError(
            f"{'、'.join(changed)} 已有记录，如需修改请点“更正”并填写原因。", "needs_correction"
        )
    count = 0
    for user_id, status in marks.items():
        user, cell = rows[user_id]
        if cell.record is None:
            minutes = max(lateness(session, now)[1], 1) if status == LATE else 0
            _new_record(session, user, NewMark(status, minutes, by, now, "roll_call"))
            count += 1
    db.session.commit()
    return count


def mark_all_present(session: Session, by: User, now: dt.datetime | None = None) -> int:
    """全部到场: everyone still pending (not signed in, not on leave, not exempt) is present."""
    return mark_rest(session, "present", by, now)


def mark_rest(session: Session, status: str, by: User, now: dt.datetime | None = None) -> int:
    """其余全部到场 / 其余全部缺席 during roll call: everyone still pending gets ``status``."""
    now = now or local_now()
    _check_status(status)
    sheet = session_sheet(session, now)
    pending = [user.id for user, cell in sheet.rows if cell.status == PENDING]
    if not pending:
        raise ServiceError("没有尚未记录的人员。", "no_marks")
    return roll_call(session, dict.fromkeys(pending, status), by, now)


# --- 补录 and bulk marks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """One recording step: explicit marks (user id → status), what everyone expected and not
    yet recorded gets (``rest``: "其余全部到场" / "其余全部缺席"), and the one reason."""

    marks: dict[int, str] = field(default_factory=dict)
    rest: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class _Step:
    user: User
    cell: Cell | None
    status: str


def _plan(session: Session, step: Marks, now: dt.datetime) -> list[_Step]:
    """What changes: one entry per person whose record is made or changed (validated)."""
    for status in list(step.marks.values()) + ([step.rest] if step.rest else []):
        _check_status(status)
    sheet = session_sheet(session, now)
    rows = {user.id: (user, cell) for user, cell in sheet.rows}
    plan = []
    for user_id, status in step.marks.items():
        # someone the sheet does not list (an account created after the session): expected
        # here only because this mark names them
        user, cell = rows.get(user_id) or (auth_services.get_user(user_id), None)
        if cell is None or cell.record is None or cell.record.status != status:
            plan.append(_Step(user, cell, status))
    if step.rest:
        plan += [
            _Step(user, cell, step.rest)
            for user, cell in sheet.rows
            if user.id not in step.marks and cell.record is None and cell.status in REST
        ]
    return plan


def _check_reason(session: Session, plan: list[_Step], reason: str, now: dt.datetime) -> None:
    changes = any(s.cell is not None and s.cell.record is not None for s in plan)
    if (changes or is_closed(session, now)) and not reason:
        raise ServiceError("补录或修改考勤记录必须填写原因。", "reason_required")


def _check_own(plan: list[_Step], by: User) -> None:
    """A lead leader changes nobody's existing record of their own (党政办 does)."""
    if by.has_role("admin"):
        return
    if any(s.user.id == by.id and s.cell is not None and s.cell.record for s in plan):
        raise Forbidden("不能更正本人的考勤记录，请由党政办更正。", "own_record")


def record_marks(session: Session, step: Marks, by: User, now: dt.datetime | None = None) -> int:
    """Mark everyone or a selection present / late / absent / excused in one step, with one
    reason: roll call during the window, 补录 after it, corrections of existing records.

    Every record made after the window, and every change, is kept in the audit trail. The
    session is ``recorded`` afterwards. Returns how many records were made or changed."""
    now = now or local_now()
    require_manage(by, session)
    _check_open(session, now)
    if not step.marks and not step.rest:
        raise ServiceError("请至少标记一人，或选择“其余全部到场/缺席”。", "no_marks")
    reason = (step.reason or "").strip()[:1000]
    plan = _plan(session, step, now)
    _check_reason(session, plan, reason, now)
    _check_own(plan, by)
    closed = is_closed(session, now)
    for item in plan:
        minutes = max(lateness(session, now)[1], 1) if item.status == LATE and not closed else 0
        record = item.cell.record if item.cell is not None else None
        if record is not None:
            apply_change(record, Change(item.status, minutes, by, reason, now))
            continue
        method = "backfill" if closed else "roll_call"
        record = _new_record(session, item.user, NewMark(item.status, minutes, by, now, method))
        if closed:  # 补录: what the person counted as before → the mark, who, why
            old = item.cell.status if item.cell is not None else UNRECORDED
            apply_change(record, Change(item.status, minutes, by, reason, now), old_status=old)
    db.session.commit()
    return len(plan)


# --- one person's correction -------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """A correction of one person's record: the new status, minutes late, and why."""

    status: str
    late_minutes: int
    reason: str


def correct(
    session: Session,
    user: User,
    fix: Correction,
    by: User,
    now: dt.datetime | None = None,
) -> AttendanceRecord:
    """Correct one person's record at a recorded session, with a reason; the change is kept.

    An unrecorded session (待补录) is recorded for everyone at once (``record_marks``)."""
    now = now or local_now()
    require_manage(by, session)
    if user.id == by.id and not by.has_role("admin"):
        raise Forbidden("不能更正本人的考勤记录，请由党政办更正。", "own_record")
    _check_status(fix.status)
    reason = (fix.reason or "").strip()
    if not reason:
        raise ServiceError("更正记录必须填写原因。", "reason_required")
    _check_open(session, now)
    minutes = int(fix.late_minutes or 0) if fix.status == LATE else 0
    if fix.status == LATE and not 1 <= minutes <= MAX_LATE_MINUTES:
        raise ServiceError(f"迟到分钟数应在 1 到 {MAX_LATE_MINUTES} 之间。", "bad_minutes")
    record = find_record(session.id, user.id)
    change = Change(fix.status, minutes, by, reason, now)
    if record is None:
        if is_closed(session, now) and not has_records(session):
            raise ServiceError(
                "该场次尚未记录考勤（待补录）。请用“补录”一次记录全体人员，以免其他人被计为缺席。",
                "session_unrecorded",
            )
        cell = Ledger([session], [user]).cell(session, user, now)
        old = cell.status if cell is not None else ABSENT
        if old == fix.status == ABSENT:
            raise ServiceError("记录已是“缺席”，无需更正。", "unchanged")
        start = old if old in RECORD_STATUSES else ABSENT
        record = _new_record(session, user, NewMark(start, 0, by, now, "correction"))
        apply_change(record, change, old_status=old)
    elif (record.status, record.late_minutes) == (fix.status, minutes):
        raise ServiceError(f"记录已是“{STATUS_LABELS[fix.status]}”，无需更正。", "unchanged")
    else:
        apply_change(record, change)
    db.session.commit()
    return record
