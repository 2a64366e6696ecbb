"""Talks with real decks, uploaded and indexed through the web upload's own path
(``courseware.upload.upload_and_index``: store → analyse → save → index the new version)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from lecturehub.auth import services as auth_services
from lecturehub.courseware.upload import upload_and_index
from lecturehub.schedule import lectures
from tests.factories.courseware import make_lecture
from tests.pptx_factory import SlideSpec, build_deck

_files = itertools.count(1)


def deck(tmp_path: Path, slides: list[str | SlideSpec], hidden=()) -> Path:
    """A .pptx whose slide n has body slides[n-1] (a str) under the title 第n页."""
    specs = [
        s if isinstance(s, SlideSpec) else SlideSpec(f"第{n}页", s) for n, s in enumerate(slides, 1)
    ]
    return build_deck(tmp_path / f"deck{next(_files)}.pptx", specs, hidden=hidden)


def upload_deck(lecture, path: Path, by):
    """A new version, stored, analysed, saved and indexed like a web upload."""
    with Path(path).open("rb") as fh:
        row, created = upload_and_index(lecture, fh, Path(path).name, by)
    assert created
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
