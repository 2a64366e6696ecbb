"""Demo ratings for the talks held before 2026-11-26, from most of the people who signed in.

Deterministic (a seeded Random). Most talks score 4–5, a few weaker ones lower on 讲解清晰 and
时间把控; a handful of Chinese comments; the latest talk stays under the minimum count (评价
still being collected), so the pages show both states.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import func, select

from lecturehub.attendance import services as attendance_services
from lecturehub.auth import services as auth_services
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.aggregates import DIMENSIONS
from lecturehub.ratings.models import Rating
from lecturehub.schedule.models import Lecture, Session

SEED = 20261127
CUTOFF = dt.datetime(2026, 11, 26)
WEAK_SHARE = 0.15
PRAISE = [
    "案例很贴近我们乡的实际",
    "讲得很清楚，对工作很有帮助",
    "结合了本乡的典型案例，收获很大",
    "政策讲得透，回去就能用",
    "建议多留一点交流时间",
]
CRITIQUE = ["PPT 字太多，建议精简", "时间略超", "照着稿子念的多了一些", "希望多讲具体操作步骤"]
# Per talk quality: the mean each dimension scatters around.
GOOD = {"useful": 4.6, "practical": 4.4, "clear": 4.5, "timing": 4.5}
WEAK = {"useful": 3.8, "practical": 3.4, "clear": 2.9, "timing": 3.0}


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _scores(rng: random.Random, profile: dict[str, float]) -> dict:
    dims = {key: _clamp(rng.gauss(profile[key], 0.6)) for key in DIMENSIONS}
    overall = _clamp(sum(dims.values()) / len(dims) + rng.gauss(0.1, 0.35))
    comment = ""
    if rng.random() < 0.07:
        comment = rng.choice(PRAISE if overall >= 4 else CRITIQUE)
    return {"overall": overall, **dims, "comment": comment}


def _held_talks() -> list[Lecture]:
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(Session.starts_at < CUTOFF, Session.status != "cancelled")
        .order_by(Session.starts_at)
    )
    return [talk for talk in db.session.scalars(query) if talk.session.ends_at <= CUTOFF]


def _rate_talk(rng: random.Random, talk: Lecture, signed: list[int], limit: int | None) -> int:
    profile = WEAK if rng.random() < WEAK_SHARE else GOOD
    audience = sorted(uid for uid in signed if uid != talk.speaker_id)  # speakers never self-rate
    raters = [uid for uid in audience if rng.random() < 0.85]
    if limit is not None:
        raters = raters[:limit]
    for uid in raters:
        at = talk.session.ends_at + dt.timedelta(minutes=rng.randint(5, 60 * 72))
        services.rate(talk, auth_services.get_user(uid), _scores(rng, profile), now=at)
    return len(raters)


def load(progress: Callable[[str], None] = print) -> None:
    if db.session.scalar(select(func.count(Rating.id))):
        progress("已有评价数据，跳过评价演示数据。")
        return
    signed_in_users = attendance_services.signed_in_users
    talks = [t for t in _held_talks() if signed_in_users(t.session_id)]
    if not talks:
        progress("没有已签到的历史讲学，跳过评价演示数据。")
        return
    rng = random.Random(SEED)
    below = services.min_count() - 2  # the latest talk: still collecting, under the minimum
    total = sum(
        _rate_talk(
            rng, talk, signed_in_users(talk.session_id), below if talk is talks[-1] else None
        )
        for talk in talks
    )
    progress(
        f"已生成 {len(talks)} 场讲学的 {total} 条评价（最近一场评价人数不足 {services.min_count()} 人）。"
    )
