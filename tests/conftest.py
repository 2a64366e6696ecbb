"""Shared fixtures: an app on a temporary storage dir, a client, a CLI runner, sign-in helpers,
and service_error() for the refusals of our services."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lecturehub import create_app
from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db as _db
from lecturehub.setup_data import ensure_reference_data

PASSWORD = "password123"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


# With DATABASE_URL naming a PostgreSQL server (`.ci/run` starts one), every test gets a
# database of its own, created empty before the test and dropped after it; DATABASE_URL then
# names that database for every app the test creates, in this process and in the processes
# it starts. Without it, every test has SQLite in its temporary storage directory.
SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = bool(SERVER_URL) and make_url(SERVER_URL).get_backend_name() == "postgresql"


@pytest.fixture(scope="session")
def _pg_server():
    engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@contextmanager
def scratch_database(server, prefix: str):
    """An empty PostgreSQL database on the test server for the block, dropped after it."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL).set(database=name)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(autouse=True)
def _database_per_test(request, monkeypatch):
    if not ON_POSTGRES:
        yield None
        return
    with scratch_database(request.getfixturevalue("_pg_server"), "lh_test") as url:
        monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
        yield url


def make_app(storage: Path, **overrides):
    config = {"TESTING": True, "STORAGE_DIR": str(storage), "SERVER_NAME": None}
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        ensure_reference_data()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "storage")
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of this client's session, read from a page like a browser would."""
    response = client.get(path, follow_redirects=True)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def service_error(call) -> ServiceError:
    """The ServiceError that ``call()`` raises; the test fails when it raises none."""
    with pytest.raises(ServiceError) as info:
        call()
    return info.value


class Auth:
    """Sign in and out through the real login form (with its CSRF token)."""

    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = PASSWORD, follow: bool = False):
        token = csrf_token(self.client)
        return self.client.post(
            "/login",
            data={"login": login, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client)})

    def post(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with this session's CSRF token added."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)
