"""Series, sessions and talks: generation, changes, assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.core import signals, timeutil
from lecturehub.core.errors import Conflict, NotFound, ServiceError
from lecturehub.extensions import db
from lecturehub.schedule.generation import check_not_holiday, start_time_for
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING, Series, Session, SessionEvent

STATUS_CANCELLED = "cancelled"

DEFAULT_SERIES = [
    {
        "name": "每周两课",
        "subtitle": "我的业务我来讲",
        "kind": KIND_LECTURE,
        "weekdays": "0,2",
        "start_time": dt.time(19, 0),
        "summer_start_time": None,
        "duration_minutes": 60,
        "venue": "乡文化乐园",
        "leader": "彭宗惠",
        "department": "党政办",
    },
    {
        "name": "每周两操",
        "subtitle": "全民健身我先行",
        "kind": KIND_TRAINING,
        "weekdays": "1,3",
        "start_time": dt.time(6, 30),
        "summer_start_time": dt.time(6, 0),
        "duration_minutes": 30,
        "venue": "乡文化乐园广场",
        "leader": "储晓波",
        "department": "文化站",
    },
]


def _user_named(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.name == name, User.active.is_(True)))


def ensure_default_series() -> int:
    """Create the notice's two series when missing; fill in a missing lead leader by name."""
    created = 0
    for spec in DEFAULT_SERIES:
        series = db.session.scalar(select(Series).where(Series.name == spec["name"]))
        if series is None:
            fields = {k: v for k, v in spec.items() if k not in ("leader", "department")}
            series = Series(
                **fields, department=auth_services.department_by_name(spec["department"])
            )
            db.session.add(series)
            created += 1
        if series.leader is None:
            series.leader = _user_named(spec["leader"])
    db.session.commit()
    return created


def list_series(active_only: bool = False) -> list[Series]:
    query = select(Series).order_by(Series.id)
    if active_only:
        query = query.where(Series.active.is_(True))
    return list(db.session.scalars(query))


def get_series(series_id: int | None) -> Series:
    series = db.session.get(Series, series_id) if series_id else None
    if series is None:
        raise NotFound("找不到该活动系列。", "series_not_found")
    return series


def lecture_series() -> Series | None:
    """The series talks are given in (每周两课)."""
    query = (
        select(Series).where(Series.kind == KIND_LECTURE).order_by(Series.active.desc(), Series.id)
    )
    return db.session.scalars(query).first()


def series_for(series_id: int | None) -> list[Series]:
    return [get_series(series_id)] if series_id else list_series(active_only=True)


# --- sessions -------------------------------------------------------------------------------


def get_session(session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound("找不到该活动。", "session_not_found")
    return session


def list_sessions(
    start: dt.date,
    end: dt.date | None = None,
    *,
    series_id: int | None = None,
    kind: str | None = None,
    active_only: bool = False,
    until: dt.datetime | None = None,
) -> list[Session]:
    """Sessions dated ``start`` to ``end`` (no end: every later one), in time order.

    The one session listing: of one series or one kind, without the cancelled ones
    (``active_only``), or only those begun by ``until``."""
    query = (
        select(Session)
        .join(Series)
        .where(Session.date >= start)
        .options(selectinload(Session.series), selectinload(Session.lecture))
        .order_by(Session.starts_at, Session.id)
    )
    if end is not None:
        query = query.where(Session.date <= end)
    if series_id:
        query = query.where(Session.series_id == series_id)
    if kind:
        query = query.where(Series.kind == kind)
    if active_only:
        query = query.where(Session.status != STATUS_CANCELLED)
    if until is not None:
        query = query.where(Session.starts_at <= until)
    return list(db.session.scalars(query))


def next_session(kind: str, now: dt.datetime | None = None) -> Session | None:
    """The next session of that kind that has not ended (cancelled ones too: they carry news)."""
    now = now or timeutil.now()
    for session in list_sessions(now.date(), now.date() + dt.timedelta(days=60), kind=kind):
        if session.ends_at >= now and not (session.cancelled and session.is_extra):
            return session
    return None


def default_deadline(starts_at: dt.datetime) -> dt.datetime:
    """Courseware is due COURSEWARE_DEADLINE_DAYS before the talk at COURSEWARE_DEADLINE_TIME."""
    days = int(current_app.config["COURSEWARE_DEADLINE_DAYS"])
    hour, minute = (int(x) for x in str(current_app.config["COURSEWARE_DEADLINE_TIME"]).split(":"))
    return dt.datetime.combine(starts_at.date() - dt.timedelta(days=days), dt.time(hour, minute))


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写原因，参加人员会看到它。", "missing_reason")
    return reason


def _log(session: Session, action: str, by: User | None, at: dt.datetime, **text: str) -> None:
    """Keep one change in the session's audit trail (the caller commits)."""
    session.events.append(SessionEvent(action=action, by_id=getattr(by, "id", None), at=at, **text))


def _stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def cancel_session(
    session: Session, reason: str, by: User | None = None, now: dt.datetime | None = None
) -> Session:
    """Cancel a session not yet held; a held one (with attendance) can only be voided."""
    now = now or timeutil.now()
    if session.cancelled:
        raise Conflict("该活动已取消。", "already_cancelled")
    signals.session_changing.send(session, change="cancel")
    reason = _required_reason(reason)
    if session.ends_at < now:
        raise ServiceError("已经举行的活动不能取消；如需不计入考勤，请“作废”。", "session_past")
    session.status, session.change_reason = STATUS_CANCELLED, reason
    session.sequence += 1
    _log(session, "cancelled", by, now, reason=reason)
    db.session.commit()
    signals.session_changed.send(
        session, change="cancelled", before=session.starts_at, reason=reason
    )
    return session


def _check_move_target(session: Session, starts_at: dt.datetime) -> None:
    others = db.session.scalars(
        select(Session).where(
            Session.series_id == session.series_id,
            Session.id != session.id,
            Session.date == starts_at.date(),
        )
    )
    for other in others:
        if not other.cancelled or other.starts_at == starts_at:
            raise Conflict(
                f"{session.series.name}在 {starts_at.date().isoformat()} 已有一场活动，"
                "不能调整到同一天。",
                "session_clash",
            )


@dataclass(frozen=True)
class SessionMove:
    """Where a session moves: a new date and time, optionally a venue, and why."""

    day: dt.date | None
    at: dt.time | None
    reason: str
    venue: str | None = None


def move_session(
    session: Session, move: SessionMove, by: User | None = None, now: dt.datetime | None = None
) -> Session:
    """Move a session to a new date/time/venue; its talk (and deadline, if default) follows.

    A session with attendance records (held) stays where it was held (409, from attendance)."""
    now = now or timeutil.now()
    if session.cancelled:
        raise ServiceError("已取消的活动不能调整。", "session_cancelled")
    if session.voided:
        raise ServiceError("已作废的活动不能调整。", "session_void")
    signals.session_changing.send(session, change="move")
    reason = _required_reason(move.reason)
    if move.day is None or move.at is None:
        raise ServiceError("请填写新的日期和时间。", "missing_date")
    starts_at = dt.datetime.combine(move.day, move.at)
    if starts_at < now:
        raise ServiceError("不能调整到已经过去的时间。", "past_time")
    check_not_holiday(move.day)
    _check_move_target(session, starts_at)
    lecture = session.lecture
    if lecture is not None and lecture.deadline == default_deadline(session.starts_at):
        lecture.deadline = default_deadline(starts_at)
    old_day, old_start, old_venue = session.date, session.starts_at, session.venue
    if session.moved_from is None:
        session.moved_from = session.starts_at
    session.date, session.starts_at = move.day, starts_at
    session.venue = (move.venue or "").strip()[:120] or session.venue
    session.change_reason, session.sequence = reason, session.sequence + 1
    detail = f"{_stamp(old_start)} {old_venue} → {_stamp(starts_at)} {session.venue}"
    _log(session, "moved", by, now, reason=reason, detail=detail)
    db.session.commit()
    if lecture is not None and session.date != old_day:
        signals.lecture_changed.send(lecture)
    signals.session_changed.send(session, change="moved", before=old_start, reason=reason)
    return session


def void_session(
    session: Session, reason: str, by: User, now: dt.datetime | None = None
) -> Session:
    """作废: a session that has begun counts for nobody; its records stay, for the audit."""
    now = now or timeutil.now()
    if session.cancelled:
        raise ServiceError("已取消的活动无需作废。", "session_cancelled")
    if session.voided:
        raise Conflict("该活动已作废。", "already_void")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写作废原因。", "missing_reason")
    if session.starts_at > now:
        raise ServiceError("尚未开始的活动请“取消本场”，不必作废。", "session_not_held")
    session.voided_at, session.voided_by_id, session.void_reason = now, by.id, reason[:1000]
    _log(session, "voided", by, now, reason=reason[:1000])
    db.session.commit()
    signals.session_changed.send(session, change="voided", reason=session.void_reason)
    return session


def unvoid_session(
    session: Session, by: User, reason: str = "", now: dt.datetime | None = None
) -> Session:
    """Undo a void: the session counts again, with the records it had."""
    now = now or timeutil.now()
    if not session.voided:
        raise Conflict("该活动没有作废。", "not_void")
    detail = f"原作废原因：{session.void_reason}"
    session.voided_at, session.voided_by_id, session.void_reason = None, None, ""
    reason = (reason or "").strip()[:1000]
    _log(session, "unvoided", by, now, reason=reason, detail=detail)
    db.session.commit()
    signals.session_changed.send(session, change="unvoided", reason=reason)
    return session


@dataclass(frozen=True)
class ExtraSession:
    """A one-off session (专题讲座, 运动会 …); ``backfill`` (补录) for one already held."""

    series: Series
    day: dt.date | None
    at: dt.time | None
    title: str
    venue: str = ""
    duration_minutes: int | None = None
    backfill: bool = False


def add_extra_session(
    spec: ExtraSession, by: User | None = None, now: dt.datetime | None = None
) -> Session:
    """Add a one-off session to a series, with its own title.

    A start in the past is refused unless ``backfill`` says so on purpose; a backfilled session
    starts ``unrecorded`` (nobody is absent until its attendance is recorded)."""
    now = now or timeutil.now()
    title = (spec.title or "").strip()
    if not title:
        raise ServiceError("请填写临时活动的名称。", "missing_title")
    if spec.day is None or spec.at is None:
        raise ServiceError("请填写日期和时间。", "missing_date")
    series = spec.series
    duration = spec.duration_minutes or series.duration_minutes
    if not 5 <= duration <= 600:
        raise ServiceError("时长须在 5 到 600 分钟之间。", "bad_duration")
    starts_at = dt.datetime.combine(spec.day, spec.at)
    if starts_at < now and not spec.backfill:
        raise ServiceError(
            "开始时间已经过去。如需补录已经举行的活动，请选择“补录”"
            "（补录的活动在记录考勤之前不计缺席）。",
            "past_session",
        )
    if spec.backfill and starts_at >= now:
        raise ServiceError("“补录”只用于已经举行的活动，将来的活动请不要选择补录。", "not_past")
    clash = select(Session.id).where(Session.series_id == series.id, Session.starts_at == starts_at)
    if db.session.scalar(clash) is not None:
        raise Conflict("该系列在这个时间已有活动。", "session_clash")
    session = Session(
        series=series,
        date=spec.day,
        starts_at=starts_at,
        is_extra=True,
        backfill=spec.backfill,
        title=title[:120],
        venue=(spec.venue or "").strip()[:120] or series.venue,
        duration_minutes=duration,
        created_at=now,
    )
    db.session.add(session)
    _log(session, "backfill" if spec.backfill else "created", by, now, detail=_stamp(starts_at))
    db.session.commit()
    return session


# --- series settings -----------------------------------------------------------------------

SERIES_FIELDS = (
    "weekdays",
    "start_time",
    "summer_start_time",
    "summer_from",
    "summer_to",
    "duration_minutes",
    "venue",
    "leader",
    "department",
    "active",
)


def _check_month_day(text: str, label: str) -> str:
    try:
        dt.datetime.strptime(f"2000-{text}", "%Y-%m-%d")
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"{label}格式应为 MM-DD（如 05-01）。", "bad_season") from exc
    return text


def _clean_series_settings(values: dict) -> dict:
    weekdays = sorted({int(d) for d in values["weekdays"]})
    if not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        raise ServiceError("请至少选择一个星期几。", "bad_weekdays")
    if values["start_time"] is None:
        raise ServiceError("请填写开始时间。", "missing_time")
    if not 5 <= int(values["duration_minutes"] or 0) <= 600:
        raise ServiceError("时长须在 5 到 600 分钟之间。", "bad_duration")
    venue = (values["venue"] or "").strip()
    if not venue:
        raise ServiceError("请填写地点。", "missing_venue")
    cleaned = dict(values, weekdays=",".join(str(d) for d in weekdays), venue=venue[:120])
    cleaned["summer_from"] = _check_month_day(values["summer_from"], "夏令时间开始日期")
    cleaned["summer_to"] = _check_month_day(values["summer_to"], "夏令时间结束日期")
    return cleaned


def update_series(series: Series, now: dt.datetime | None = None, **values) -> int:
    """Save a series' settings and apply them to its sessions not yet held.

    Moved, one-off and past sessions keep their own time and venue. Returns how many sessions
    changed. A weekday change only affects sessions generated from now on.
    """
    cleaned = _clean_series_settings({name: values.get(name) for name in SERIES_FIELDS})
    for name, value in cleaned.items():
        setattr(series, name, value)
    changed = 0
    future = select(Session).where(
        Session.series_id == series.id,
        Session.starts_at > (now or timeutil.now()),
        Session.moved_from.is_(None),
        Session.is_extra.is_(False),
    )
    for session in db.session.scalars(future):
        starts_at = dt.datetime.combine(session.date, start_time_for(series, session.date))
        new = (starts_at, series.venue, series.duration_minutes)
        if new != (session.starts_at, session.venue, session.duration_minutes):
            session.starts_at, session.venue, session.duration_minutes = new
            session.sequence += 1
            changed += 1
    db.session.commit()
    return changed
