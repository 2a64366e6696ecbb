"""Search fixtures: every test once per engine present, an admin who uploads, two talks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lecturehub.extensions import db as _db
from tests.conftest import make_app
from tests.factories import make_user
from tests.factories.search import talk_with_deck
from tests.search.engines import ENGINES, open_test_index


@pytest.fixture
def admin(app):
    return make_user("boss", "孔锐", roles=["admin"])


@pytest.fixture
def two_talks(admin, tmp_path):
    """乡村振兴 (2024-03-04, speaker 孔锐): 全面推进乡村振兴战略 | 防汛预案;
    防汛工作 (2024-05-06, no speaker): 防汛演练 | 防汛物资 | 低保."""
    a = talk_with_deck(
        tmp_path,
        admin,
        ["全面推进乡村振兴战略", "防汛预案"],
        title="乡村振兴",
        speaker=admin,
        day=dt.date(2024, 3, 4),
    )
    b = talk_with_deck(
        tmp_path, admin, ["防汛演练", "防汛物资", "低保"], title="防汛工作", day=dt.date(2024, 5, 6)
    )
    return a, b


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    """Each search test runs on every engine present (tests/search/engines.py)."""
    return request.param


@pytest.fixture
def app(tmp_path, engine_name):
    """The app on the engine of this run of the test."""
    app = make_app(tmp_path / "storage", SEARCH_ENGINE=engine_name)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def new_index(engine_name, tmp_path):
    """new_index(directory=tmp_path / "index", **options): an index of this run's engine
    (postgres: in the test's database, whatever the directory). Closed after the test."""
    opened = []

    def new(directory: Path | None = None, **options):
        index = open_test_index(engine_name, directory or tmp_path / "index", **options)
        opened.append(index)
        return index

    yield new
    for index in opened:
        index.close()
