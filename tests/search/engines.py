"""The engines present in this run, and how tests open, share and break their indexes.

whoosh always; tantivy when it is installed (the `tantivy` extra, part of `test`); postgres when
the run is on PostgreSQL (DATABASE_URL, see tests/conftest.py): its index then lives in the
test's own database. Every search test runs once per engine present.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lecturehub.search.index import SlideIndex, open_index
from tests.conftest import ON_POSTGRES, SERVER_URL

ENGINES = [
    "whoosh",
    *(["tantivy"] if importlib.util.find_spec("tantivy") else []),
    *(["postgres"] if ON_POSTGRES else []),
]
ABSENT_REASON = (
    "tantivy comes with the test extra; postgres runs when DATABASE_URL names a PostgreSQL "
    "server (the second run of .ci/run)"
)
_binds: dict[str, object] = {}


def bind_for(url: str):
    """One SQLAlchemy engine per database URL in this process (disposed at exit)."""
    if url not in _binds:
        _binds[url] = create_engine(url, pool_size=10)
    return _binds[url]


def database_url() -> str:
    """The test's own database (tests/conftest.py sets DATABASE_URL for each test)."""
    return os.environ["DATABASE_URL"]


def open_test_index(name: str, directory: Path, url: str | None = None, **options) -> SlideIndex:
    """An index of the engine: in directory (whoosh, tantivy) or in the database at url (the
    test's own by default)."""
    if name == "postgres":
        return open_index(name, bind=bind_for(url or database_url()), **options)
    return open_index(name, directory=directory, **options)


@contextlib.contextmanager
def scratch_database():
    """A database of its own for a module-scoped index (None unless on PostgreSQL)."""
    if not ON_POSTGRES:
        yield None
        return
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    name = f"lh_test_{uuid.uuid4().hex[:16]}"
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        bind = _binds.pop(url, None)
        if bind is not None:
            bind.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def corrupt(index: SlideIndex, directory: Path | None = None) -> None:
    """Break the index the way each engine breaks: garbage files, a damaged table."""
    index.close()
    if index.name == "postgres":
        with index.engine.bind.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE search_slides_v1 DROP COLUMN norm")
        return
    for path in Path(directory).rglob("*"):
        if path.is_file() and path.name != "REBUILD":
            path.write_bytes(b"\x00garbage\xff" * 10)


def delete(index: SlideIndex, directory: Path | None = None) -> None:
    """Remove the index altogether (a deleted directory, a dropped table)."""
    import shutil

    index.close()
    if index.name == "postgres":
        with index.engine.bind.begin() as conn:
            conn.exec_driver_sql("DROP TABLE search_slides_v1")
        return
    shutil.rmtree(directory)


def index_dir(app) -> Path | None:
    """Where the app's engine keeps its files (None: postgres keeps a table)."""
    name = app.config["SEARCH_ENGINE"]
    key = {"whoosh": "INDEX_DIR", "tantivy": "TANTIVY_INDEX_DIR"}.get(name)
    return Path(app.config[key]) if key else None


def index_exists(app) -> bool:
    """Has the app's index been created (opening it creates it)?"""
    directory = index_dir(app)
    if directory is not None:
        return directory.is_dir() and any(directory.iterdir())
    from lecturehub.extensions import db
    from lecturehub.search.index.postgres_sql import TABLE

    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT to_regclass(%(t)s)", {"t": TABLE}).scalar() is not None


def only(*names: str):
    """Run a test on these engines only (those present in this run)."""
    import pytest

    absent = pytest.mark.skip(reason=f"engine not in this run: {ABSENT_REASON}")
    params = [pytest.param(n, marks=() if n in ENGINES else absent) for n in names]
    return pytest.mark.parametrize("engine_name", params, indirect=True)
