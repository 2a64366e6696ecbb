"""Leave (请假): asked of the series' lead leader by the end of the day before the session.

A later request is still accepted but marked late (逾期) so the leader sees it. Only the lead
leader of that series decides (an admin may record leave on someone's behalf, not decide it).

Leave against duties: when the person asking is the speaker of a talk in the sessions asked
off, the lead leader is warned before deciding (讲课人请假，讲学需调整), and once it is approved
the talk shows 需调整 on the admin's dashboard until its speaker or its date changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from lecturehub.attendance.models import (
    LEAVE_APPROVED,
    LEAVE_PENDING,
    LEAVE_REFUSED,
    LEAVE_TYPES,
    LEAVE_WITHDRAWN,
    LeaveRequest,
)
from lecturehub.attendance.services import leads, user_dict
from lecturehub.auth.models import User
from lecturehub.core import signals
from lecturehub.core.errors import Conflict, Forbidden, NotFound, ServiceError
from lecturehub.core.security import has_role
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture, Series, Session
from lecturehub.schedule.services import list_sessions

MAX_DAYS = 366
OPEN_STATUSES = (LEAVE_PENDING, LEAVE_APPROVED)
DUTY_WARNING = "讲课人请假，讲学需调整"


def get_leave(leave_id: int) -> LeaveRequest:
    leave = db.session.get(LeaveRequest, leave_id)
    if leave is None:
        raise NotFound("找不到该请假申请。", "leave_not_found")
    return leave


def covered_sessions(leave: LeaveRequest) -> list[Session]:
    sessions = list_sessions(
        leave.date_from, leave.date_to, series_id=leave.series.id, active_only=True
    )
    return [s for s in sessions if leave.covers(s)]


def deadline_for(day: dt.date) -> dt.datetime:
    """The cutoff for a session on ``day``: the end of the day before (提前一天)."""
    return dt.datetime.combine(day, dt.time.min)


@dataclass(frozen=True)
class LeaveAsk:
    """What someone asks: leave from one session, or from a date range of a series."""

    series: Series
    leave_type: str
    reason: str
    session: Session | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _dates_for(ask: LeaveAsk, now: dt.datetime) -> tuple[dt.date, dt.date]:
    series, session, date_from, date_to = ask.series, ask.session, ask.date_from, ask.date_to
    if session is not None:
        if session.series_id != series.id:
            raise ServiceError("所选场次不属于该系列。", "wrong_series")
        if session.cancelled:
            raise ServiceError("该场次已取消，无需请假。", "session_cancelled")
        if session.starts_at <= now:
            raise ServiceError("该场次已开始或已结束，不能再请假。", "leave_past")
        return session.date, session.date
    if not isinstance(date_from, dt.date) or not isinstance(date_to, dt.date):
        raise ServiceError("请选择请假的场次，或填写起止日期。", "missing_dates")
    if date_to < date_from:
        raise ServiceError("结束日期不能早于开始日期。", "bad_dates")
    if date_to < now.date():
        raise ServiceError("不能为已经过去的日期请假。", "leave_past")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ServiceError("请假时段不能超过一年。", "bad_dates")
    return date_from, date_to


def _check_who(user: User, by: User) -> None:
    if by.id != user.id and not has_role(by, "admin"):
        raise Forbidden("只有管理员可以代他人登记请假。", "forbidden")


def _check_overlap(user: User, series: Series, date_from: dt.date, date_to: dt.date) -> None:
    query = select(LeaveRequest).where(
        LeaveRequest.user_id == user.id,
        LeaveRequest.series_id == series.id,
        LeaveRequest.status.in_(OPEN_STATUSES),
        LeaveRequest.date_from <= date_to,
        LeaveRequest.date_to >= date_from,
    )
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict("该时段已有请假申请（待审批或已批准），请勿重复提交。", "leave_overlap")


def _is_late(leave: LeaveRequest, now: dt.datetime) -> bool:
    upcoming = [s for s in covered_sessions(leave) if s.starts_at > now]
    first_day = upcoming[0].date if upcoming else leave.date_from
    return now >= deadline_for(first_day)


def request_leave(
    user: User, ask: LeaveAsk, by: User | None = None, now: dt.datetime | None = None
) -> LeaveRequest:
    """Ask for leave from one session or a date range of a series (validated before writing)."""
    now, by = now or local_now(), by or user
    series, session = ask.series, ask.session
    _check_who(user, by)
    if ask.leave_type not in LEAVE_TYPES:
        raise ServiceError(f"请假类型只能是 {'、'.join(LEAVE_TYPES)}。", "bad_leave_type")
    reason = (ask.reason or "").strip()
    if not reason:
        raise ServiceError("请填写请假事由。", "reason_required")
    first, last = _dates_for(ask, now)
    _check_overlap(user, series, first, last)
    leave = LeaveRequest(
        user_id=user.id,
        series_id=series.id,
        session_id=session.id if session else None,
        user=user,
        series=series,
        session=session,
        date_from=first,
        date_to=last,
        leave_type=ask.leave_type,
        reason=reason[:1000],
        created_at=now,
        created_by_id=by.id,
    )
    leave.late = _is_late(leave, now)
    db.session.add(leave)
    db.session.commit()
    signals.leave_requested.send(leave, duty=duties(leave, now))
    return leave


def decide(
    leave: LeaveRequest, by: User, approve: bool, comment: str = "", now: dt.datetime | None = None
) -> LeaveRequest:
    """Approve or refuse: the lead leader (牵头领导) of that series; the leader's own leave
    goes to 党政办 (an admin), since nobody decides their own request."""
    _check_decider(leave, by)
    if leave.status != LEAVE_PENDING:
        raise Conflict(f"该请假申请已处理（{leave.status_label}）。", "already_decided")
    now = now or local_now()
    leave.status = LEAVE_APPROVED if approve else LEAVE_REFUSED
    leave.decided_by_id, leave.decided_at = by.id, now
    leave.decision_comment = (comment or "").strip()[:1000]
    db.session.commit()
    signals.leave_decided.send(leave, approved=approve, duty=duties(leave, now))
    return leave


def _check_decider(leave: LeaveRequest, by: User) -> None:
    if leave.user_id == by.id:
        raise Forbidden("不能审批本人的请假；牵头领导本人的请假由党政办审批。", "own_leave")
    if leads(by, leave.series):
        return
    if by.has_role("admin") and leave.series.leader_id == leave.user_id:
        return
    leader = leave.series.leader.name if leave.series.leader else "牵头领导"
    raise Forbidden(
        f"只有“{leave.series.name}”的牵头领导（{leader}）可以审批此请假。", "not_series_leader"
    )


def withdraw(leave: LeaveRequest, by: User, now: dt.datetime | None = None) -> LeaveRequest:
    """The cadre (or an admin) withdraws a request before its first session starts."""
    now = now or local_now()
    if by.id != leave.user_id and not has_role(by, "admin"):
        raise Forbidden("只能撤回自己的请假申请。", "forbidden")
    if leave.status not in OPEN_STATUSES:
        raise Conflict(f"该请假申请{leave.status_label}，不能撤回。", "not_withdrawable")
    if any(s.starts_at <= now for s in covered_sessions(leave)):
        raise ServiceError("请假所涉场次已开始，不能撤回。", "leave_started")
    leave.status, leave.withdrawn_at = LEAVE_WITHDRAWN, now
    db.session.commit()
    return leave


# --- leave against duties (讲课人请假) ----------------------------------------------------------


def _talk_covered(leave: LeaveRequest, session: Session) -> bool:
    """The leave covers the talk's session where it now is: a session's leave names its date
    too, so moving the talk to another day leaves the leave behind."""
    return leave.covers(session) and leave.date_from <= session.date <= leave.date_to


def duties(leave: LeaveRequest, now: dt.datetime | None = None) -> list[Lecture]:
    """The talks not yet given that the person asking is the speaker of, in the sessions the
    leave covers (the lead leader is warned: 讲课人请假，讲学需调整)."""
    now = now or local_now()
    return [
        session.lecture
        for session in covered_sessions(leave)
        if session.lecture is not None
        and session.lecture.speaker_id == leave.user_id
        and session.ends_at > now
        and _talk_covered(leave, session)
    ]


def talks_needing_change(sessions: list[Session]) -> dict[int, LeaveRequest]:
    """session id → the approved leave of its talk's speaker (需调整), until the speaker or the
    date of the talk changes."""
    talks = {
        s.id: s.lecture
        for s in sessions
        if s.lecture is not None and s.lecture.speaker_id is not None and not s.cancelled
    }
    if not talks:
        return {}
    speakers = {lecture.speaker_id for lecture in talks.values()}
    dates = [s.date for s in sessions if s.id in talks]
    query = select(LeaveRequest).where(
        LeaveRequest.status == LEAVE_APPROVED,
        LeaveRequest.user_id.in_(speakers),
        LeaveRequest.date_from <= max(dates),
        LeaveRequest.date_to >= min(dates),
    )
    leaves = list(db.session.scalars(query))
    found = {}
    for session in sessions:
        lecture = talks.get(session.id)
        if lecture is None:
            continue
        for leave in leaves:
            if leave.user_id == lecture.speaker_id and _talk_covered(leave, session):
                found[session.id] = leave
                break
    return found


def pending_for(leader: User) -> list[LeaveRequest]:
    """Requests awaiting this lead leader's decision, oldest first."""
    query = (
        select(LeaveRequest)
        .join(Series)
        .where(Series.leader_id == leader.id, LeaveRequest.status == LEAVE_PENDING)
        .order_by(LeaveRequest.date_from, LeaveRequest.id)
    )
    return list(db.session.scalars(query))


def decided_by(leader: User, limit: int = 30) -> list[LeaveRequest]:
    query = (
        select(LeaveRequest)
        .where(LeaveRequest.decided_by_id == leader.id)
        .order_by(LeaveRequest.decided_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def leaves_of(user: User, limit: int = 50) -> list[LeaveRequest]:
    query = (
        select(LeaveRequest)
        .where(LeaveRequest.user_id == user.id)
        .order_by(LeaveRequest.date_from.desc(), LeaveRequest.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def all_leaves(date_from: dt.date, date_to: dt.date) -> list[LeaveRequest]:
    query = (
        select(LeaveRequest)
        .where(LeaveRequest.date_from <= date_to, LeaveRequest.date_to >= date_from)
        .order_by(LeaveRequest.date_from, LeaveRequest.id)
    )
    return list(db.session.scalars(query))


def leave_dict(leave: LeaveRequest) -> dict:
    duty = duties(leave)
    return {
        "id": leave.id,
        "user": user_dict(leave.user),
        "series": leave.series_id,
        "session": leave.session_id,
        "from": leave.date_from.isoformat(),
        "to": leave.date_to.isoformat(),
        "type": leave.leave_type,
        "reason": leave.reason,
        "status": leave.status,
        "late": leave.late,
        "created_at": iso(leave.created_at),
        "decided_at": iso(leave.decided_at),
        "comment": leave.decision_comment,
        "duty_lectures": [lecture.id for lecture in duty],
        "warning": DUTY_WARNING if duty else None,
    }
