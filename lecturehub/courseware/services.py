"""Courseware operations: upload (spool → analyse → store → row), versions, deletion.

The web upload (page and API alike) goes through ``courseware.upload.upload_and_index``, which
calls ``upload_courseware`` here and then hands the new version to the search index.

Upload order, so that a crash or a refusal never leaves a half file or a row pointing at
nothing: spool the stream into a temp file in the store while hashing it, sniff and analyse
the temp file, move it into place under its SHA-256, insert the row, commit. Any refusal
deletes the temp file and writes nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lecturehub.auth.models import User
from lecturehub.core import signals
from lecturehub.core.errors import Forbidden, NotFound, ServiceError
from lecturehub.core.storage import TooLarge, get_store
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware.analysis import (
    AnalysisError,
    AnalysisSettings,
    DeckAnalysis,
    PackageLimits,
    analyze_pptx,
)
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule import lectures
from lecturehub.schedule.models import Lecture

log = logging.getLogger(__name__)

WRONG_TYPE = {"legacy_ppt", "encrypted", "not_presentation", "template", "theme"}
KINDS = ("pptx", "pptm", "ppsx", "ppsm")


# --- settings and refusals -------------------------------------------------------------------


def max_bytes() -> int:
    return int(current_app.config["COURSEWARE_MAX_BYTES"])


def analysis_settings() -> AnalysisSettings:
    config = current_app.config
    return AnalysisSettings(
        limit_seconds=int(config["TALK_LIMIT_SECONDS"]),
        han_chars_per_min=float(config["HAN_CHARS_PER_MIN"]),
        english_words_per_min=float(config["ENGLISH_WORDS_PER_MIN"]),
        limits=PackageLimits(max_file_bytes=max_bytes()),
    )


def too_large_error() -> ServiceError:
    limit_mb = max_bytes() // (1024 * 1024)
    message = f"课件文件超过 {limit_mb} MB 的上限。请压缩图片和视频（或删去视频）后再上传。"
    return ServiceError(message, "too_large", 413)


def refusal(exc: AnalysisError) -> ServiceError:
    """AnalysisError → ServiceError: 415 wrong type, 413 too large, 422 broken."""
    if exc.code == "too_large":
        return ServiceError(exc.message, exc.code, 413)
    message = exc.message
    if exc.code == "legacy_ppt" and shutil.which("soffice"):
        message += "（服务器已安装 LibreOffice，也可请党政办代为转换为 .pptx。）"
    return ServiceError(message, exc.code, 415 if exc.code in WRONG_TYPE else 422)


def clean_filename(filename: str | None, kind: str) -> str:
    """The original name as data: no directories, no control characters, a sane length."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = name[-200:] if len(name) > 200 else name
    if not name:
        return f"课件.{kind}"
    if Path(name).suffix.lower().lstrip(".") not in KINDS:
        name = f"{name}.{kind}"
    return name


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


def upload_courseware(
    lecture: Lecture, fileobj: BinaryIO | None, filename: str | None, by: User, now=None
) -> tuple[Courseware, bool]:
    """Store a new version; ``(existing, False)`` when the same bytes were uploaded before."""
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
        deck = _analyse(tmp)
        name = clean_filename(filename, deck.kind)
        return _commit(lecture, tmp, sha256, size, deck, name, by, now or local_now())
    finally:
        tmp.unlink(missing_ok=True)


def _analyse(path: Path) -> DeckAnalysis:
    try:
        return analyze_pptx(path, analysis_settings())
    except AnalysisError as exc:
        raise refusal(exc) from exc


def _version_with_hash(lecture: Lecture, sha256: str) -> Courseware | None:
    query = select(Courseware).where(
        Courseware.lecture_id == lecture.id, Courseware.sha256 == sha256
    )
    return db.session.scalar(query)


def _commit(lecture, tmp, sha256, size, deck, filename, by, now) -> tuple[Courseware, bool]:
    store = get_store()
    existed = store.exists(sha256)
    store.commit_spooled(tmp, sha256)
    row = Courseware(
        lecture_id=lecture.id,
        version=_next_version(lecture),
        filename=filename,
        size=size,
        sha256=sha256,
        kind=deck.kind,
        uploaded_by_id=by.id,
        uploaded_at=now,
    )
    fill_analysis(row, deck)
    db.session.add(row)
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


def fill_analysis(row: Courseware, deck: DeckAnalysis) -> None:
    row.estimated_seconds = deck.estimated_seconds
    row.verdict, row.method = deck.verdict, deck.method
    row.slides_total, row.has_macros = deck.slides_total, deck.has_macros
    row.analysis_json = json.dumps(deck.to_dict(), ensure_ascii=False)
    row.slides_json = json.dumps(
        [
            {
                "slide": s.number,
                "title": s.title,
                "text": s.text,
                "notes": s.notes,
                "hidden": s.hidden,
            }
            for s in deck.slides
        ],
        ensure_ascii=False,
    )


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
    signals.courseware_deleted.send(lecture)
    return lecture


get_lecture = lectures.get_lecture  # the schedule feature owns talks
