"""Courseware operations: upload (spool → analyse → store → row), versions, deletion.

The web upload (page and API alike) goes through ``courseware.upload.upload_and_index``, which
calls ``upload_courseware`` here and then hands the new version to the search index.

Upload order, so that a crash or a refusal never leaves a half file or a row pointing at
nothing: spool the stream into a temp file in the store while hashing it, sniff and analyse
the temp file, move it into place under its SHA-256, insert the row, commit. Any refusal
deletes the temp file and writes nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lecturehub.auth.models import User
from lecturehub.core import signals
from lecturehub.core.errors import Forbidden, NotFound, ServiceError
from lecturehub.core.storage import TooLarge, get_store
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import conversion, previews
from lecturehub.courseware.analysing import (
    analyse,
    fill_analysis,
    max_bytes,
    source_format,
    too_large_error,
)
from lecturehub.courseware.analysis import DeckAnalysis
from lecturehub.courseware.formats import OOXML
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule import lectures
from lecturehub.schedule.models import Lecture

log = logging.getLogger(__name__)


def clean_filename(filename: str | None, fmt: str) -> str:
    """The original name as data: no directories, no control characters, a sane length; the
    format's extension added when the name does not end in one that fits the content."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = name[-200:] if len(name) > 200 else name
    if not name:
        return f"课件.{fmt}"
    suffix = Path(name).suffix.lower().lstrip(".")
    fits = suffix == fmt or (fmt in OOXML and suffix in OOXML)
    return name if fits else f"{name}.{fmt}"


# --- permissions -----------------------------------------------------------------------------


def can_upload(user, lecture: Lecture) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_role("admin") or (
        lecture.speaker_id is not None and lecture.speaker_id == user.id
    )


def check_can_upload(user, lecture: Lecture) -> None:
    if not can_upload(user, lecture):
        raise Forbidden("只有本场讲学的讲课人或管理员可以上传课件。", "forbidden")


# --- upload ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """An upload spooled into the store's temp folder, with what its content says it is."""

    tmp: Path
    sha256: str
    size: int
    source_format: str
    filename: str


def upload_courseware(
    lecture: Lecture, fileobj: BinaryIO | None, filename: str | None, by: User, now=None
) -> tuple[Courseware, bool]:
    """Store a new version; ``(existing, False)`` when the same bytes were uploaded before.

    A .pptx (and .pptm, .ppsx, .ppsm) is analysed here; a .ppt, .pps, .dps or .odp is checked
    here and converted and analysed by the background job queued with the row (its analysis
    is None until then). Either way the job renders the slide images."""
    check_can_upload(by, lecture)
    if fileobj is None:
        raise ServiceError("请选择要上传的课件文件（.pptx）。", "no_file", 400)
    store = get_store()
    try:
        tmp, sha256, size = store.spool(fileobj, max_bytes())
    except TooLarge as exc:
        raise too_large_error() from exc
    try:
        existing = _version_with_hash(lecture, sha256)
        if existing is not None:
            return existing, False
        fmt = source_format(tmp, filename)
        deck = analyse(tmp) if fmt in OOXML else _converted_before(sha256)
        incoming = Incoming(tmp, sha256, size, fmt, clean_filename(filename, fmt))
        return _commit(lecture, incoming, deck, by, now or local_now())
    finally:
        tmp.unlink(missing_ok=True)


def _converted_before(sha256: str) -> DeckAnalysis | None:
    """The same bytes were converted for another talk: analyse that .pptx now."""
    path = previews.converted_path(sha256)
    return analyse(path) if path.is_file() else None


def _version_with_hash(lecture: Lecture, sha256: str) -> Courseware | None:
    query = select(Courseware).where(
        Courseware.lecture_id == lecture.id, Courseware.sha256 == sha256
    )
    return db.session.scalar(query)


def _commit(lecture, incoming: Incoming, deck, by, now) -> tuple[Courseware, bool]:
    store, sha256 = get_store(), incoming.sha256
    existed = store.exists(sha256)
    store.commit_spooled(incoming.tmp, sha256)
    row = Courseware(
        lecture_id=lecture.id,
        version=_next_version(lecture),
        filename=incoming.filename,
        size=incoming.size,
        sha256=sha256,
        kind=deck.kind if deck is not None else "pptx",
        source_format=incoming.source_format,
        uploaded_by_id=by.id,
        uploaded_at=now,
    )
    if deck is not None:
        fill_analysis(row, deck)
    db.session.add(row)
    conversion.queue(row)  # in the same transaction: no version without its images' job
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if not existed and not _key_in_use(sha256):
            store.delete(sha256)
        if not isinstance(exc, IntegrityError):
            raise
        duplicate = _version_with_hash(lecture, sha256)  # a concurrent double submit won
        if duplicate is not None:
            return duplicate, False
        raise ServiceError("有人同时上传了新版本，请刷新后重试。", "conflict", 409) from exc
    return row, True


def _next_version(lecture: Lecture) -> int:
    query = select(func.max(Courseware.version)).where(Courseware.lecture_id == lecture.id)
    return (db.session.scalar(query) or 0) + 1


def _key_in_use(sha256: str) -> bool:
    return db.session.scalar(select(Courseware.id).where(Courseware.sha256 == sha256)) is not None


# --- reading ---------------------------------------------------------------------------------


def get_courseware(courseware_id: int) -> Courseware:
    row = db.session.get(Courseware, courseware_id)
    if row is None:
        raise NotFound("找不到该课件。", "not_found")
    return row


def versions(lecture: Lecture) -> list[Courseware]:
    """Newest first; the first one is current."""
    query = select(Courseware).where(Courseware.lecture_id == lecture.id)
    return list(db.session.scalars(query.order_by(Courseware.version.desc())))


def _current_versions(*columns, lecture_ids: list[int] | None = None):
    """SELECT columns of the current (highest) version of each talk's courseware."""
    latest = select(Courseware.lecture_id, func.max(Courseware.version).label("version"))
    if lecture_ids is not None:
        latest = latest.where(Courseware.lecture_id.in_(lecture_ids))
    latest = latest.group_by(Courseware.lecture_id).subquery()
    is_latest = (Courseware.lecture_id == latest.c.lecture_id) & (
        Courseware.version == latest.c.version
    )
    return select(*columns).select_from(Courseware).join(latest, is_latest)


def current_for(lecture_ids: list[int]) -> dict[int, Courseware]:
    """lecture id → its current version, for the lectures that have one.

    The one home of "current": everything that shows, counts or indexes a talk's courseware
    asks this (or ``current_ids`` / ``current_slides_total`` below, the light forms)."""
    if not lecture_ids:
        return {}
    rows = db.session.scalars(_current_versions(Courseware, lecture_ids=lecture_ids))
    return {row.lecture_id: row for row in rows}


def current_version(lecture: Lecture) -> Courseware | None:
    return current_for([lecture.id]).get(lecture.id)


def current_ids() -> dict[int, int]:
    """lecture id → id of its current version, for every talk with courseware."""
    return dict(db.session.execute(_current_versions(Courseware.lecture_id, Courseware.id)).all())


def current_slides_total() -> int:
    """Slides of every talk's current version together (what the search index holds)."""
    total = db.session.scalar(_current_versions(func.sum(Courseware.slides_total)))
    return int(total or 0)


def file_path(row: Courseware) -> Path:
    """Where the version's bytes are: a path from the content key, never from the filename."""
    path = get_store().path(row.sha256)
    if not path.is_file():
        raise NotFound("课件文件在服务器上缺失，请联系党政办。", "file_missing")
    return path


# --- deleting --------------------------------------------------------------------------------


def delete_version(row: Courseware, by: User) -> Lecture:
    """Admin only. If it was current, the previous version becomes current."""
    if not by.has_role("admin"):
        raise Forbidden("只有管理员可以删除课件版本。", "forbidden")
    lecture, sha256 = row.lecture, row.sha256
    db.session.delete(row)
    db.session.commit()
    if not _key_in_use(sha256):
        get_store().delete(sha256)
        previews.remove(sha256)  # a job rendering it now removes what it publishes
    signals.courseware_deleted.send(lecture)
    return lecture


get_lecture = lectures.get_lecture  # the schedule feature owns talks
