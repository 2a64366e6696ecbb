"""Who has handed in what: deadlines, verdict wording, each talk's courseware status (shown by
the schedule's pages, the talk page and the API)."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select

from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import Lecture, Session

LABELS = {"none": "未提交", "submitted": "已提交", "ok": "符合时长", "over": "超时"}


def deadline(lecture: Lecture) -> dt.datetime:
    """The talk's own deadline, else the schedule's default (N days before, at 18:00)."""
    if lecture.deadline is not None:
        return lecture.deadline
    return schedule_services.default_deadline(lecture.session.starts_at)


def minutes(seconds: float) -> int:
    return int(round(seconds / 60))


def limit_phrase(limit_seconds: int) -> str:
    return "一小时" if limit_seconds == 3600 else f"{minutes(limit_seconds)} 分钟"


def verdict_text(estimated_seconds: int, limit_seconds: int) -> str:
    """ "预计 52 分钟，符合一小时要求" / "预计 75 分钟，超出 15 分钟"."""
    head = f"预计 {minutes(estimated_seconds)} 分钟"
    if estimated_seconds <= limit_seconds:
        return f"{head}，符合{limit_phrase(limit_seconds)}要求"
    over = max(1, math.ceil((estimated_seconds - limit_seconds) / 60))
    return f"{head}，超出 {over} 分钟"


def status_of(row: Courseware | None) -> str:
    if row is None:
        return "none"
    return row.verdict if row.verdict in ("ok", "over") else "submitted"


def status_dict(lecture: Lecture, row: Courseware | None) -> dict:
    status = status_of(row)
    return {
        "status": status,
        "label": LABELS[status],
        "estimated_seconds": row.estimated_seconds if row else None,
        "uploaded_at": iso(row.uploaded_at) if row else None,
        "version": row.version if row else None,
        "courseware_id": row.id if row else None,
        "deadline": iso(deadline(lecture)),
        "late": bool(row and first_upload(lecture) > deadline(lecture)),
    }


def courseware_status(lecture_ids) -> dict[int, dict]:
    """{lecture id: {"status", "label", "estimated_seconds", "uploaded_at", …}} of existing talks."""
    ids = [int(i) for i in lecture_ids]
    lectures = db.session.scalars(select(Lecture).where(Lecture.id.in_(ids))) if ids else []
    current = services.current_for(ids)
    return {lecture.id: status_dict(lecture, current.get(lecture.id)) for lecture in lectures}


def first_upload(lecture: Lecture) -> dt.datetime | None:
    query = select(Courseware.uploaded_at).where(Courseware.lecture_id == lecture.id)
    return db.session.scalar(query.order_by(Courseware.version).limit(1))


def upcoming_lectures(days: int = 28, now: dt.datetime | None = None) -> list[Lecture]:
    """Talks starting within ``days`` (not cancelled), soonest first."""
    start = now or local_now()
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.starts_at >= start, Session.starts_at < start + dt.timedelta(days=days))
        .where(Session.status != "cancelled")
        .order_by(Session.starts_at)
    )
    return list(db.session.scalars(query))


def overview(days: int = 28, now: dt.datetime | None = None) -> list[tuple[Lecture, dict]]:
    lectures = upcoming_lectures(days, now)
    statuses = courseware_status([lecture.id for lecture in lectures])
    return [(lecture, statuses[lecture.id]) for lecture in lectures]


def pending_for_speaker(user, now: dt.datetime | None = None) -> list[tuple[Lecture, dt.datetime]]:
    """The user's upcoming talks without courseware, with their deadlines."""
    lectures = [lec for lec in upcoming_lectures(60, now) if lec.speaker_id == user.id]
    current = services.current_for([lecture.id for lecture in lectures])
    return [(lec, deadline(lec)) for lec in lectures if lec.id not in current]
