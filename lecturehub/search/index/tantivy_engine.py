"""The tantivy engine: the same exact matching as whoosh, compiled (Rust), for one node.

The schema, the documents and the queries are in tantivy_query.py. The generations, CURRENT
pointer and REBUILD lock are those of whoosh (generations.py). tantivy allows one writer per
index directory (across processes): a write takes it, retried with backoff up to
writer_timeout, commits, waits for the merges it started and lets go. Searches reload the
reader first, so a deck written by another process is found at once.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy
from tantivy import Order, Query

from lecturehub.search.index import generations
from lecturehub.search.index.base import (
    Found,
    IndexBusyError,
    IndexStatus,
    IndexUnavailableError,
    Progress,
    SearchQuery,
    SlideDoc,
    TalkMeta,
    single_lecture,
    unpack,
)
from lecturehub.search.index.tantivy_query import SCHEMA, document, search_query

SCHEMA_VERSION = 1  # bump when the schema or the analysis changes: check() then says "corrupt"
WRITER_HEAP = 32_000_000
BUILD_HEAP = 256_000_000
PROGRESS_EVERY = 500


# The engine ----------------------------------------------------------------------------------


class TantivyEngine:
    name = "tantivy"

    def __init__(self, directory: Path, *, writer_timeout: float = 10.0):
        self.directory = Path(directory)
        self.writer_timeout = writer_timeout
        self._lock = threading.RLock()
        self._gen: str | None = None
        self._index: tantivy.Index | None = None
        self.directory.mkdir(parents=True, exist_ok=True)
        if not (self.directory / "CURRENT").exists():
            with generations.file_lock(self.directory / "REBUILD"):
                if not (self.directory / "CURRENT").exists():
                    path = generations.new_generation(self.directory)
                    tantivy.Index(SCHEMA, path=str(path))
                    generations.write_pointer(self.directory, path.name, SCHEMA_VERSION)

    # opening ---------------------------------------------------------------------------------

    def _current(self) -> str:
        return generations.current(self.directory, SCHEMA_VERSION)

    def _open(self, name: str) -> tantivy.Index:
        try:
            index = tantivy.Index.open(str(self.directory / name))
        except BaseException as exc:  # tantivy raises ValueError, or panics
            _reraise_interrupts(exc)
            raise IndexUnavailableError(f"cannot open {name}: {exc!r}") from exc
        if index.schema != SCHEMA:
            raise IndexUnavailableError(f"{name} has another schema")
        return index

    def _open_current(self) -> tuple[str, tantivy.Index]:
        """(name, index) of the CURRENT generation; retried when a rebuild swapped (and
        deleted) the generation just read from CURRENT."""
        while True:
            name = self._current()
            try:
                return name, self._open(name)
            except IndexUnavailableError:
                if self._current() == name:
                    raise

    def _searcher(self) -> tantivy.Searcher:
        """A searcher of the CURRENT generation's latest commit (tried three times: a rebuild
        may swap and delete the generation while it is reloaded)."""
        with self._lock:
            for _ in range(3):
                try:
                    if self._current() != self._gen:
                        self._gen, self._index = self._open_current()
                    self._index.reload()
                    return self._index.searcher()
                except BaseException as exc:
                    _reraise_interrupts(exc)
                    self.close()
                    error = exc
        if isinstance(error, IndexUnavailableError):
            raise error
        raise IndexUnavailableError(f"cannot read the index: {error!r}") from error

    def close(self) -> None:
        with self._lock:
            self._index = self._gen = None

    # writing ---------------------------------------------------------------------------------

    def _writer(self, deadline: float):
        """(index, writer) of the CURRENT generation, retried with backoff until the deadline."""
        delay = 0.01
        while True:
            name, index = self._open_current()
            try:
                writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:
                if not _busy(exc):
                    raise IndexUnavailableError(f"cannot write the index: {exc!r}") from exc
                if time.monotonic() >= deadline:  # another writer, maybe in another process
                    raise IndexBusyError(f"index busy for {self.writer_timeout:g} s") from exc
            else:
                if self._current() == name:
                    return index, writer
                del writer  # a rebuild swapped generations meanwhile
                continue
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.2)

    def _write(self, apply) -> None:
        """Run apply(index, writer): commit (and wait for the merges) unless it returns False,
        roll back if it raises."""
        index, writer = self._writer(time.monotonic() + self.writer_timeout)
        try:
            changed = apply(index, writer)
        except BaseException:
            writer.rollback()
            raise
        if changed is False:
            writer.rollback()
            return
        writer.commit()
        writer.wait_merging_threads()

    def add_deck(self, slides: list[SlideDoc]) -> None:
        lecture_id, docs = single_lecture(slides), [document(s) for s in slides]

        def apply(index, writer):
            writer.delete_documents_by_term("lecture", lecture_id)
            for doc in docs:
                writer.add_document(doc)

        self._write(apply)

    def remove_deck(self, lecture_id: int) -> None:
        self._write(lambda index, writer: writer.delete_documents_by_term("lecture", lecture_id))

    def update_meta(self, lecture_id: int, meta: TalkMeta) -> int:
        """Re-add the talk's stored slides with the new fields, read under the writer lock."""
        count = 0

        def apply(index, writer):
            nonlocal count
            index.reload()
            docs = _lecture_docs(index.searcher(), lecture_id)
            if not docs:
                return False
            writer.delete_documents_by_term("lecture", lecture_id)
            for doc in docs:
                writer.add_document(document(meta.apply(doc)))
            count = len(docs)
            return True

        self._write(apply)
        return count

    def rebuild(
        self, docs: Iterable[SlideDoc], progress: Progress | None = None, *, procs: int = 1
    ) -> int:
        """Index docs into a fresh generation, then swap it in holding the old one's writer."""
        with generations.file_lock(self.directory / "REBUILD"):
            old = generations.live_or_none(self.directory)
            generations.remove_generations(self.directory, keep=old)  # crashed rebuilds
            path = generations.new_generation(self.directory)
            try:
                count = _build(path, docs, progress, procs)
                self._swap(old, path.name)
            except BaseException:
                generations.remove_generations(self.directory, keep=self._live())
                raise
        return count

    def _live(self) -> str | None:
        return generations.live_or_none(self.directory)

    def _swap(self, old: str | None, new: str) -> None:
        """Point CURRENT at new holding old's writer lock (a writer of old finishes first,
        later ones see the new CURRENT), then drop the older generations."""
        writer = self._lock_generation(old) if old is not None else None
        try:
            generations.write_pointer(self.directory, new, SCHEMA_VERSION)
        finally:
            del writer
        self.close()
        generations.remove_generations(self.directory, keep=new)

    def _lock_generation(self, name: str):
        """A writer holding the generation's lock (None: it is unreadable, nobody writes it;
        or still busy after writer_timeout)."""
        deadline = time.monotonic() + self.writer_timeout
        while time.monotonic() < deadline:
            try:
                index = tantivy.Index.open(str(self.directory / name))
                return index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except BaseException as exc:
                _reraise_interrupts(exc)
                if not _busy(exc):
                    return None
                time.sleep(0.02)
        return None

    # reading ---------------------------------------------------------------------------------

    def find(self, tree, request: SearchQuery) -> Found:
        query = search_query(tree, request)
        searcher = self._searcher()
        if request.sort == "date" or tree is None:
            result = searcher.search(
                query,
                limit=request.per_page,
                offset=request.offset,
                order_by_field="order",
                order=Order.Desc,
            )
            addresses = [(0.0, address) for _, address in result.hits]
        else:
            result, addresses = _best(searcher, query, request.limit)
            addresses = addresses[request.offset :]
        rows = [(score, _doc(searcher, address)) for score, address in addresses]
        return Found(result.count, rows)

    def indexed_decks(self) -> dict[int, int]:
        return _decks(self._searcher())

    def check(self) -> IndexStatus:
        def read(name: str) -> IndexStatus:
            index = self._open(name)
            index.reload()
            searcher = index.searcher()
            _probe(searcher)
            return IndexStatus("ok", _decks(searcher), searcher.num_docs)

        return generations.check_live(self.directory, SCHEMA_VERSION, read)


def _reraise_interrupts(exc: BaseException) -> None:
    """tantivy's panics arrive as pyo3's PanicException (a BaseException): treat them as
    errors, but let Ctrl+C and exits through."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _busy(exc: BaseException) -> bool:
    """tantivy's "another IndexWriter holds the lock" (a ValueError naming LockBusy)."""
    return "LockBusy" in str(exc)


def _doc(searcher: tantivy.Searcher, address) -> SlideDoc:
    return unpack(json.loads(bytes(searcher.doc(address)["data"][0])))


def _best(searcher: tantivy.Searcher, query: Query, limit: int):
    """(result, [(score, address)] of the `limit` best, score desc then newest first).

    Enough is fetched that every document tying with the last one kept is among them, so
    the order of ties does not depend on tantivy's segments."""
    fetch = limit
    while True:
        result = searcher.search(query, limit=fetch)
        hits = result.hits
        if len(hits) < fetch or hits[-1][0] < hits[limit - 1][0]:
            break
        fetch *= 4
    orders = searcher.fast_field_values("order", [a for _, a in hits]) if hits else []
    ranked = sorted(zip(hits, orders, strict=True), key=lambda h: (-h[0][0], -(h[1] or 0)))
    return result, [hit for hit, _ in ranked[:limit]]


def _lecture_docs(searcher: tantivy.Searcher, lecture_id: int) -> list[SlideDoc]:
    query = Query.term_query(SCHEMA, "lecture", lecture_id)
    result = searcher.search(query, limit=max(1, searcher.num_docs))
    return sorted((_doc(searcher, a) for _, a in result.hits), key=lambda d: d.slide)


def _decks(searcher: tantivy.Searcher) -> dict[int, int]:
    decks = {}
    for term, count in searcher.terms_with_prefix("deck", "", filter_query=Query.all_query()):
        if count:
            lecture, courseware = term.split(":")
            decks[int(lecture)] = int(courseware)
    return decks


def _probe(searcher: tantivy.Searcher) -> None:
    """Read the first and the last stored document (the term dictionary is read by _decks);
    raises if anything is broken."""
    result = searcher.search(Query.all_query(), limit=1, order_by_field="order")
    last = searcher.search(Query.all_query(), limit=1, order_by_field="order", order=Order.Asc)
    for _, address in result.hits + last.hits:
        _doc(searcher, address)


def _build(path: Path, docs: Iterable[SlideDoc], progress: Progress | None, procs: int) -> int:
    index = tantivy.Index(SCHEMA, path=str(path))
    writer = index.writer(heap_size=BUILD_HEAP, num_threads=max(1, procs))
    count = 0
    try:
        for doc in docs:
            writer.add_document(document(doc))
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    except BaseException:
        writer.rollback()
        raise
    writer.commit()
    writer.wait_merging_threads()
    if progress is not None:
        progress(count)
    return count
