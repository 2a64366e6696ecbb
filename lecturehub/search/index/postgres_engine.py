"""The postgres engine: the slide index as a table in the application's PostgreSQL database,
so every app server sees every write at once (and PostgreSQL replicates and backs it up).

One row per slide in ``search_slides_v<SCHEMA_VERSION>``:

* ``grams``: a tsvector of the distinct tokens of text.gram_terms (no positions), with a GIN
  index. A literal of one token (防汛, 5g, a lone character as the prefix ``'党':*``) matches
  exactly through it; a longer literal needs all of its tokens there (the index narrows) and
  ``norm LIKE '%<text.literal_pattern>%'`` (the exact check, over text.normalized), so the
  matches are those of whoosh and tantivy.
* ``ranks``: the tokens with positions, title tokens weighted A, for ts_rank. Relevance ranks
  every match when at most RANK_CAP slides match; beyond that (a generic word on thousands of
  slides) the matches come newest first, as ranking them all would take too long.
* the filters as columns, ``ord`` (order key: newest first), and ``doc``, the SlideDoc.

The big columns are stored out of line (toast_tuple_target), so a count or a filter reads a
narrow table (17 MB for 100,000 slides); the exact check reads ``norm`` of the candidates only.
When many slides match, the page is read newest first along the ``ord`` index (the match is
then checked row by row) rather than all matches gathered and sorted. The table is derived data owned by this engine, like the whoosh directory: it is
created on first use, and rebuild() fills ``<table>_new`` beside the live one and swaps the
names in one transaction (a deck written during the rebuild may go with the old table:
callers reconcile afterwards). Not an Alembic migration: it exists only on PostgreSQL, only for
this engine, and changes with the analysis (SCHEMA_VERSION), not with the app's models.

Writes take a transaction-level advisory lock per talk (two writers of one talk do not
interleave) and wait at most writer_timeout for locks. The engine is handed a SQLAlchemy engine
(the app's, or one made from a URL); it never imports the app.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice

from sqlalchemy.exc import DBAPIError, OperationalError

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
from lecturehub.search.index.postgres_sql import (
    BATCH,
    COLUMNS,
    LOCK_CLASS,
    RANK_CAP,
    TABLE,
    TABLE_RE,
    VALUES,
    ddl,
    indexes,
    row,
    where_clause,
)

# The engine ----------------------------------------------------------------------------------


class PostgresEngine:
    name = "postgres"

    def __init__(self, bind, *, writer_timeout: float = 10.0, rank_cap: int = RANK_CAP):
        if bind is None or bind.dialect.name != "postgresql":
            raise ValueError("the postgres search engine needs a PostgreSQL database")
        self.bind = bind
        self.reader = bind.execution_options(isolation_level="AUTOCOMMIT")  # no BEGIN/COMMIT
        self.writer_timeout = writer_timeout
        self.rank_cap = rank_cap
        with self._transaction() as conn:
            if not self._exists(conn, TABLE):
                self._create(conn, TABLE)

    # connections -----------------------------------------------------------------------------

    def _transaction(self):
        return self.bind.begin()

    def _write_transaction(self, conn, lecture_id: int) -> None:
        timeout = max(1, int(self.writer_timeout * 1000))
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {timeout}")
        conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(%(c)s, %(k)s)", {"c": LOCK_CLASS, "k": lecture_id}
        )

    @staticmethod
    def _exists(conn, table: str) -> bool:
        return conn.exec_driver_sql("SELECT to_regclass(%(t)s)", {"t": table}).scalar() is not None

    @staticmethod
    def _create(conn, table: str) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, -2)")  # one creator
        for statement in ddl(table) + indexes(table):
            conn.exec_driver_sql(statement)

    def close(self) -> None:
        """Nothing to release: connections belong to the SQLAlchemy engine's pool."""

    def _run(self, work, read: bool = False):
        """work(conn) in a transaction (each statement on its own when reading); lock
        timeouts become IndexBusyError, a missing or broken table IndexUnavailableError."""
        try:
            with self.reader.connect() if read else self._transaction() as conn:
                return work(conn)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
                raise IndexBusyError(f"index busy for {self.writer_timeout:g} s") from exc
            raise IndexUnavailableError(f"cannot use the index: {exc.orig!r}") from exc
        except DBAPIError as exc:
            raise IndexUnavailableError(f"cannot use the index: {exc.orig!r}") from exc

    # writing ---------------------------------------------------------------------------------

    def add_deck(self, slides: list[SlideDoc]) -> None:
        lecture_id, rows = single_lecture(slides), [row(s) for s in slides]

        def work(conn):
            self._write_transaction(conn, lecture_id)
            conn.exec_driver_sql(f"DELETE FROM {TABLE} WHERE lecture_id = %(l)s", {"l": lecture_id})
            conn.exec_driver_sql(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({VALUES})", rows)

        self._run(work)

    def remove_deck(self, lecture_id: int) -> None:
        def work(conn):
            self._write_transaction(conn, lecture_id)
            conn.exec_driver_sql(f"DELETE FROM {TABLE} WHERE lecture_id = %(l)s", {"l": lecture_id})

        self._run(work)

    def update_meta(self, lecture_id: int, meta: TalkMeta) -> int:
        """The talk's stored slides with the new fields, re-analysed (the talk title ranks)."""

        def work(conn):
            self._write_transaction(conn, lecture_id)
            docs = [
                meta.apply(unpack(json.loads(d)))
                for d in conn.exec_driver_sql(
                    f"SELECT doc FROM {TABLE} WHERE lecture_id = %(l)s ORDER BY slide",
                    {"l": lecture_id},
                ).scalars()
            ]
            if docs:
                conn.exec_driver_sql(
                    f"DELETE FROM {TABLE} WHERE lecture_id = %(l)s", {"l": lecture_id}
                )
                rows = [row(d) for d in docs]
                conn.exec_driver_sql(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({VALUES})", rows)
            return len(docs)

        return self._run(work)

    def rebuild(
        self, docs: Iterable[SlideDoc], progress: Progress | None = None, *, procs: int = 1
    ) -> int:
        """Fill <table>_new, index it, then swap the names in one transaction."""
        new = f"{TABLE}_new"
        with self.bind.connect() as lock_conn:
            lock_conn.exec_driver_sql(f"SELECT pg_advisory_lock({LOCK_CLASS}, -1)")
            try:
                count = self._fill(new, docs, progress)
                self._swap(new)
            finally:
                lock_conn.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK_CLASS}, -1)")
                lock_conn.commit()
        return count

    def _fill(self, new: str, docs: Iterable[SlideDoc], progress: Progress | None) -> int:
        with self._transaction() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {new}")
            for statement in ddl(new):
                conn.exec_driver_sql(statement)
        count, docs = 0, iter(docs)
        while batch := list(islice(docs, BATCH)):
            with self._transaction() as conn:
                sql = f"INSERT INTO {new} ({COLUMNS}) VALUES ({VALUES})"
                conn.exec_driver_sql(sql, [row(d) for d in batch])
            count += len(batch)
            if progress is not None:
                progress(count)
        with self._transaction() as conn:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in indexes(new):
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql(f"ANALYZE {new}")
        if progress is not None and count == 0:
            progress(0)
        return count

    def _swap(self, new: str) -> None:
        with self._transaction() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
            conn.exec_driver_sql(f"ALTER TABLE {new} RENAME TO {TABLE}")
            for suffix in ("grams", "ord"):
                conn.exec_driver_sql(f"ALTER INDEX {new}_{suffix} RENAME TO {TABLE}_{suffix}")
            for old in self._other_tables(conn):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {old}")

    @staticmethod
    def _other_tables(conn) -> list[str]:
        """Tables of other schema versions (their rebuilds' leftovers too)."""
        names = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename LIKE 'search\\_slides\\_v%%'"
        ).scalars()
        return [n for n in names if TABLE_RE.match(n) and n not in (TABLE, f"{TABLE}_new")]

    # reading ---------------------------------------------------------------------------------

    def find(self, tree, request: SearchQuery) -> Found:
        where, params, rank_query = where_clause(tree, request)

        def work(conn):
            total = conn.exec_driver_sql(
                f"SELECT count(*) FROM {TABLE} WHERE {where}", params
            ).scalar()
            many = total > self.rank_cap
            score, order = "0.0", "ord DESC"
            if request.sort == "relevance" and rank_query and not many:
                params["rank"] = rank_query
                score, order = "ts_rank(ranks, %(rank)s::tsquery)", "score DESC, ord DESC"
            sql = (
                f"SELECT {score} AS score, doc FROM {TABLE} WHERE {where}"
                f" ORDER BY {order} LIMIT {request.per_page} OFFSET {request.offset}"
            )
            page = self._newest_first(sql, params) if many else conn.exec_driver_sql(sql, params)
            return Found(total, [(float(s), unpack(json.loads(d))) for s, d in page])

        return self._run(work, read=True)

    def _newest_first(self, sql: str, params: dict) -> list:
        """Many matches: read them newest first along the ord index, each row checked, and
        stop at the page (the planner, misled by the LIKE's estimate, would gather them all)."""
        with self._transaction() as conn:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            return conn.exec_driver_sql(sql, params).all()

    def indexed_decks(self) -> dict[int, int]:
        def work(conn):
            rows = conn.exec_driver_sql(
                f"SELECT DISTINCT lecture_id, courseware_id FROM {TABLE}"
            ).all()
            return dict(rows)

        return self._run(work, read=True)

    def check(self) -> IndexStatus:
        try:
            with self._transaction() as conn:
                if not self._exists(conn, TABLE):
                    return IndexStatus("missing", detail=f"no table {TABLE}")
                decks = dict(
                    conn.exec_driver_sql(
                        f"SELECT DISTINCT lecture_id, courseware_id FROM {TABLE}"
                    ).all()
                )
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar()
                conn.exec_driver_sql(  # every column, the exact check and the GIN index
                    f"SELECT {COLUMNS} FROM {TABLE} WHERE grams @@ 'a'::tsquery"
                    " AND norm LIKE '%%a%%' ORDER BY ord DESC LIMIT 1"
                ).all()
            return IndexStatus("ok", decks, count)
        except DBAPIError as exc:
            first_line = (str(exc.orig).splitlines() or [""])[0]
            return IndexStatus("corrupt", detail=f"{type(exc.orig).__name__}: {first_line}")
