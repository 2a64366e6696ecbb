"""For admins: hiding abusive comments of published talks, with a log.

The moderation views show comment texts without their authors, and only of published talks
(``summaries``): before publication no one but the rater sees a comment — nor, by hiding one
and reading the log, its text.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from lecturehub.auth.models import User
from lecturehub.core.errors import Conflict, NotFound, ServiceError
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.ratings import summaries
from lecturehub.ratings.models import CommentHiding, Rating
from lecturehub.schedule.models import Lecture, Session

REASON_MAX = 500


def get_rating(rating_id: int) -> Rating:
    """A comment that an admin may see: one of a published talk (else 404, as if absent)."""
    rating = db.session.get(Rating, rating_id)
    if rating is None or not rating.comment or not summaries.summary(rating.lecture).published:
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
    """Visible comments of the recent published talks, for moderation:
    (talk, [(comment id, text)]) — shuffled within a talk, no authors."""
    now = now or local_now()
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.starts_at >= now - dt.timedelta(days=days), Session.starts_at <= now)
        .order_by(Session.starts_at.desc())
    )
    talks = summaries.published(summaries.summaries(list(db.session.scalars(query)), now=now))
    rng = rng or random.Random()
    out = []
    for talk in talks:
        query = select(Rating.id, Rating.comment).where(
            Rating.lecture_id == talk.lecture.id,
            Rating.comment != "",
            Rating.comment_hidden.is_(False),
        )
        items = [tuple(row) for row in db.session.execute(query)]
        rng.shuffle(items)
        if items:
            out.append((talk.lecture, items))
    return out
