"""Backup fixtures: a source app on a migrated database with a small township in it, and an
empty target (a storage directory, and on PostgreSQL an empty database of its own)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from lecturehub import create_app, setup_data
from lecturehub.attendance import signin
from lecturehub.extensions import db
from tests.conftest import ON_POSTGRES, scratch_database
from tests.factories import make_user
from tests.factories.ratings import SIX, attendee, make_talk, rate_many, recent_talk
from tests.factories.search import deck, upload_deck


def migrated_app(storage: Path, database_url: str | None = None, **overrides):
    """An app whose database is built by the migrations (a backup records their revision).
    Not TESTING: the secret key is generated into the storage, as on a real server."""
    config = {"STORAGE_DIR": str(storage), "SERVER_NAME": None, "WTF_CSRF_ENABLED": True}
    config.update(overrides)
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url
    return create_app(config)


@pytest.fixture
def source(tmp_path):
    app = migrated_app(tmp_path / "source")
    with app.app_context():
        setup_data.upgrade_database()
        setup_data.ensure_reference_data()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def township(source, tmp_path):
    """Users, sessions, talks with decks (two versions of one; indexed), sign-ins, ratings."""
    admin = make_user("boss", "孔锐", roles=["admin"])
    held = make_talk(dt.datetime(2026, 10, 12, 19), speaker=admin, title="全民健身与乡村文化振兴")
    upload_deck(held, deck(tmp_path, ["全面推进乡村振兴战略", "全民健身"]), admin)
    upload_deck(held, deck(tmp_path, ["全面推进乡村振兴战略", "第二版"]), admin)
    rate_many(held, SIX, comments=["案例很贴近我们乡的实际"])
    recent = recent_talk(2, title="防汛工作")
    upload_deck(recent, deck(tmp_path, ["防汛演练", "防汛物资"]), admin)
    late = attendee(recent, late=True)
    signin.record_signin(held.session, late, held.session.starts_at)
    return SimpleNamespace(admin=admin, held=held, recent=recent)


@pytest.fixture
def target_url(request):
    """On PostgreSQL an empty database of its own for the restore; None on SQLite (the
    target storage directory's own file)."""
    if not ON_POSTGRES:
        yield None
        return
    with scratch_database(request.getfixturevalue("_pg_server"), "lh_restore") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def target(tmp_path, target_url):
    app = migrated_app(tmp_path / "target", target_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
