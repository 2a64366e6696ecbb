"""Settings: defaults, then the instance file, then LECTUREHUB_* variables, then overrides."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from lecturehub.config import DEFAULTS, load_config
from lecturehub.extensions import db
from tests.conftest import csrf_token, make_app
from tests.factories import PASSWORD, make_user


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """No LECTUREHUB_* variable of the caller's shell; storage in a temporary folder."""
    for key in list(os.environ):
        if key.startswith("LECTUREHUB_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("LECTUREHUB_STORAGE_DIR", str(tmp_path))
    return monkeypatch


def test_each_source_overrides_the_one_before(environ, tmp_path):
    (tmp_path / "lecturehub.cfg").write_text(
        "RATING_MIN_COUNT = 3\nRATING_WINDOW_DAYS = 10\nABSENCE_FLAG_COUNT = 4\n"
    )
    environ.setenv("LECTUREHUB_RATING_WINDOW_DAYS", "11")
    environ.setenv("LECTUREHUB_ABSENCE_FLAG_COUNT", "5")
    config = load_config({"ABSENCE_FLAG_COUNT": 6})
    assert (
        config["TALK_LIMIT_SECONDS"],
        config["RATING_MIN_COUNT"],
        config["RATING_WINDOW_DAYS"],
        config["ABSENCE_FLAG_COUNT"],
    ) == (DEFAULTS["TALK_LIMIT_SECONDS"], 3, 11, 6)


def test_lecturehub_config_names_the_instance_file(environ, tmp_path):
    (tmp_path / "lecturehub.cfg").write_text("RATING_MIN_COUNT = 3\n")
    named = tmp_path / "township.cfg"
    named.write_text("RATING_MIN_COUNT = 8\n")
    environ.setenv("LECTUREHUB_CONFIG", str(named))
    config = load_config()
    assert config["RATING_MIN_COUNT"] == 8
    assert "CONFIG" not in config


def test_environment_values_are_read_as_json(environ):
    environ.setenv("LECTUREHUB_TALK_LIMIT_SECONDS", "1800")
    environ.setenv("LECTUREHUB_SEARCH_WRITER_TIMEOUT", "2.5")
    environ.setenv("LECTUREHUB_ORG_NAME", "梅山镇")
    config = load_config()
    assert (config["TALK_LIMIT_SECONDS"], type(config["TALK_LIMIT_SECONDS"])) == (1800, int)
    assert config["SEARCH_WRITER_TIMEOUT"] == 2.5
    assert config["ORG_NAME"] == "梅山镇"


def test_text_settings_stay_text_even_when_they_read_as_json(environ):
    environ.setenv("LECTUREHUB_SECRET_KEY", "1234567890")
    environ.setenv("LECTUREHUB_SITE_NAME", "2026")
    config = load_config()
    assert (config["SECRET_KEY"], config["SITE_NAME"]) == ("1234567890", "2026")


def test_remember_me_cookie_lasts_remember_cookie_days(environ, tmp_path):
    app = make_app(tmp_path / "storage", REMEMBER_COOKIE_DAYS=7)
    with app.app_context():
        make_user("kongr")
        client = app.test_client()
        form = {"login": "kongr", "password": PASSWORD, "remember": "y"}
        response = client.post("/login", data={**form, "csrf_token": csrf_token(client)})
        db.engine.dispose()
    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    lasts = cookie.expires - dt.datetime.now(dt.UTC)
    assert round(lasts / dt.timedelta(days=1)) == 7
    assert (cookie.http_only, cookie.same_site) == (True, "Lax")


def test_remember_cookie_defaults_to_thirty_days(environ):
    config = load_config()
    assert config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(days=30)
    assert (config["REMEMBER_COOKIE_HTTPONLY"], config["REMEMBER_COOKIE_SAMESITE"]) == (True, "Lax")


def test_default_storage_is_storage_of_the_working_directory(environ, tmp_path):
    environ.delenv("LECTUREHUB_STORAGE_DIR")
    environ.chdir(tmp_path)
    config = load_config()
    assert (config["STORAGE_DIR"], config["SQLALCHEMY_DATABASE_URI"]) == (
        str(tmp_path.resolve() / "storage"),
        f"sqlite:///{tmp_path.resolve() / 'storage' / 'lecturehub.sqlite'}",
    )
