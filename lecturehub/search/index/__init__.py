"""The search engine wrapper: the only package that imports whoosh or jieba.

The rest of the app uses this interface (``SlideIndex``: add_deck, remove_deck, search,
rebuild, check) and never whoosh, so another engine can be added without touching callers.
Pure: no Flask, no database. Whatever reaches into whoosh's private internals (``topk``, the
fast path) stays inside this package and is tested on every run (tests/search/test_fast_path).

Modules: ``core`` (the on-disk index, writers, searcher, rebuild and check), ``analyzers``
(exact CJK bigrams + jieba, the schema), ``query`` (the users' query syntax, highlighting),
``topk`` and ``phrases`` (an exact fast path for relevance-sorted queries).
"""

from lecturehub.search.index.core import (
    SCHEMA_VERSION,
    Hit,
    IndexBusyError,
    IndexStatus,
    IndexUnavailableError,
    QueryError,
    SearchResult,
    SlideDoc,
    SlideIndex,
    group_by_lecture,
)

__all__ = [
    "SCHEMA_VERSION",
    "Hit",
    "IndexBusyError",
    "IndexStatus",
    "IndexUnavailableError",
    "QueryError",
    "SearchResult",
    "SlideDoc",
    "SlideIndex",
    "group_by_lecture",
]
