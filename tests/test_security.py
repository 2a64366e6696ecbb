"""Headers, cookies and file modes that make a production site hard to misuse."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from lecturehub import create_app
from lecturehub.config import load_config
from lecturehub.extensions import db
from tests.conftest import ON_POSTGRES, csrf_token, make_app
from tests.factories import PASSWORD, make_user

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert (
        response.headers["Content-Security-Policy"],
        response.headers["X-Content-Type-Options"],
        response.headers["Referrer-Policy"],
        response.headers["X-Frame-Options"],
    ) == (POLICY, "nosniff", "same-origin", "SAMEORIGIN")


# The HTML part of e-mails: mail clients need inline styles, and no page serves it.
MAIL_BODIES = {"notifications/email.html"}


def test_templates_have_no_inline_script_handler_or_style():
    """The policy allows none; a template that adds one breaks in the browser. Scripts go in
    lecturehub/static/js/ and behaviours are asked for with data- attributes."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", re.I)
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).as_posix() not in MAIL_BODIES
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def _login_cookies(app) -> list[str]:
    with app.app_context():
        make_user("zhangsan")
        client = app.test_client()
        form = {"login": "zhangsan", "password": PASSWORD, "remember": "y"}
        response = client.post("/login", data={**form, "csrf_token": csrf_token(client)})
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302
    return response.headers.getlist("Set-Cookie")


def test_production_cookies_are_secure_httponly_and_lax(tmp_path):
    app = make_app(tmp_path / "storage", ENV="production", SECRET_KEY="k" * 64)
    cookies = _login_cookies(app)
    assert sorted(c.split("=", 1)[0] for c in cookies) == ["remember_token", "session"]
    for cookie in cookies:
        assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in cookie.split(";")}


def test_insecure_cookies_for_an_intranet_without_https(tmp_path, monkeypatch):
    monkeypatch.setenv("LECTUREHUB_INSECURE_COOKIES", "1")
    monkeypatch.setenv("LECTUREHUB_ENV", "production")
    config = load_config({"STORAGE_DIR": str(tmp_path)})
    assert (config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]) == (False, False)
    app = make_app(tmp_path / "storage", ENV="production", SECRET_KEY="k" * 64)
    for cookie in _login_cookies(app):
        assert "Secure" not in {p.strip() for p in cookie.split(";")}


def test_development_cookies_are_not_secure(tmp_path):
    config = load_config({"STORAGE_DIR": str(tmp_path)})
    assert (config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]) == (False, False)


@posix_only
def test_the_secret_key_database_and_folders_are_private(tmp_path):
    storage = tmp_path / "storage"
    app = create_app({"STORAGE_DIR": str(storage)})  # no TESTING: the key is written to disk
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init", "--admin", "kongr", "--password", PASSWORD]).exit_code == 0
    with app.app_context():
        db.session.execute(db.text("SELECT count(*) FROM users"))  # WAL files exist while open
        modes = {p.name: _mode(p) for p in [storage, *storage.iterdir()]}
        db.session.remove()
        db.engine.dispose()
    expected = {"storage": 0o700, "secret_key": 0o600, "files": 0o700, "index": 0o700}
    if not ON_POSTGRES:
        expected |= {"lecturehub.sqlite": 0o600, "lecturehub.sqlite-wal": 0o600}
        expected |= {"lecturehub.sqlite-shm": 0o600}
    assert {name: oct(modes.get(name, 0)) for name in expected} == {
        name: oct(mode) for name, mode in expected.items()
    }


@posix_only
def test_files_made_world_readable_by_an_older_version_are_tightened(tmp_path):
    storage = tmp_path / "storage"
    (storage / "files").mkdir(parents=True, mode=0o755)
    (storage / "secret_key").write_text("s" * 64)
    os.chmod(storage / "secret_key", 0o644)
    os.chmod(storage / "files", 0o755)
    app = create_app({"STORAGE_DIR": str(storage)})
    assert app.config["SECRET_KEY"] == "s" * 64
    assert (_mode(storage / "secret_key"), _mode(storage / "files")) == (0o600, 0o700)


@posix_only
def test_an_uploaded_deck_is_stored_private(app, tmp_path):
    from tests import pptx_factory
    from tests.factories.courseware import make_lecture, upload

    speaker = make_user("speaker")
    deck = pptx_factory.build_deck(tmp_path / "deck.pptx", ["乡村振兴", "第二页"])
    key = upload(make_lecture(speaker), deck, speaker)[0].sha256
    path = Path(app.config["FILES_DIR"]) / key[:2] / key[2:4] / key
    folders = [path.parent, path.parent.parent, Path(app.config["FILES_DIR"])]
    assert (_mode(path), [_mode(f) for f in folders]) == (0o600, [0o700] * 3)
