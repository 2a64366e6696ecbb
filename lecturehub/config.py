"""Configuration: defaults, then an optional instance file, then ``LECTUREHUB_*`` variables.

Flask's own loaders do the reading: ``Config.from_pyfile`` for the instance file, a Python file
of ``KEY = value`` lines (``LECTUREHUB_CONFIG`` names it, otherwise ``<storage>/lecturehub.cfg``
is read when it exists), and ``Config.from_prefixed_env`` for the variables
``LECTUREHUB_<KEY>``, whose values are parsed as JSON (``1800`` is a number, ``[1, 2]`` a list,
anything else stays text). ``DATABASE_URL`` sets the database. ``create_app(overrides)`` wins
over all of them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Config

REPO_DIR = Path(__file__).resolve().parent.parent
ENV_PREFIX = "LECTUREHUB"

DEFAULTS: dict[str, object] = {
    "ENV": "development",  # "production" refuses to start without SECRET_KEY
    "SECRET_KEY": None,
    "STORAGE_DIR": str(REPO_DIR / "storage"),
    "SQLALCHEMY_DATABASE_URI": None,  # default: sqlite:///<storage>/lecturehub.sqlite
    "SITE_NAME": "我的业务我来讲",
    "ORG_NAME": "关庙乡",
    # courseware
    "COURSEWARE_MAX_BYTES": 300 * 1024 * 1024,
    "COURSEWARE_DEADLINE_DAYS": 2,
    "COURSEWARE_DEADLINE_TIME": "18:00",
    "TALK_LIMIT_SECONDS": 3600,
    "HAN_CHARS_PER_MIN": 180,
    "ENGLISH_WORDS_PER_MIN": 130,
    # auth
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_MAX_FAILURES_PER_IP": 30,
    "REMEMBER_COOKIE_DAYS": 30,  # "记住我" on the login page; sets REMEMBER_COOKIE_DURATION
    # attendance
    "SIGNIN_OPENS_MINUTES": 30,
    "SIGNIN_CLOSES_MINUTES": 30,
    "QR_ROTATE_SECONDS": 20,
    "QR_TOKEN_MAX_AGE": 60,
    "ABSENCE_FLAG_COUNT": 3,
    # ratings
    "RATING_WINDOW_DAYS": 7,
    "RATING_MIN_COUNT": 5,
    # search
    "SEARCH_ENGINE": "whoosh",  # whoosh | tantivy (the `tantivy` extra) | postgres (PostgreSQL)
    "SEARCH_WRITER_TIMEOUT": 10.0,
    # background work (core/jobs.py)
    "WORKER_INTERVAL_SECONDS": 5.0,
    "JOBS_MAX_TRIES": 5,
    "JOBS_RETRY_SECONDS": 30,
    "JOBS_LEASE_SECONDS": 900,
}
# Kept as the text of the variable even when it reads as JSON (a secret key of digits).
TEXT_SETTINGS = {"SECRET_KEY"} | {key for key, value in DEFAULTS.items() if isinstance(value, str)}


def load_config(overrides: dict | None = None) -> Config:
    """Merge defaults, the instance file, the environment and explicit overrides (last wins)."""
    overrides = dict(overrides or {})
    config = Config(os.getcwd(), DEFAULTS)
    storage = overrides.get("STORAGE_DIR") or os.environ.get(f"{ENV_PREFIX}_STORAGE_DIR")
    storage = storage or config["STORAGE_DIR"]
    instance = os.environ.get(f"{ENV_PREFIX}_CONFIG") or Path(storage) / "lecturehub.cfg"
    config.from_pyfile(Path(instance).absolute(), silent=True)
    config.from_prefixed_env(ENV_PREFIX)
    config.pop("CONFIG", None)  # the instance file's name, not a setting
    for key in TEXT_SETTINGS:
        if f"{ENV_PREFIX}_{key}" in os.environ:
            config[key] = os.environ[f"{ENV_PREFIX}_{key}"]
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    config.update(overrides)
    return finish_config(config)


def finish_config(config: Config) -> Config:
    storage = Path(config["STORAGE_DIR"]).resolve()
    config["STORAGE_DIR"] = str(storage)
    config.setdefault("FILES_DIR", str(storage / "files"))
    config.setdefault("INDEX_DIR", str(storage / "index"))
    config.setdefault("TANTIVY_INDEX_DIR", str(storage / "index-tantivy"))
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{storage / 'lecturehub.sqlite'}"
    url = str(config["SQLALCHEMY_DATABASE_URI"])
    if url.startswith("postgres://"):  # Heroku-style URLs
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql://" + url[len("postgres://") :]
    # The web server refuses bodies over this before reading them (413).
    config.setdefault("MAX_CONTENT_LENGTH", int(config["COURSEWARE_MAX_BYTES"]) + 1024 * 1024)
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    days = dt.timedelta(days=int(config["REMEMBER_COOKIE_DAYS"]))
    config.setdefault("REMEMBER_COOKIE_DURATION", days)  # read by Flask-Login
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("JSON_AS_ASCII", False)
    check_search_engine(config)
    return config


def check_search_engine(config: Config) -> None:
    """SEARCH_ENGINE must name an engine that works here (installed, on its database)."""
    from lecturehub.search.index.engines import engine_problem  # pure; loads no engine

    problem = engine_problem(str(config["SEARCH_ENGINE"]), config["SQLALCHEMY_DATABASE_URI"])
    if problem:
        raise ConfigError(problem)


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production without a secret key)."""


def ensure_secret_key(config: dict) -> None:
    """Production must set a key; development and tests get a generated one, kept on disk."""
    if config.get("SECRET_KEY"):
        return
    if config.get("ENV") == "production" and not config.get("TESTING"):
        raise ConfigError(
            "LECTUREHUB_SECRET_KEY is not set: a production start needs a secret key "
            '(generate one with: python -c "import secrets; print(secrets.token_hex(32))").'
        )
    if config.get("TESTING"):
        config["SECRET_KEY"] = secrets.token_hex(32)
        return
    key_file = Path(config["STORAGE_DIR"]) / "secret_key"
    if key_file.is_file():
        config["SECRET_KEY"] = key_file.read_text().strip()
        return
    key_file.parent.mkdir(parents=True, exist_ok=True)
    config["SECRET_KEY"] = secrets.token_hex(32)
    key_file.write_text(config["SECRET_KEY"])
