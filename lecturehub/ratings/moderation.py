"""For admins and 组织办: who has rated (names only, by name), and hiding abusive comments.

The who-rated list never carries a score or a rating time; the moderation views show comment
texts without their authors.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select

from lecturehub.attendance import services as attendance_services
from lecturehub.auth.models import User
from lecturehub.core.errors import Conflict, NotFound, ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.models import CommentHiding, Rating
from lecturehub.ratings.summaries import counts
from lecturehub.schedule.models import Lecture, Session

REASON_MAX = 500


@dataclass(frozen=True)
class Participation:
    rated: list[User]  # sorted by name
    not_rated: list[User]  # signed in, not rated; sorted by name


def _by_name(users) -> list[User]:
    return sorted(users, key=lambda u: (u.name, u.login))


def _users(ids) -> list[User]:
    ids = list(ids)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def participation(lecture: Lecture) -> Participation:
    """Names of who rated and who signed in without rating — never who gave which score."""
    rater_ids = set(
        db.session.scalars(select(Rating.user_id).where(Rating.lecture_id == lecture.id))
    )
    signed = set(attendance_services.signed_in_users(lecture.session_id))
    return Participation(_by_name(_users(rater_ids)), _by_name(_users(signed - rater_ids)))


def get_rating(rating_id: int) -> Rating:
    rating = db.session.get(Rating, rating_id)
    if rating is None or not rating.comment:
        raise NotFound("找不到该评价意见。", "comment_not_found")
    return rating


def hide_comment(
    rating: Rating, by: User, reason: str, now: dt.datetime | None = None
) -> CommentHiding:
    """Hide a comment from every view and export; the hiding is logged with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写隐藏的原因。", "missing_reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"原因不能超过 {REASON_MAX} 字。", "reason_too_long")
    if rating.comment_hidden:
        raise Conflict("该意见已被隐藏。", "already_hidden")
    now = now or local_now()
    log = CommentHiding(
        rating_id=rating.id,
        lecture_id=rating.lecture_id,
        text=rating.comment,
        reason=reason,
        hidden_by_id=by.id,
        hidden_at=now,
    )
    rating.comment_hidden = True
    db.session.add(log)
    db.session.commit()
    return log


def hidings(limit: int = 200) -> list[CommentHiding]:
    query = select(CommentHiding).order_by(CommentHiding.hidden_at.desc(), CommentHiding.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def open_comments(
    days: int = 90, now: dt.datetime | None = None, rng: random.Random | None = None
) -> list[tuple[Lecture, list[tuple[int, str]]]]:
    """Visible comments of recent talks that meet the minimum count, for moderation:
    (talk, [(comment id, text)]) — shuffled within a talk, no authors."""
    now = now or local_now()
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.starts_at >= now - dt.timedelta(days=days), Session.starts_at <= now)
        .order_by(Session.starts_at.desc())
    )
    lectures = list(db.session.scalars(query))
    totals, minimum = counts([lec.id for lec in lectures]), services.min_count()
    shown = [lec for lec in lectures if totals.get(lec.id, 0) >= minimum]
    rng = rng or random.Random()
    out = []
    for lecture in shown:
        query = select(Rating.id, Rating.comment).where(
            Rating.lecture_id == lecture.id, Rating.comment != "", Rating.comment_hidden.is_(False)
        )
        items = [tuple(row) for row in db.session.execute(query)]
        rng.shuffle(items)
        if items:
            out.append((lecture, items))
    return out
