"""Talks (讲学): who speaks when, on what, and by when the courseware is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import Department, User
from lecturehub.core import signals, timeutil
from lecturehub.core.errors import Conflict, NotFound, ServiceError
from lecturehub.extensions import db
from lecturehub.schedule import services
from lecturehub.schedule.generation import check_not_holiday, start_time_for
from lecturehub.schedule.models import CATEGORIES, KIND_LECTURE, Lecture, Session

SEARCH_FIELDS = {"title", "speaker", "department", "category"}  # stored on indexed slides
HEAD_FIELDS = {"title", "speaker", "category", "abstract"}  # what a department head may change
UNSET = object()
SPEAKER_DUE_DAYS = 7


def get_lecture(lecture_id: int) -> Lecture:
    lecture = db.session.get(Lecture, lecture_id)
    if lecture is None:
        raise NotFound("找不到该讲学。", "lecture_not_found")
    return lecture


def can_edit(user: User, lecture: Lecture) -> bool:
    """Admins, and the head of the talk's department (to name the speaker and the topic)."""
    if user.has_role("admin"):
        return True
    department = lecture.department
    return department is not None and department.head_id == user.id


def editable_fields(user: User) -> set[str]:
    if user.has_role("admin"):
        return HEAD_FIELDS | {"department", "deadline"}
    return set(HEAD_FIELDS)


# --- validation (before any write) ------------------------------------------------------------


def resolve_speaker(value: User | str | None) -> User | None:
    if value is None or value == "":
        return None
    user = value if isinstance(value, User) else auth_services.user_by_login(str(value))
    if user is None:
        raise ServiceError(f"找不到讲课人“{value}”。", "unknown_speaker")
    if not user.active:
        raise ServiceError(f"讲课人“{user.name}”的账号已停用，不能安排讲学。", "inactive_speaker")
    return user


def resolve_department(value: Department | str | None) -> Department | None:
    if value is None or value == "":
        return None
    department = value if isinstance(value, Department) else auth_services.department_by_name(value)
    if department is None:
        raise ServiceError(f"找不到部门“{value}”。", "unknown_department")
    return department


def check_category(category: str | None) -> str:
    category = (category or "").strip()
    if category and category not in CATEGORIES:
        raise ServiceError(f"讲学类别必须是：{'、'.join(CATEGORIES)}。", "bad_category")
    return category


def check_deadline(deadline: dt.datetime | None, starts_at: dt.datetime) -> dt.datetime | None:
    if deadline is not None and deadline > starts_at:
        raise ServiceError("课件截止时间不能晚于讲学开始时间。", "bad_deadline")
    return deadline


def check_title(title: str | None) -> str:
    title = (title or "").strip()
    if len(title) > 200:
        raise ServiceError("题目不能超过 200 个字。", "title_too_long")
    return title


def _clean(changes: dict, starts_at: dt.datetime) -> dict:
    cleaners = {
        "title": check_title,
        "speaker": resolve_speaker,
        "department": resolve_department,
        "category": check_category,
        "abstract": lambda text: (text or "").strip(),
        "deadline": lambda value: check_deadline(value, starts_at),
    }
    unknown = set(changes) - set(cleaners)
    if unknown:
        raise ServiceError(f"不能修改的字段：{'、'.join(sorted(unknown))}。", "bad_field")
    return {name: cleaners[name](value) for name, value in changes.items()}


# --- writes ---------------------------------------------------------------------------------


def _assign(lecture: Lecture, cleaned: dict) -> None:
    for name, value in cleaned.items():
        setattr(lecture, "abstract_md" if name == "abstract" else name, value)


def update_lecture(lecture: Lecture, changes: dict, by: User | None = None) -> Lecture:
    """Change a talk's fields (only those ``by`` may change); all checked before any write."""
    if by is not None:
        refused = set(changes) - editable_fields(by)
        if refused:
            raise ServiceError(f"您不能修改：{'、'.join(sorted(refused))}。", "forbidden", 403)
    cleaned = _clean(changes, lecture.session.starts_at)
    if cleaned.get("deadline", UNSET) is None:
        cleaned["deadline"] = services.default_deadline(lecture.session.starts_at)
    previous = lecture.speaker
    _assign(lecture, cleaned)
    db.session.commit()
    if SEARCH_FIELDS & cleaned.keys():
        signals.lecture_changed.send(lecture)
    if lecture.speaker is not None and lecture.speaker != previous:
        signals.talk_assigned.send(lecture, speaker=lecture.speaker, previous=previous)
    return lecture


def _check_lecture_session(session: Session) -> None:
    if session.series.kind != KIND_LECTURE:
        raise ServiceError("只有“每周两课”的活动可以安排讲学。", "not_lecture_session")
    if session.cancelled:
        raise ServiceError("该活动已取消，不能安排讲学。", "session_cancelled")
    if session.lecture is not None:
        raise Conflict("这一场已经安排了讲学。", "lecture_exists")


def new_lecture(session: Session, commit: bool = True, **changes) -> Lecture:
    """Attach a talk to a lecture session (default deadline unless one is given)."""
    _check_lecture_session(session)
    cleaned = _clean(changes, session.starts_at)
    lecture = Lecture(session=session, deadline=services.default_deadline(session.starts_at))
    _assign(lecture, {k: v for k, v in cleaned.items() if v is not None or k != "deadline"})
    db.session.add(lecture)
    if commit:
        db.session.commit()
        _announce_speaker(lecture)
    return lecture


def _announce_speaker(lecture: Lecture) -> None:
    """A new talk with a speaker: tell who listens (``signals.talk_assigned``)."""
    if lecture.speaker is not None:
        signals.talk_assigned.send(lecture, speaker=lecture.speaker, previous=None)


def _session_on(series, day: dt.date) -> Session:
    """That date's session of the series, or a new (uncommitted) one at the series' time."""
    query = select(Session).where(Session.series_id == series.id, Session.date == day)
    existing = list(db.session.scalars(query.order_by(Session.is_extra, Session.starts_at)))
    if any(session.lecture is not None for session in existing):
        raise Conflict(f"{day.isoformat()} 已经安排了讲学。", "lecture_exists")
    for session in existing:
        if not session.cancelled:
            return session
    if existing:
        raise Conflict(f"{day.isoformat()} 的活动已取消。", "session_cancelled")
    session = Session(
        series=series,
        date=day,
        venue=series.venue,
        starts_at=dt.datetime.combine(day, start_time_for(series, day)),
        duration_minutes=series.duration_minutes,
        is_extra=day.weekday() not in series.weekday_list,
    )
    db.session.add(session)
    return session


def add_lecture_on_date(day: dt.date | None, **changes) -> Lecture:
    """The API's POST: a talk on that date's lecture session, creating a one-off if none."""
    if day is None:
        raise ServiceError("请填写日期（格式 YYYY-MM-DD）。", "missing_date")
    if not (changes.get("category") or "").strip():
        raise ServiceError(f"讲学类别必须是：{'、'.join(CATEGORIES)}。", "bad_category")
    check_not_holiday(day)
    series = services.lecture_series()
    if series is None:
        raise ServiceError("还没有“每周两课”系列。", "no_lecture_series")
    starts_at = dt.datetime.combine(day, start_time_for(series, day))
    _clean(changes, starts_at)  # validate before creating a session
    with db.session.no_autoflush:
        session = _session_on(series, day)
    try:
        lecture = new_lecture(session, commit=False, **changes)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.commit()
    _announce_speaker(lecture)
    return lecture


# --- reads ----------------------------------------------------------------------------------


def talks_of(user: User, since: dt.date | None = None) -> list[Lecture]:
    query = (
        select(Lecture)
        .join(Session)
        .where(Lecture.speaker_id == user.id)
        .options(selectinload(Lecture.session).selectinload(Session.series))
        .order_by(Session.starts_at)
    )
    if since is not None:
        query = query.where(Session.date >= since)
    return list(db.session.scalars(query))


def next_talk(user: User, now: dt.datetime | None = None) -> Lecture | None:
    now = now or timeutil.now()
    for lecture in talks_of(user, since=now.date()):
        if lecture.session.ends_at >= now and not lecture.session.cancelled:
            return lecture
    return None


@dataclass(frozen=True)
class DashboardRow:
    session: Session
    lecture: Lecture | None
    courseware: dict | None
    problems: list[str]

    @property
    def overdue(self) -> bool:
        return bool(self.problems)


def _problems(session: Session, lecture: Lecture | None, status: dict | None, now) -> list[str]:
    problems = []
    past_deadline = lecture is not None and lecture.deadline and lecture.deadline < now
    if past_deadline and (status is None or status.get("status") == "none"):
        problems.append("已过课件截止时间，尚未提交课件")
    no_speaker = lecture is None or lecture.speaker is None
    if no_speaker and session.starts_at - now <= dt.timedelta(days=SPEAKER_DUE_DAYS):
        problems.append(f"{SPEAKER_DUE_DAYS} 天内开讲，尚未确定讲课人")
    return problems


def dashboard_sessions(now: dt.datetime, weeks: int = 4) -> list[Session]:
    """The lecture sessions of the next weeks that have not ended (not cancelled)."""
    end = now.date() + dt.timedelta(weeks=weeks)
    sessions = services.list_sessions(now.date(), end, kind=KIND_LECTURE, active_only=True)
    return [s for s in sessions if s.ends_at >= now]


def dashboard(
    sessions: list[Session],
    courseware: dict[int, dict],
    now,
    more: dict[int, list[str]] | None = None,
) -> list[DashboardRow]:
    """One row per session with its talk's courseware status (lecture id → the courseware
    feature's status dict) and what is overdue; ``more`` adds other features' problems per
    session id (attendance: 需调整 when the speaker is on leave)."""
    rows = []
    for session in sessions:
        lecture = session.lecture
        status = courseware.get(lecture.id) if lecture is not None else None
        problems = _problems(session, lecture, status, now) + (more or {}).get(session.id, [])
        rows.append(DashboardRow(session, lecture, status, problems))
    return rows
