"""The search engine wrapper: the only package that imports a search engine (whoosh, tantivy,
or the SQL of the postgres engine) or jieba.

The rest of the app uses this interface (``SlideIndex``: add_deck, remove_deck, update_meta,
search, rebuild, check), opened with ``open_index(name, ...)``, and never an engine, so the
engines are interchangeable (``LECTUREHUB_SEARCH_ENGINE``). Pure: no Flask, no app database
session (the postgres engine is handed a SQLAlchemy engine by the service layer). Whatever
reaches into whoosh's private internals (``topk``, the fast path) stays inside this package
and is tested on every run (tests/search/test_fast_path).

Modules: ``base`` (documents, the request, results, the Engine protocol), ``text`` (the exact
CJK bigram stream), ``syntax`` (the users' query syntax), ``highlight`` (snippets),
``engines`` (SlideIndex, open_index), ``generations`` (swapping index directories); the
whoosh engine in ``core``, ``analyzers``, ``query``, ``topk`` and ``phrases``; the tantivy
engine in ``tantivy_engine`` and ``tantivy_query``; the postgres engine in
``postgres_engine`` and ``postgres_sql``.
"""

from lecturehub.search.index.base import (
    Hit,
    IndexBusyError,
    IndexStatus,
    IndexUnavailableError,
    QueryError,
    SearchQuery,
    SearchResult,
    SlideDoc,
    TalkMeta,
    group_by_lecture,
)
from lecturehub.search.index.engines import (
    DEFAULT_ENGINE,
    ENGINES,
    SlideIndex,
    engine_problem,
    open_index,
)

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Hit",
    "IndexBusyError",
    "IndexStatus",
    "IndexUnavailableError",
    "QueryError",
    "SearchQuery",
    "SearchResult",
    "SlideDoc",
    "SlideIndex",
    "TalkMeta",
    "engine_problem",
    "open_index",
    "group_by_lecture",
]
