"""The whoosh engine: the slide index in local files, pure Python (the default; no install).

Its index format lives in analyzers.py, the compiled queries in query.py, the relevance of
ANDed terms and phrases in topk.py and phrases.py: with this module, the only modules that
import whoosh or jieba.

Layout on disk (the same on Windows: no symlinks)::

    <directory>/CURRENT      "gen-000003 <schema version>", replaced atomically (os.replace)
    <directory>/gen-000003/  the live whoosh index (MAIN_*.toc, *.seg, MAIN_WRITELOCK)
    <directory>/REBUILD      file lock held while a generation is created or rebuilt

rebuild() fills a fresh gen-N+1 while searches and writes go on in gen-N, then takes gen-N's
write lock, points CURRENT at gen-N+1 and deletes older generations (failures, e.g. files still
open on Windows, are ignored; the next rebuild retries). Searches re-read CURRENT each time. A
writer holding the lock of a generation that is no longer CURRENT gives it up and retries on
the new one, so no write after the swap is lost; a deck written *during* a rebuild lands in the
old generation and is dropped by the swap unless the rebuild's docs had it, so callers
reconcile afterwards (compare indexed_decks() with the database).

Writers take index.writer(timeout=...), retried with backoff up to writer_timeout, commit only
on success and cancel on error. whoosh-reloaded 2.7.5's Searcher.refresh() keeps deleted docs
and merged-away segments (stale and duplicate hits), so analyzers.open_reader() does it.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as wix
from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet
from whoosh.util.filelock import FileLock

from lecturehub.search.index import generations
from lecturehub.search.index.analyzers import (
    INDEX_NAME,
    SCHEMA,
    build_parallel,
    build_serial,
    document,
    ensure_jieba,
    live_decks,
    open_reader,
    probe,
)
from lecturehub.search.index.base import (
    Found,
    IndexBusyError,
    IndexStatus,
    IndexUnavailableError,
    SearchQuery,
    SlideDoc,
    TalkMeta,
    single_lecture,
    unpack,
)
from lecturehub.search.index.query import compile_query
from lecturehub.search.index.topk import fast_plan, top_docs

# v2: jieba words without HMM.
SCHEMA_VERSION = 2  # bump when SCHEMA or the analysis changes: check() then says "corrupt"


class WhooshEngine:
    """The slide index in `directory`, created empty when missing; safe across threads and
    processes (one shared searcher per instance, refreshed before each search)."""

    name = "whoosh"

    def __init__(
        self,
        directory: Path,
        *,
        writer_timeout: float = 10.0,
        fast_path: bool = True,
        posting_cache: dict | None = None,
    ):
        self.directory = Path(directory)
        self.writer_timeout = writer_timeout
        self.fast_path = fast_path  # False: always whoosh's own collector (the reference path)
        self.posting_cache = posting_cache or {}  # PostingCache(budget=, min_docs=) options
        self._lock = threading.RLock()  # guards the searcher and the opened generation
        self._write_lock = threading.Lock()
        self._gen: str | None = None
        self._ix = self._reader = self._searcher = None
        self._toc_gen = -1
        ensure_jieba()
        self.directory.mkdir(parents=True, exist_ok=True)
        if not (self.directory / "CURRENT").exists():
            with generations.file_lock(self.directory / "REBUILD"):
                if not (self.directory / "CURRENT").exists():
                    path = generations.new_generation(self.directory)
                    wix.create_in(str(path), SCHEMA, indexname=INDEX_NAME)
                    generations.write_pointer(self.directory, path.name, SCHEMA_VERSION)

    def _current(self) -> str:
        return generations.current(self.directory, SCHEMA_VERSION)

    def _open(self, name: str):
        try:
            return wix.open_dir(str(self.directory / name), indexname=INDEX_NAME, schema=SCHEMA)
        except Exception as exc:  # whoosh raises many types for broken files
            raise IndexUnavailableError(f"cannot open {name}: {exc!r}") from exc

    def _fresh_searcher(self) -> Searcher:
        """The shared searcher, brought up to date (call with self._lock held). Retried: a
        rebuild may swap generations, or a writer delete merged files, while we open them;
        whoosh raises many types (EOFError, struct.error, ...) for files it cannot read."""
        for attempt in range(5):
            try:
                return self._refresh()
            except Exception as exc:
                self.close()
                if attempt == 4:
                    raise IndexUnavailableError(f"cannot read the index: {exc!r}") from exc
                time.sleep(0.05)

    def _refresh(self) -> Searcher:
        searcher = self._refresh_searcher()
        searcher._lecturehub_posting_cache = self.posting_cache  # read by topk's cache
        return searcher

    def _refresh_searcher(self) -> Searcher:
        name = self._current()
        if name != self._gen:
            self.close()
            self._ix, self._gen = self._open(name), name
        if self._searcher is None or self._ix.latest_generation() != self._toc_gen:
            self._reader, self._toc_gen = open_reader(self._ix, self._reader)
            self._searcher = Searcher(self._reader, fromindex=self._ix)
        return self._searcher

    def close(self) -> None:
        """Release open files (the next call reopens them)."""
        with self._lock:
            if self._reader is not None:
                self._reader.close()
            self._gen = self._ix = self._reader = self._searcher = None
            self._toc_gen = -1

    # writing ---------------------------------------------------------------------------------

    def _writer(self, deadline: float):
        """A writer on the CURRENT generation, retried with backoff until the deadline; an index
        that stays unreadable (not just swapped by a rebuild) fails after a few tries."""
        delay, unreadable = 0.02, 0
        while True:
            try:
                name = self._current()
                remaining = max(0.0, deadline - time.monotonic())
                writer = self._open(name).writer(timeout=min(remaining, 0.5), delay=0.01)
            except wix.LockError as exc:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(f"index busy for {self.writer_timeout:g} s") from exc
            except Exception as exc:  # a swapped-away generation, or one whoosh cannot read
                unreadable += 1
                if unreadable >= 4:
                    raise IndexUnavailableError(f"cannot write the index: {exc!r}") from exc
            else:
                if self._current() == name:
                    return writer
                writer.cancel()  # a rebuild swapped generations meanwhile
                continue
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def _write(self, apply: Callable) -> None:
        """Run apply(writer) in one writer: commit if it returns anything but False."""
        deadline = time.monotonic() + self.writer_timeout
        if not self._write_lock.acquire(timeout=self.writer_timeout):
            raise IndexBusyError(f"index busy for {self.writer_timeout:g} s")
        try:
            writer = self._writer(deadline)
            try:
                changed = apply(writer)
            except BaseException:
                writer.cancel()
                raise
            if changed is False:
                writer.cancel()
                return
            try:
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):  # whoosh keeps the lock if commit fails
                    writer.writelock.release()
                raise
        finally:
            self._write_lock.release()

    def add_deck(self, slides: list[SlideDoc]) -> None:
        """Replace every slide of the talk by these (one writer, one commit)."""
        term, docs = str(single_lecture(slides)), [document(s) for s in slides]

        def apply(writer):
            writer.delete_by_term("lecture", term)
            for doc in docs:
                writer.add_document(**doc)

        self._write(apply)

    def remove_deck(self, lecture_id: int) -> None:
        self._write(lambda writer: writer.delete_by_term("lecture", str(lecture_id)) > 0)

    def update_meta(self, lecture_id: int, meta: TalkMeta) -> int:
        """Re-add the talk's stored slides with the new fields, read and written under the
        write lock (a deck added meanwhile is not overwritten by stale slides)."""
        term, count = str(lecture_id), 0

        def apply(writer):
            nonlocal count
            with writer.searcher() as searcher:
                docnums = sorted(searcher.docs_for_query(wq.Term("lecture", term)))
                docs = [meta.apply(unpack(searcher.stored_fields(d)["data"])) for d in docnums]
            if not docs:
                return False
            writer.delete_by_term("lecture", term)
            for doc in docs:
                writer.add_document(**document(doc))
            count = len(docs)
            return True

        self._write(apply)
        return count

    def rebuild(
        self,
        docs: Iterable[SlideDoc],
        progress: Callable[[int], None] | None = None,
        *,
        procs: int = 1,
        limitmb: int = 256,
    ) -> int:
        """Index docs into a fresh generation and swap it in atomically; returns the count.

        procs > 1 indexes in that many spawned processes (one segment each); progress gets
        the running count of slides read from docs."""
        with generations.file_lock(self.directory / "REBUILD"):
            old = generations.live_or_none(self.directory)  # None: no generation to keep
            generations.remove_generations(
                self.directory, keep=old
            )  # leftovers of crashed rebuilds
            path = generations.new_generation(self.directory)
            try:
                wix.create_in(str(path), SCHEMA, indexname=INDEX_NAME)
                if procs > 1:
                    count = build_parallel(path, docs, progress, procs, limitmb)
                else:
                    count = build_serial(path, docs, progress, limitmb)
                self._swap(old, path.name)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
        return count

    def _swap(self, old: str | None, new: str) -> None:
        """Point CURRENT at new while holding old's write lock, then drop old generations."""
        lock = None
        if old is not None and (self.directory / old).is_dir():
            lock = FileLock(str(self.directory / old / f"{INDEX_NAME}_WRITELOCK"))
            deadline = time.monotonic() + self.writer_timeout
            while not lock.acquire() and time.monotonic() < deadline:
                time.sleep(0.05)
        try:
            generations.write_pointer(self.directory, new, SCHEMA_VERSION)
        finally:
            if lock is not None and lock.locked:
                lock.release()
        generations.remove_generations(self.directory, keep=new)

    # reading ---------------------------------------------------------------------------------

    def find(self, tree, request: SearchQuery) -> Found:
        """The matches of a parsed query (None: every slide, newest first).

        An AND of terms, phrases and lone characters (人民群众 经济 -党) takes topk's faster
        path; elsewhere the collector counts every match (no block-quality skipping), so the
        total is exact either way. Raises IndexUnavailableError when the index cannot be read."""
        q, _, _ = compile_query(tree)
        newest = request.sort == "date" or tree is None
        filter_q = _filter_query(request)
        mask_q = None if request.include_hidden else wq.Term("hidden", True)
        plan = None if newest or not self.fast_path else fast_plan(q)
        with self._lock:
            searcher = self._fresh_searcher()
            if plan is not None:
                total, top = top_docs(searcher, plan, request.limit, (filter_q, mask_q))
                rows = [
                    (score, searcher.stored_fields(docnum)["data"])
                    for score, docnum in top[request.offset :]
                ]
            else:
                results = searcher.search(
                    q,
                    limit=request.limit,
                    terms=False,
                    optimize=False,
                    sortedby=FieldFacet("order", reverse=True) if newest else None,
                    filter=filter_q,
                    mask=mask_q,
                )
                found, total = results.scored_length(), len(results)
                rows = [
                    (results.score(i), results[i]["data"]) for i in range(request.offset, found)
                ]
        return Found(total, [(score or 0.0, unpack(values)) for score, values in rows])

    def indexed_decks(self) -> dict[int, int]:
        """lecture_id -> courseware_id of every talk in the index."""
        with self._lock:
            return live_decks(self._fresh_searcher().reader())

    def check(self) -> IndexStatus:
        """ok / missing / corrupt (never raises), read through a fresh reader of every segment."""

        def read(name: str) -> IndexStatus:
            with self._open(name).reader() as reader:
                probe(reader)
                return IndexStatus("ok", live_decks(reader), reader.doc_count())

        return generations.check_live(self.directory, SCHEMA_VERSION, read)


def _filter_query(request: SearchQuery) -> wq.Query | None:
    filters = [wq.Term(field, value) for field, value in request.terms().items()]
    if request.day_range is not None:
        filters.append(wq.NumericRange("day", *request.day_range))
    return wq.And(filters) if filters else None
