"""Ratings (评价) of talks by the people who signed in, and the log of hidden comments.

``Rating.user_id`` exists only for the one-rating-per-person rule (update, not duplicate):
nothing ever serialises it together with the scores.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.auth.models import User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture

SCORE_FIELDS = ("overall", "useful", "practical", "clear", "timing")


def _score_check(name: str) -> CheckConstraint:
    return CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range")


class Rating(db.Model):
    """One person's rating of one talk: overall satisfaction and four dimensions, 1–5."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("lecture_id", "user_id"),
        *(_score_check(name) for name in SCORE_FIELDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lectures.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    overall: Mapped[int]
    useful: Mapped[int]  # 内容实用
    practical: Mapped[int]  # 联系实际
    clear: Mapped[int]  # 讲解清晰
    timing: Mapped[int]  # 时间把控
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)

    lecture: Mapped[Lecture] = relationship()

    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in SCORE_FIELDS}


class CommentHiding(db.Model):
    """An admin hid a comment (abuse): who, when, why, and the text as it was."""

    __tablename__ = "rating_comment_hidings"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), index=True)
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lectures.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    hidden_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[dt.datetime] = mapped_column(default=now)

    lecture: Mapped[Lecture] = relationship()
    hidden_by: Mapped[User] = relationship()
