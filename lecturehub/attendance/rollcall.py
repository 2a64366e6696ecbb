"""Roll call (点名) by the lead leader or an admin, and corrections with a kept audit trail.

A first mark during the sign-in window needs no reason. Any change to an existing record, and
any record made after the window has closed (when the person already counts as absent), is a
correction: it needs a reason and is kept as an :class:`AttendanceCorrection` (who, when,
old → new, why).
"""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance.models import (
    ABSENT,
    LATE,
    PENDING,
    RECORD_STATUSES,
    STATUS_LABELS,
    AttendanceRecord,
)
from lecturehub.attendance.records import Ledger, session_sheet
from lecturehub.attendance.services import (
    apply_change,
    find_record,
    is_closed,
    lateness,
    require_manage,
    window,
)
from lecturehub.auth.models import User
from lecturehub.core.errors import Forbidden, ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Session

MAX_LATE_MINUTES = 600


def _check_status(status: str) -> None:
    if status not in RECORD_STATUSES:
        raise ServiceError("状态只能是 出勤 / 迟到 / 缺席。", "bad_status")


def _check_open(session: Session, now: dt.datetime) -> None:
    if session.cancelled:
        raise ServiceError("该场次已取消，无需点名。", "session_cancelled")
    if now < window(session)[0]:
        raise ServiceError("签到尚未开始，暂不能点名。", "signin_not_open")


def _new_record(
    session: Session, user: User, status: str, minutes: int, by: User, now: dt.datetime, method: str
) -> AttendanceRecord:
    record = AttendanceRecord(
        session_id=session.id,
        user_id=user.id,
        status=status,
        late_minutes=minutes,
        checked_in_at=now if status != ABSENT else None,
        method=method,
        recorded_by_id=by.id,
    )
    db.session.add(record)
    return record


def roll_call(
    session: Session, marks: dict[int, str], by: User, now: dt.datetime | None = None
) -> int:
    """Record ticks (user id → present/late/absent) for people not yet recorded; one commit.

    Refuses the whole list when any tick would change an existing record (use ``correct``)."""
    now = now or local_now()
    require_manage(by, session)
    _check_open(session, now)
    if is_closed(session, now):
        raise ServiceError(
            "签到时段已结束，不能再点名；如需修改，请逐条“更正”并填写原因。", "signin_closed"
        )
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
            _new_record(session, user, status, minutes, by, now, "roll_call")
            count += 1
    db.session.commit()
    return count


def mark_all_present(session: Session, by: User, now: dt.datetime | None = None) -> int:
    """全部到场: everyone still pending (not signed in, not on leave, not exempt) is present."""
    now = now or local_now()
    sheet = session_sheet(session, now)
    pending = [user.id for user, cell in sheet.rows if cell.status == PENDING]
    return roll_call(session, {uid: "present" for uid in pending}, by, now)


def correct(
    session: Session,
    user: User,
    status: str,
    late_minutes: int,
    reason: str,
    by: User,
    now: dt.datetime | None = None,
) -> AttendanceRecord:
    """Correct one person's record at a session, with a reason; the change is kept."""
    now = now or local_now()
    require_manage(by, session)
    if user.id == by.id and not by.has_role("admin"):
        raise Forbidden("不能更正本人的考勤记录，请由党政办更正。", "own_record")
    _check_status(status)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("更正记录必须填写原因。", "reason_required")
    _check_open(session, now)
    minutes = int(late_minutes or 0) if status == LATE else 0
    if status == LATE and not 1 <= minutes <= MAX_LATE_MINUTES:
        raise ServiceError(f"迟到分钟数应在 1 到 {MAX_LATE_MINUTES} 之间。", "bad_minutes")
    record = find_record(session.id, user.id)
    if record is None:
        cell = Ledger([session], [user]).cell(session, user, now)
        old = cell.status if cell is not None else ABSENT
        if old == status == ABSENT:
            raise ServiceError("记录已是“缺席”，无需更正。", "unchanged")
        record = _new_record(
            session, user, old if old in RECORD_STATUSES else ABSENT, 0, by, now, "correction"
        )
        record.checked_in_at = None
        apply_change(record, status, minutes, by, reason, now, old_status=old)
    elif (record.status, record.late_minutes) == (status, minutes):
        raise ServiceError(f"记录已是“{STATUS_LABELS[status]}”，无需更正。", "unchanged")
    else:
        apply_change(record, status, minutes, by, reason, now)
    db.session.commit()
    return record
