"""The API's JSON shapes of sessions and talks (times in ISO 8601 with +08:00)."""

from __future__ import annotations

from lecturehub.core.markup import render_markdown
from lecturehub.core.timeutil import iso
from lecturehub.schedule.models import Lecture, Session

STATUS_ZH = {"scheduled": "正常", "moved": "已调整", "cancelled": "已取消"}


def speaker_dict(lecture: Lecture) -> dict | None:
    user = lecture.speaker
    return None if user is None else {"id": user.id, "login": user.login, "name": user.name}


def lecture_summary(lecture: Lecture) -> dict:
    return {
        "id": lecture.id,
        "title": lecture.title,
        "speaker": speaker_dict(lecture),
        "department": lecture.department.name if lecture.department else None,
        "category": lecture.category or None,
        "deadline": iso(lecture.deadline),
    }


def session_dict(session: Session) -> dict:
    lecture = session.lecture
    return {
        "id": session.id,
        "series": {"id": session.series.id, "name": session.series.name},
        "start": iso(session.starts_at),
        "end": iso(session.ends_at),
        "venue": session.venue,
        "status": session.display_status,
        "title": session.title or None,
        "change_reason": session.change_reason or None,
        "lecture": lecture_summary(lecture) if lecture is not None else None,
    }


def lecture_dict(lecture: Lecture) -> dict:
    session = lecture.session
    return lecture_summary(lecture) | {
        "abstract": lecture.abstract_md,
        "abstract_html": str(render_markdown(lecture.abstract_md)),
        "session_id": session.id,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "venue": session.venue,
        "status": session.display_status,
    }


def created_dict(lecture: Lecture) -> dict:
    return {
        "id": lecture.id,
        "session_id": lecture.session_id,
        "starts_at": iso(lecture.session.starts_at),
        "deadline": iso(lecture.deadline),
    }
