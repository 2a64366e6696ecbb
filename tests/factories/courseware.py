"""Talks to upload to, and decks uploaded through the real courseware service or its API."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from sqlalchemy import func, select

from lecturehub.core.timeutil import now
from lecturehub.courseware import services
from lecturehub.extensions import db
from lecturehub.schedule import lectures as schedule_lectures
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import Session
from tests.pptx_factory import SlideSpec, build_deck


def make_lecture(
    speaker=None,
    title: str = "乡村振兴政策解读",
    starts_at: dt.datetime | None = None,
    deadline: dt.datetime | None = None,
):
    """A talk on its own lecture session (one-off, so any date works), via the schedule's
    service. Default: an evening a few days from now, one day after the last session made."""
    series = schedule_services.lecture_series()
    if starts_at is None:
        taken = db.session.scalar(select(func.count(Session.id)))
        starts_at = dt.datetime.combine(now().date() + dt.timedelta(days=3 + taken), dt.time(19))
    session = Session(
        series=series,
        date=starts_at.date(),
        starts_at=starts_at,
        duration_minutes=60,
        venue=series.venue,
        is_extra=True,
    )
    db.session.add(session)
    db.session.flush()
    changes = {"title": title, "speaker": speaker, "category": "业务知识讲解"}
    if deadline is not None:
        changes["deadline"] = deadline
    return schedule_lectures.new_lecture(session, **changes)


def slides(count: int, chars_per_note: int = 180, title: str = "第{n}页") -> list[SlideSpec]:
    """``count`` slides, each with notes of ``chars_per_note`` Han characters (1 min at 180)."""
    text = "乡村振兴产业发展人才培养生态保护组织建设" * (chars_per_note // 20 + 1)
    return [
        SlideSpec(title.format(n=n), f"要点{n}", notes=text[:chars_per_note])
        for n in range(1, count + 1)
    ]


def deck_file(path: Path, count: int = 5, chars_per_note: int = 180, **kwargs) -> Path:
    return build_deck(path, slides(count, chars_per_note), **kwargs)


def upload(lecture, path: Path, by, filename: str | None = None, when=None):
    with Path(path).open("rb") as fh:
        return services.upload_courseware(lecture, fh, filename or Path(path).name, by, now=when)


def post_deck(client, lecture_id: int, path: Path, headers: dict, name: str | None = None):
    """POST a deck to the upload API (multipart field ``file``) as ``name``, like a script."""
    data = {"file": (io.BytesIO(Path(path).read_bytes()), name or Path(path).name)}
    return client.post(
        f"/api/v1/lectures/{lecture_id}/courseware",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )
