"""Rating a talk: who may rate and when, the checks on scores and comments, one rating each.

Only people who signed in may rate, from the end of the session for RATING_WINDOW_DAYS days;
who signed in is attendance's record (ratings sits above attendance in the layers for this).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lecturehub.attendance import services as attendance_services
from lecturehub.auth.models import User
from lecturehub.core.errors import Conflict, Forbidden, ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.ratings.aggregates import LABELS
from lecturehub.ratings.models import SCORE_FIELDS, Rating
from lecturehub.schedule import lectures
from lecturehub.schedule.models import Lecture, Session

COMMENT_MAX = 1000
REASONS = {  # short labels for the talk page
    "session_cancelled": "讲学已取消",
    "not_ended": "讲学尚未结束",
    "window_closed": "评价已截止",
    "not_attended": "未签到",
}


def window_days() -> int:
    return int(current_app.config["RATING_WINDOW_DAYS"])


def min_count() -> int:
    return int(current_app.config["RATING_MIN_COUNT"])


def window(lecture: Lecture) -> tuple[dt.datetime, dt.datetime]:
    """When rating opens (the session's end) and closes (RATING_WINDOW_DAYS later)."""
    opens = lecture.session.ends_at
    return opens, opens + dt.timedelta(days=window_days())


def refusal(lecture: Lecture, user: User, now: dt.datetime | None = None) -> ServiceError | None:
    """Why ``user`` may not rate ``lecture`` now, or None when they may."""
    now = now or local_now()
    opens, closes = window(lecture)
    if lecture.session.cancelled:
        return ServiceError("该讲学已取消，无需评价。", "session_cancelled")
    if now < opens:
        return ServiceError(
            f"讲学尚未结束，{opens.month}月{opens.day}日 {opens:%H:%M} 结束后才能评价。",
            "not_ended",
        )
    if now > closes:
        return Conflict(
            f"评价已截止（截止时间 {closes.month}月{closes.day}日 {closes:%H:%M}）。",
            "window_closed",
        )
    if lecture.speaker_id == user.id:
        return Forbidden("讲课人不能评价自己的讲学。", "own_talk")
    if not attendance_services.signed_in(lecture.session_id, user.id):
        return Forbidden("您没有在本场讲学签到，只有签到的人员才能评价。", "not_attended")
    return None


def _score(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        raise ServiceError(f"请为“{LABELS[name]}”打分（1–5 分）。", "missing_score")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError(f"“{LABELS[name]}”的分数必须是 1 到 5 的整数。", "bad_score")
    return value


def clean(data: dict) -> dict:
    """Scores 1–5 for every field and a comment of at most COMMENT_MAX characters."""
    cleaned = {name: _score(data, name) for name in SCORE_FIELDS}
    comment = data.get("comment")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise ServiceError("意见建议必须是文字。", "bad_comment")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(
            f"意见建议不能超过 {COMMENT_MAX} 字（现有 {len(comment)} 字）。", "comment_too_long"
        )
    cleaned["comment"] = comment
    return cleaned


def my_rating(lecture: Lecture, user: User) -> Rating | None:
    query = select(Rating).where(Rating.lecture_id == lecture.id, Rating.user_id == user.id)
    return db.session.scalar(query)


def _apply(rating: Rating, cleaned: dict, now: dt.datetime) -> None:
    if cleaned["comment"] != rating.comment:
        rating.comment_hidden = False  # a new text is judged afresh; the hidden one stays logged
    for name, value in cleaned.items():
        setattr(rating, name, value)
    rating.updated_at = now


def rate(
    lecture: Lecture, user: User, data: dict, now: dt.datetime | None = None
) -> tuple[Rating, bool]:
    """Create or update ``user``'s rating of ``lecture``: (rating, created)."""
    now = now or local_now()
    error = refusal(lecture, user, now)
    if error is not None:
        raise error
    cleaned = clean(data)
    rating = my_rating(lecture, user)
    if rating is not None:
        _apply(rating, cleaned, now)
        db.session.commit()
        return rating, False
    rating = Rating(
        lecture_id=lecture.id, user_id=user.id, created_at=now, updated_at=now, **cleaned
    )
    db.session.add(rating)
    try:
        db.session.commit()
    except IntegrityError:  # a second tab submitted at the same moment: update that one
        db.session.rollback()
        rating = my_rating(lecture, user)
        _apply(rating, cleaned, now)
        db.session.commit()
        return rating, False
    return rating, True


def pending_for(user: User, now: dt.datetime | None = None) -> list[Lecture]:
    """Talks ``user`` signed in to, open for rating now and not yet rated by them."""
    now = now or local_now()
    earliest = now - dt.timedelta(days=window_days() + 1)
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.starts_at >= earliest, Session.starts_at <= now)
        .where(Session.status != "cancelled")
        .order_by(Session.starts_at)
    )
    rated = set(db.session.scalars(select(Rating.lecture_id).where(Rating.user_id == user.id)))
    return [
        lecture
        for lecture in db.session.scalars(query)
        if lecture.id not in rated and refusal(lecture, user, now) is None
    ]


def not_rated(lecture: Lecture) -> list[User]:
    """The people who signed in at the talk and have not rated it, by name: for reminders sent
    to each of them alone. No page shows this list (nor who has rated): anyone who could watch
    it change would learn who rated, and from the published figures, how."""
    rated = select(Rating.user_id).where(Rating.lecture_id == lecture.id)
    signed = set(attendance_services.signed_in_users(lecture.session_id))
    signed.discard(lecture.speaker_id)  # speakers do not rate their own talk
    if not signed:
        return []
    query = select(User).where(User.id.in_(signed), User.id.not_in(rated))
    return sorted(db.session.scalars(query), key=lambda u: (u.name, u.login))


def rated_by(user: User) -> list[Rating]:
    """The user's own ratings (shown only to themselves), newest talk first."""
    query = (
        select(Rating)
        .join(Lecture, Rating.lecture_id == Lecture.id)
        .join(Session, Lecture.session_id == Session.id)
        .where(Rating.user_id == user.id)
        .order_by(Session.starts_at.desc())
    )
    return list(db.session.scalars(query))


get_lecture = lectures.get_lecture  # the schedule feature owns talks
