"""The speaker's workflow around a talk: the assignment and its answer (接受 / 婉拒), the
admin's 催办, and the warning after an upload that runs over the limit.

A decline (with its reason) tells every admin and marks the talk 需调整 on the dashboard until
someone else is made the speaker: the dashboard asks ``declined`` for the talks it shows.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from lecturehub.auth.models import User
from lecturehub.core.errors import Conflict, Forbidden, ServiceError
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import status as courseware_status
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.notifications import messages, services
from lecturehub.notifications.models import (
    ACCEPTED,
    DECLINED,
    IN_APP,
    Notification,
    TalkAssignment,
)
from lecturehub.schedule.models import Lecture

REASON_MAX = 500


# --- assignment and answer -----------------------------------------------------------------


def current_assignment(lecture: Lecture) -> TalkAssignment | None:
    """The newest assignment of the talk's current speaker (None: no speaker, or assigned
    before notifications existed)."""
    if lecture.speaker_id is None:
        return None
    query = select(TalkAssignment).where(
        TalkAssignment.lecture_id == lecture.id, TalkAssignment.speaker_id == lecture.speaker_id
    )
    return db.session.scalar(query.order_by(TalkAssignment.id.desc()).limit(1))


def announce_assignment(lecture: Lecture, speaker: User, at: dt.datetime | None = None) -> int:
    """Record the assignment and tell the speaker (with 接受 / 婉拒); nothing for a talk that
    has begun or whose session is cancelled. Returns the rows queued."""
    at = at or local_now()
    if lecture.session.cancelled or lecture.starts_at <= at or lecture.speaker_id != speaker.id:
        return 0
    assignment = TalkAssignment(lecture_id=lecture.id, speaker_id=speaker.id, assigned_at=at)
    db.session.add(assignment)
    db.session.commit()
    message = messages.talk_assigned(lecture, courseware_status.deadline(lecture))
    return services.notify([speaker], message, f"talk_assigned:a{assignment.id}", at)


def _check_answer(lecture: Lecture, user: User, accept: bool, reason: str, at) -> str:
    if lecture.speaker_id != user.id:
        raise Forbidden("只有本场讲学的讲课人可以接受或婉拒。", "not_speaker")
    if lecture.session.cancelled:
        raise ServiceError("该讲学已取消，无需答复。", "session_cancelled")
    if lecture.starts_at <= at:
        raise ServiceError("讲学已经开始，不能再答复。", "talk_started")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ServiceError("婉拒时请填写理由，党政办据此另行安排。", "reason_required")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"理由不能超过 {REASON_MAX} 字（现有 {len(reason)} 字）。", "too_long")
    return reason


def respond(
    lecture: Lecture, user: User, accept: bool, reason: str = "", at: dt.datetime | None = None
) -> TalkAssignment:
    """The speaker accepts or declines (a reason is required to decline). The answer can be
    changed until the talk begins; a decline tells every admin."""
    at = at or local_now()
    reason = _check_answer(lecture, user, accept, reason, at)
    answer = ACCEPTED if accept else DECLINED
    assignment = current_assignment(lecture)
    if assignment is None:
        assignment = TalkAssignment(lecture_id=lecture.id, speaker_id=user.id, assigned_at=at)
        db.session.add(assignment)
    changed = assignment.response != answer
    assignment.response, assignment.reason, assignment.responded_at = answer, reason, at
    db.session.commit()
    if changed and answer == DECLINED:
        message = messages.talk_declined(lecture, user, reason)
        key = f"talk_declined:a{assignment.id}:{at:%Y%m%d%H%M%S}"
        services.notify(services.admins(), message, key, at)
    return assignment


def declined(lecture_ids) -> dict[int, TalkAssignment]:
    """lecture id → its current speaker's decline, for the talks that need a new speaker."""
    ids = [int(i) for i in lecture_ids]
    if not ids:
        return {}
    newest = (
        select(func.max(TalkAssignment.id))
        .join(Lecture, Lecture.id == TalkAssignment.lecture_id)
        .where(TalkAssignment.lecture_id.in_(ids), TalkAssignment.speaker_id == Lecture.speaker_id)
        .group_by(TalkAssignment.lecture_id)
    )
    rows = db.session.scalars(
        select(TalkAssignment).where(
            TalkAssignment.id.in_(newest), TalkAssignment.response == DECLINED
        )
    )
    return {row.lecture_id: row for row in rows}


def assignment_dict(assignment: TalkAssignment) -> dict:
    return {
        "lecture_id": assignment.lecture_id,
        "speaker": {"id": assignment.speaker.id, "name": assignment.speaker.name},
        "response": assignment.response,
        "reason": assignment.reason,
        "responded_at": iso(assignment.responded_at),
    }


# --- 催办 ----------------------------------------------------------------------------------


def last_chases(lecture_ids) -> dict[int, dt.datetime]:
    """lecture id → when its speaker was last chased."""
    ids = [int(i) for i in lecture_ids]
    if not ids:
        return {}
    query = (
        select(Notification.lecture_id, func.max(Notification.created_at))
        .where(
            Notification.event == "chase",
            Notification.channel == IN_APP,
            Notification.lecture_id.in_(ids),
        )
        .group_by(Notification.lecture_id)
    )
    return dict(db.session.execute(query).all())


def _check_chase(lecture: Lecture, by: User, at: dt.datetime) -> None:
    if not by.has_role("admin"):
        raise Forbidden("只有党政办（管理员）可以催办。", "forbidden")
    if lecture.speaker is None:
        raise ServiceError("尚未确定讲课人，无法催办。", "no_speaker")
    if lecture.session.cancelled:
        raise ServiceError("该讲学已取消，无需催办。", "session_cancelled")
    if lecture.starts_at <= at:
        raise ServiceError("讲学已经开始，无需再催办。", "talk_started")
    if lecture.id in declined([lecture.id]):
        raise ServiceError("讲课人已婉拒，请先调整讲课人。", "speaker_declined")
    minutes = int(current_app.config["NOTIFY_CHASE_MINUTES"])
    last = last_chases([lecture.id]).get(lecture.id)
    if last is not None and at - last < dt.timedelta(minutes=minutes):
        raise Conflict(f"{last:%H:%M} 已催办过，{minutes} 分钟内不再重复催办。", "chased_recently")


def chase(lecture: Lecture, by: User, at: dt.datetime | None = None) -> dt.datetime:
    """Send the speaker a 催办 now (in-app, and e-mail as they chose); returns its time."""
    at = at or local_now()
    _check_chase(lecture, by, at)
    message = messages.chase(lecture, courseware_status.deadline(lecture), by)
    key = f"chase:l{lecture.id}:s{lecture.speaker_id}:{at:%Y%m%d%H%M%S}"
    services.notify([lecture.speaker], message, key, at)
    return at


# --- an upload over the limit --------------------------------------------------------------


def first_advice(analysis: dict) -> str:
    """What to do first: the analysis's over-limit advice (which slides to cut), else its first
    warning."""
    warnings = analysis.get("warnings", [])
    over = [w["message"] for w in warnings if w.get("code") == "over_limit"]
    return (over or [w["message"] for w in warnings] or ["请精简讲稿，控制在时限内。"])[0]


def over_limit(row: Courseware, at: dt.datetime | None = None) -> int:
    """After an upload whose verdict is over: tell the talk's speaker, with the first advice."""
    lecture = row.lecture
    if row.verdict != "over" or lecture.speaker is None:
        return 0
    limit = int(row.analysis.get("limit_seconds") or current_app.config["TALK_LIMIT_SECONDS"])
    verdict = courseware_status.verdict_text(row.estimated_seconds or 0, limit)
    message = messages.verdict_over(lecture, verdict, first_advice(row.analysis))
    return services.notify([lecture.speaker], message, f"verdict_over:cw{row.id}", at)
