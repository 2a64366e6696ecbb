"""Talks with real decks, uploaded through the courseware service and handed to search the way
the courseware views do it (courseware.views.notify_search → the "search_index_deck" provider)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from lecturehub.auth import services as auth_services
from lecturehub.courseware.views import notify_search
from lecturehub.schedule import lectures
from tests.factories.courseware import make_lecture, upload
from tests.pptx_factory import SlideSpec, build_deck

_files = itertools.count(1)


def deck(tmp_path: Path, slides: list[str | SlideSpec], hidden=()) -> Path:
    """A .pptx whose slide n has body slides[n-1] (a str) under the title 第n页."""
    specs = [
        s if isinstance(s, SlideSpec) else SlideSpec(f"第{n}页", s) for n, s in enumerate(slides, 1)
    ]
    return build_deck(tmp_path / f"deck{next(_files)}.pptx", specs, hidden=hidden)


def upload_deck(lecture, path: Path, by):
    """A new version through the courseware service, then indexed like after a web upload."""
    row, created = upload(lecture, path, by)
    assert created
    notify_search(lecture.id)
    return row


def talk_with_deck(
    tmp_path: Path,
    by,
    slides: list[str | SlideSpec],
    *,
    title: str = "讲学",
    speaker=None,
    department: str | None = "党政办",
    category: str = "业务知识讲解",
    day: dt.date | None = None,
    hidden=(),
):
    """A talk (one-off session at 19:00 on ``day``) with one uploaded and indexed deck."""
    starts_at = dt.datetime.combine(day, dt.time(19)) if day else None
    lecture = make_lecture(speaker, title, starts_at=starts_at)
    changes = {"category": category}
    if department:
        changes["department"] = auth_services.department_by_name(department)
    lectures.update_lecture(lecture, changes)
    upload_deck(lecture, deck(tmp_path, slides, hidden), by)
    return lecture
