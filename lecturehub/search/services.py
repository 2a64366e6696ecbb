"""Slide search in the app: one SlideIndex per process, fed from the database and kept in step.

The engine is the ``SEARCH_ENGINE`` setting (whoosh, tantivy or postgres); ``open_index(name)``
opens any engine beside it (``lecturehub reindex --engine NAME`` builds one before a switch).

The index holds one document per slide of each talk's *current* courseware version, with the
talk's title, speaker name, department name, category, date and series as stored at index time.
The upload path (``courseware.upload``) hands each new version to ``index_version``. Lower
features' services tell us the rest through ``core.signals`` (receivers at the end of this
module): a deleted version, a talk whose title/speaker/department/category/date changed.
Renaming a user or a department (auth) sends nothing: ``lecturehub check`` reports such stale
metadata and ``lecturehub check --repair`` (or ``refresh_speaker``) re-indexes the talks.

The first use of the index in a process checks it: a missing, corrupt or empty-but-should-not-be
index is rebuilt from the database, and decks out of step with it are re-added or removed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lecturehub.core import signals
from lecturehub.core.errors import ServiceError
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db
from lecturehub.schedule.models import Lecture
from lecturehub.search.index import (
    IndexUnavailableError,
    QueryError,
    SearchResult,
    SlideDoc,
    SlideIndex,
    TalkMeta,
    engine_problem,
)
from lecturehub.search.index import open_index as open_engine_index

log = logging.getLogger(__name__)

INDEX_KEY = "lecturehub_index"
LOCK_KEY = "lecturehub_index_lock"
CHECKED_KEY = "lecturehub_index_checked"
BATCH = 50  # talks loaded from the database at a time while rebuilding
# At first use, rebuild instead of re-adding deck by deck when this many decks, and this share
# of them, are out of step (e.g. the index directory was deleted).
REBUILD_MIN, REBUILD_SHARE = 20, 0.5


# --- the process's index ---------------------------------------------------------------------


def _lock(app) -> threading.RLock:
    return app.extensions.setdefault(LOCK_KEY, threading.RLock())


def get_index(*, ensure: bool = True) -> SlideIndex:
    """The app's SlideIndex, created on first use. With ensure (the default) it is checked once
    per process first: rebuilt if broken, decks out of step with the database re-added.
    ``lecturehub check`` and ``reindex`` pass ensure=False: they look or rebuild themselves."""
    app = current_app._get_current_object()
    index = app.extensions.get(INDEX_KEY)
    if index is not None and (not ensure or app.extensions.get(CHECKED_KEY)):
        return index
    with _lock(app):
        index = app.extensions.get(INDEX_KEY)
        if index is None:
            index = open_index()
            app.extensions[INDEX_KEY] = index
        if ensure and not app.extensions.get(CHECKED_KEY):
            ensure_usable(index)
            app.extensions[CHECKED_KEY] = True
    return index


def engine_name(name: str | None = None) -> str:
    """The engine asked for, or the configured one; a ServiceError (Chinese) if it cannot be
    used here (not installed, not on PostgreSQL)."""
    app = current_app._get_current_object()
    name = name or app.config["SEARCH_ENGINE"]
    problem = engine_problem(name, app.config["SQLALCHEMY_DATABASE_URI"])
    if problem:
        raise ServiceError(problem, "search_engine_unavailable", 400)
    return name


def open_index(name: str | None = None) -> SlideIndex:
    """A new SlideIndex of an engine (default: the configured one), created empty when
    missing: whoosh and tantivy in their directories, postgres in the app's database."""
    app = current_app._get_current_object()
    name = engine_name(name)
    directory = {"whoosh": app.config["INDEX_DIR"], "tantivy": app.config["TANTIVY_INDEX_DIR"]}
    return open_engine_index(
        name,
        directory=Path(directory[name]) if name in directory else None,
        bind=db.engine if name == "postgres" else None,
        writer_timeout=float(app.config["SEARCH_WRITER_TIMEOUT"]),
    )


def is_configured(name: str | None) -> bool:
    return name is None or name == current_app.config["SEARCH_ENGINE"]


def close_index() -> None:
    """Release the index files and forget the instance (the next use opens and checks it)."""
    app = current_app._get_current_object()
    with _lock(app):
        app.extensions.pop(CHECKED_KEY, None)
        index = app.extensions.pop(INDEX_KEY, None)
        if index is not None:
            index.close()


def ensure_usable(index: SlideIndex) -> None:
    """Rebuild a missing/corrupt index (or an empty one while talks have decks); re-add or
    remove the few decks that differ from the database."""
    status = index.check()
    expected = courseware_services.current_ids()
    if not status.ok:
        log.warning(
            "search index %s (%s): rebuilding it from the database", status.state, status.detail
        )
        rebuild_into(index)
        return
    wrong = decks_out_of_step(expected, status.decks)
    if len(wrong) > REBUILD_MIN and len(wrong) >= REBUILD_SHARE * len(expected):
        log.warning(
            "search index has %d of %d decks out of step: rebuilding it", len(wrong), len(expected)
        )
        rebuild_into(index)
        return
    for lecture_id in wrong:
        log.info("search index: re-indexing lecture %s (out of step)", lecture_id)
        reindex_lecture(index, lecture_id)


def decks_out_of_step(expected: dict[int, int], indexed: dict[int, int]) -> list[int]:
    """Talks whose indexed deck is missing, not the current version, or should not be there."""
    return sorted(k for k in expected.keys() | indexed.keys() if expected.get(k) != indexed.get(k))


# --- from the database to SlideDocs ----------------------------------------------------------


def lecture_meta(lecture: Lecture) -> dict:
    """The talk-level fields of its slides, as stored now (names, not ids)."""
    return {
        "lecture_title": lecture.title or "",
        "speaker": lecture.speaker.name if lecture.speaker else "",
        "department": lecture.department.name if lecture.department else "",
        "category": lecture.category or "",
        "date": lecture.session.date,
        "series_id": lecture.session.series_id,
    }


def deck_docs(lecture: Lecture, row: Courseware) -> list[SlideDoc]:
    meta = lecture_meta(lecture)
    return [
        SlideDoc(
            lecture_id=lecture.id,
            courseware_id=row.id,
            slide=int(s["slide"]),
            slide_title=s.get("title") or "",
            text=s.get("text") or "",
            notes=s.get("notes") or "",
            hidden=bool(s.get("hidden")),
            **meta,
        )
        for s in row.slides
    ]


def all_docs() -> Iterator[SlideDoc]:
    """Every slide of every current version, loaded a few talks at a time."""
    lecture_ids = sorted(courseware_services.current_ids())
    for start in range(0, len(lecture_ids), BATCH):
        rows = courseware_services.current_for(lecture_ids[start : start + BATCH])
        for lecture_id in sorted(rows):
            yield from deck_docs(rows[lecture_id].lecture, rows[lecture_id])


# --- writes ----------------------------------------------------------------------------------


def index_version(row: Courseware) -> int:
    """A talk's new current version replaces its slides in the index (the row as handed, not
    read again); returns the slide count."""
    docs = deck_docs(row.lecture, row)
    index = get_index()
    if docs:
        index.add_deck(docs)
    else:
        index.remove_deck(row.lecture_id)
    return len(docs)


def reindex_lecture(index: SlideIndex, lecture_id: int) -> int:
    """Put the talk's current slides in the index (or take it out); returns the slide count."""
    lecture = db.session.get(Lecture, lecture_id)
    row = courseware_services.current_version(lecture) if lecture is not None else None
    docs = deck_docs(lecture, row) if row is not None else []
    if docs:
        index.add_deck(docs)
    else:
        index.remove_deck(lecture_id)
    return len(docs)


def refresh_speaker(user_id: int) -> int:
    """Re-index the talks of a speaker (e.g. after the user was renamed); returns how many."""
    ids = db.session.scalars(select(Lecture.id).where(Lecture.speaker_id == user_id))
    index = get_index()
    indexed = index.indexed_decks()
    changed = [lecture_id for lecture_id in ids if lecture_id in indexed]
    for lecture_id in changed:
        reindex_lecture(index, lecture_id)
    return len(changed)


def rebuild_into(index: SlideIndex, progress=None, procs: int = 1) -> int:
    count = index.rebuild(all_docs(), progress=progress, procs=procs)
    # Decks written by other processes during the rebuild went to the old generation.
    for lecture_id in decks_out_of_step(courseware_services.current_ids(), index.indexed_decks()):
        reindex_lecture(index, lecture_id)
    return count


def rebuild(
    progress: Callable[[int], None] | None = None, procs: int = 1, engine: str | None = None
) -> int:
    """Rebuild the whole index from the database beside the live one, swapped in at the end
    (searches keep working meanwhile); returns the number of slides indexed. engine: another
    engine than the configured one, built beside it before a switch."""
    app = current_app._get_current_object()
    if not is_configured(engine):
        index = open_index(engine)
        try:
            return rebuild_into(index, progress=progress, procs=procs)
        finally:
            index.close()
    count = rebuild_into(get_index(ensure=False), progress=progress, procs=procs)
    app.extensions[CHECKED_KEY] = True
    return count


# --- searching -------------------------------------------------------------------------------


def search(query: str, **options) -> SearchResult:
    """SlideIndex.search with the app's error handling: a malformed query is a 400 with the
    Chinese message; an index found broken now is rebuilt (logged) and the search retried."""
    index = get_index()
    try:
        return _search(index, query, options)
    except ServiceError:
        raise
    except Exception as exc:
        if not _repair_after(index, exc):
            raise
    return _search(index, query, options)


def _search(index: SlideIndex, query: str, options: dict) -> SearchResult:
    try:
        return index.search(query, **options)
    except QueryError as exc:
        raise ServiceError(exc.message, "bad_query", 400) from exc


def _repair_after(index: SlideIndex, exc: Exception) -> bool:
    """True when the index was broken (and is now rebuilt), False when exc has another cause."""
    with _lock(current_app._get_current_object()):
        index.close()
        status = index.check()
        if status.ok and not isinstance(exc, IndexUnavailableError):
            return False
        log.warning(
            "search index unreadable (%r, %s): rebuilding it from the database",
            exc,
            status.detail or status.state,
        )
        if not status.ok:
            rebuild_into(index)
        return True


# --- what lower features tell us (core/signals.py) -------------------------------------------


@signals.courseware_deleted.connect
def _version_deleted(lecture: Lecture, **_) -> None:
    """The previous version (if any) is current now: it replaces the deleted one's slides."""
    _follow(lecture.id)


@signals.courseware_analysed.connect
def _version_analysed(row: Courseware, **_) -> None:
    """A converted deck's slide texts arrived from the background job: index them if it is
    (still) the talk's current version — reindex_lecture indexes whatever is current."""
    _follow(row.lecture_id)


@signals.lecture_changed.connect
def _lecture_changed(lecture: Lecture, **_) -> None:
    """The slides carry the talk's title, speaker, department, category and date: the index
    updates them (re-adding the deck if it is not there). A talk without courseware has
    nothing indexed (its last deletion removed it): nothing to open."""
    if courseware_services.current_version(lecture) is not None:
        _follow(lecture.id, TalkMeta(**lecture_meta(lecture)))


def _follow(lecture_id: int, meta: TalkMeta | None = None) -> None:
    """Re-index a talk after another feature's committed change, which never fails because
    of us: a failure is logged, and the index catches up at its next check."""
    try:
        index = get_index()
        if meta is None or index.update_meta(lecture_id, meta) == 0:
            reindex_lecture(index, lecture_id)
    except Exception:
        log.exception("search index did not follow lecture %s", lecture_id)
