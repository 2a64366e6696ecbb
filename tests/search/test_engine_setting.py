"""LECTUREHUB_SEARCH_ENGINE: whoosh by default; an engine that cannot run here stops the start
with the reason in Chinese."""

from __future__ import annotations

import pytest
from flask_migrate import stamp

from lecturehub import create_app
from lecturehub.config import ConfigError
from lecturehub.search import services


def test_whoosh_is_the_default_engine(tmp_path):
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    assert app.config["SEARCH_ENGINE"] == "whoosh"


def test_the_setting_comes_from_the_environment(tmp_path, monkeypatch, engine_name):
    monkeypatch.setenv("LECTUREHUB_SEARCH_ENGINE", engine_name)
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    assert app.config["SEARCH_ENGINE"] == engine_name


@pytest.mark.parametrize(
    ("engine", "url", "message"),
    [
        (
            "lucene",
            None,
            "未知的搜索引擎“lucene”：LECTUREHUB_SEARCH_ENGINE 只能是 whoosh、tantivy、postgres。",
        ),
        (
            "postgres",
            "sqlite:///x.sqlite",
            "搜索引擎 postgres 需要 PostgreSQL 数据库：请把 DATABASE_URL 设为 postgresql+psycopg://…。",
        ),
    ],
)
def test_an_engine_that_cannot_run_refuses_to_start(tmp_path, engine, url, message):
    config = {"TESTING": True, "STORAGE_DIR": str(tmp_path), "SEARCH_ENGINE": engine}
    if url:
        config["SQLALCHEMY_DATABASE_URI"] = url
    with pytest.raises(ConfigError) as error:
        create_app(config)
    assert str(error.value) == message


def test_migrations_leave_the_engines_own_tables_alone(app, runner):
    """Autogenerate ignores the postgres engine's table: it proposes nothing after the index
    was created (on every engine; only postgres keeps a table)."""
    services.get_index()
    stamp()
    result = runner.invoke(args=["db", "check"])
    assert (result.exit_code, result.output) == (0, "")
