"""Configuration, migrations and the database set-up."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lecturehub import create_app
from lecturehub.config import ConfigError, load_config
from lecturehub.extensions import db
from tests.conftest import ON_POSTGRES


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="LECTUREHUB_SECRET_KEY"):
        create_app({"ENV": "production", "STORAGE_DIR": str(tmp_path)})


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = create_app({"STORAGE_DIR": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"STORAGE_DIR": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64


def test_environment_overrides_defaults_and_instance_file(tmp_path, monkeypatch):
    (tmp_path / "lecturehub.cfg").write_text("TALK_LIMIT_SECONDS = 1800\nRATING_MIN_COUNT = 3\n")
    monkeypatch.setenv("LECTUREHUB_STORAGE_DIR", str(tmp_path))
    monkeypatch.setenv("LECTUREHUB_RATING_MIN_COUNT", "4")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/lh")
    config = load_config()
    assert (config["TALK_LIMIT_SECONDS"], config["RATING_MIN_COUNT"]) == (1800, 4)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@db/lh"
    assert config["FILES_DIR"] == str(tmp_path.resolve() / "files")


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_the_suite_runs_on_the_database_it_was_given(app, db):
    """`DATABASE_URL=postgresql+psycopg://…` runs every test on PostgreSQL (see conftest)."""
    assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's pragmas: this run is on PostgreSQL")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_init_is_non_interactive_with_admin_and_password(tmp_path):
    app = create_app({"TESTING": True, "STORAGE_DIR": str(tmp_path)})
    result = app.test_cli_runner().invoke(
        args=["init", "--admin", "kongr", "--password", "secret-pass"]
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        roles = (
            conn.execute(
                text(
                    "SELECT role FROM user_roles JOIN users ON users.id = user_id "
                    "WHERE login = 'kongr'"
                )
            )
            .scalars()
            .all()
        )
        series = conn.execute(text("SELECT name FROM series ORDER BY id")).scalars().all()
    assert sorted(roles) == ["admin", "member"]
    assert series == ["每周两课", "每周两操"]
    again = app.test_cli_runner().invoke(args=["init"])
    assert again.exit_code == 0
