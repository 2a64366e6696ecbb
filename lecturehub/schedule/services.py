"""Series, sessions and talks: generation, changes, assignments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.extensions import db
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING, Series

DEFAULT_SERIES = [
    {
        "name": "每周两课", "subtitle": "我的业务我来讲", "kind": KIND_LECTURE, "weekdays": "0,2",
        "start_time": dt.time(19, 0), "summer_start_time": None, "duration_minutes": 60,
        "venue": "乡文化乐园", "leader": "彭宗惠", "department": "党政办",
    },
    {
        "name": "每周两操", "subtitle": "全民健身我先行", "kind": KIND_TRAINING, "weekdays": "1,3",
        "start_time": dt.time(6, 30), "summer_start_time": dt.time(6, 0), "duration_minutes": 30,
        "venue": "乡文化乐园广场", "leader": "储晓波", "department": "文化站",
    },
]  # fmt: skip


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
