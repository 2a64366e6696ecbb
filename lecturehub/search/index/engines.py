"""The one interface the app uses (``SlideIndex``) over three engines, chosen by name.

* ``whoosh`` (default): pure Python, files in a local directory; a single township.
* ``tantivy``: the compiled engine (``pip install 'lecturehub[tantivy]'``), files in a local
  directory; one node at county scale.
* ``postgres``: tables in the application's PostgreSQL database; several app servers see
  every write at once.

Every engine matches exactly the same slides (text.literal_items): SlideIndex parses the query
once (syntax.py), hands the tree to the engine and highlights the hits itself (highlight.py).
The engine modules are imported only when that engine is opened, so importing this package
loads neither tantivy nor a database driver.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path

from lecturehub.search.index.base import (
    Engine,
    IndexStatus,
    Progress,
    SearchQuery,
    SearchResult,
    SlideDoc,
    TalkMeta,
    single_lecture,
)
from lecturehub.search.index.highlight import highlight_patterns, make_hit
from lecturehub.search.index.syntax import parse, positive_literals

ENGINES = ("whoosh", "tantivy", "postgres")
DEFAULT_ENGINE = "whoosh"


class SlideIndex:
    """The slide index of one engine: add/remove a deck, update a talk's fields, search,
    rebuild, check. Safe across threads; every engine is also safe across processes."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @property
    def name(self) -> str:
        return self.engine.name

    def add_deck(self, slides: list[SlideDoc]) -> None:
        """Replace every slide of the talk by these (one writer, one commit)."""
        single_lecture(slides)
        self.engine.add_deck(slides)

    def remove_deck(self, lecture_id: int) -> None:
        self.engine.remove_deck(lecture_id)

    def update_meta(self, lecture_id: int, meta: TalkMeta) -> int:
        """Give the talk's indexed slides its new title/speaker/department/category/date;
        returns how many slides (0: the talk has none in the index)."""
        return self.engine.update_meta(lecture_id, meta)

    def search(self, query: str | SearchQuery = "", /, **options) -> SearchResult:
        """Slides matching the query (syntax.py; QueryError if malformed), a SearchQuery or
        the text with SearchQuery's fields as keywords. A blank query lists every (filtered)
        slide, newest talk first. IndexUnavailableError when the index cannot be read."""
        request = query if isinstance(query, SearchQuery) else SearchQuery(query, **options)
        tree = parse(request.text)
        found = self.engine.find(tree, request)
        patterns = highlight_patterns(positive_literals(tree))
        hits = [make_hit(doc, score, patterns) for score, doc in found.rows]
        return SearchResult(
            total=found.total, page=request.page, per_page=request.per_page, hits=hits
        )

    def indexed_decks(self) -> dict[int, int]:
        """lecture_id -> courseware_id of every talk in the index."""
        return self.engine.indexed_decks()

    def rebuild(
        self, docs: Iterable[SlideDoc], progress: Progress | None = None, *, procs: int = 1
    ) -> int:
        """Index docs beside the live index and swap it in at the end (searches and writes go
        on meanwhile; a deck written during the rebuild may be lost: reconcile afterwards with
        indexed_decks()). progress gets the running count; procs: processes or threads."""
        return self.engine.rebuild(docs, progress, procs=procs)

    def check(self) -> IndexStatus:
        """ok / missing / corrupt (never raises)."""
        return self.engine.check()

    def close(self) -> None:
        """Release open files or connections (the next call reopens them)."""
        self.engine.close()


def engine_problem(name: str, database_url: str = "") -> str | None:
    """Why the engine cannot be used here (Chinese, for the operator), or None."""
    if name not in ENGINES:
        return f"未知的搜索引擎“{name}”：LECTUREHUB_SEARCH_ENGINE 只能是 {'、'.join(ENGINES)}。"
    if name == "tantivy" and importlib.util.find_spec("tantivy") is None:
        return (
            "搜索引擎 tantivy 没有安装：请运行 pip install 'lecturehub[tantivy]'"
            "（在源码目录中：pip install -e '.[tantivy]'）。"
        )
    if name == "postgres" and not str(database_url).startswith("postgresql"):
        return "搜索引擎 postgres 需要 PostgreSQL 数据库：请把 DATABASE_URL 设为 postgresql+psycopg://…。"
    return None


def open_index(
    name: str = DEFAULT_ENGINE,
    *,
    directory: Path | None = None,
    bind=None,
    writer_timeout: float = 10.0,
    **options,
) -> SlideIndex:
    """The index of an engine: whoosh and tantivy in `directory`, postgres through `bind` (a
    SQLAlchemy engine on PostgreSQL). options go to the engine (whoosh: fast_path,
    posting_cache)."""
    if name == "whoosh":
        from lecturehub.search.index.core import WhooshEngine

        return SlideIndex(WhooshEngine(directory, writer_timeout=writer_timeout, **options))
    if name == "tantivy":
        from lecturehub.search.index.tantivy_engine import TantivyEngine

        return SlideIndex(TantivyEngine(directory, writer_timeout=writer_timeout, **options))
    if name == "postgres":
        from lecturehub.search.index.postgres_engine import PostgresEngine

        return SlideIndex(PostgresEngine(bind, writer_timeout=writer_timeout, **options))
    raise ValueError(engine_problem(name))
