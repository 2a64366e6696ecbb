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

from lecturehub.core import private

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent  # the checkout, when running from one
ENV_PREFIX = "LECTUREHUB"

DEFAULTS: dict[str, object] = {
    "ENV": "development",  # "production" refuses to start without SECRET_KEY; Secure cookies
    "INSECURE_COOKIES": False,  # production over plain HTTP (an intranet without HTTPS)
    "SECRET_KEY": None,
    "STORAGE_DIR": "storage",  # relative to the working directory, never the package
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
    # slide images and .ppt/.pps/.dps/.odp conversion (courseware/office.py)
    "SOFFICE": "",  # LibreOffice's program; empty: soffice or libreoffice on PATH
    "PDFTOPPM": "",  # poppler's pdftoppm; empty: pdftoppm on PATH
    "CONVERT_TIMEOUT_SECONDS": 300,
    "CONVERT_MEMORY_MB": 2048,
    "CONVERT_ISOLATE_NETWORK": True,  # Linux: no network at all for LibreOffice (unshare)
    "PREVIEW_THUMB_WIDTH": 480,
    "PREVIEW_LARGE_WIDTH": 1280,
    "PREVIEWS_SCAN_MINUTES": 10,  # how often the worker queues images found missing (0: never)
    "TEMP_FILE_MAX_AGE_MINUTES": 60,  # a tmp/*.part untouched this long: a crash's leftover
    # auth
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_MAX_FAILURES_PER_IP": 30,
    # reverse proxies in front that set X-Forwarded-For/-Proto (0: none, the headers are
    # ignored, so nobody can pick the address the per-address limit counts)
    "TRUSTED_PROXIES": 0,
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
    # notifications: e-mail over SMTP, the 企业微信 / 钉钉 group robots, reminders
    "BASE_URL": "",  # e.g. http://10.12.0.5:8080 — the links in e-mails and robot messages
    "MAIL_SERVER": "",  # empty: no e-mail (in-app messages only)
    "MAIL_PORT": 0,  # 0: 25, or 465 with MAIL_USE_SSL, 587 with MAIL_USE_TLS
    "MAIL_USE_TLS": False,  # STARTTLS (port 587)
    "MAIL_USE_SSL": False,  # SMTP over SSL (port 465)
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "",  # e.g. 关庙乡党政办 <dzb@example.gov.cn>; default: MAIL_USERNAME
    "MAIL_TIMEOUT": 30,
    "WECOM_WEBHOOK": "",  # 企业微信 group robot's webhook URL
    "DINGTALK_WEBHOOK": "",  # 钉钉 custom robot's webhook URL
    "DINGTALK_SECRET": "",  # its 加签 secret (SEC…): requests are signed with HMAC-SHA256
    "NOTIFY_QUIET_START": "22:00",  # no e-mail or robot message until the end …
    "NOTIFY_QUIET_END": "07:00",  # … except same-day changes
    "NOTIFY_DAILY_AT": "08:00",  # admins' overdue digest, Monday's schedule, the monthly report
    "COURSEWARE_REMIND_DAYS": [3, 1],  # days before the courseware deadline
    "NOTIFY_CHASE_MINUTES": 10,  # no second 催办 of the same talk within this
    "NOTIFY_MAX_TRIES": 5,
    "NOTIFY_SEND_LEASE_SECONDS": 300,  # a message "sending" longer: its sender died
    "NOTIFY_ROBOT_TIMEOUT": 10,
    "NOTIFY_DUE_EVERY_SECONDS": 60,  # how often the worker computes what is due
    "NOTIFY_BATCH": 200,  # messages per worker round
    # backup (lecturehub backup/restore on PostgreSQL): where pg_dump and pg_restore are, when
    # they are neither on PATH nor in /usr/lib/postgresql/*/bin
    "PG_BIN_DIR": "",
    # background work (core/jobs.py)
    "WORKER_INTERVAL_SECONDS": 5.0,
    "JOBS_MAX_TRIES": 5,
    "JOBS_RETRY_SECONDS": 30,
    "JOBS_LEASE_SECONDS": 900,
}
# Kept as the text of the variable even when it reads as JSON (a secret key of digits).
TEXT_SETTINGS = {"SECRET_KEY"} | {key for key, value in DEFAULTS.items() if isinstance(value, str)}


def templates_dir() -> Path:
    """The Jinja templates: shipped inside the installed package (the build copies the
    checkout's top-level ``templates/`` there), else the checkout's own (editable install)."""
    shipped = PACKAGE_DIR / "templates"
    return shipped if shipped.is_dir() else REPO_DIR / "templates"


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
    config.setdefault("PREVIEWS_DIR", str(storage / "previews"))  # derived: no backup needed
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
    # Production cookies travel over HTTPS only, unless the site is an intranet without it.
    secure = config.get("ENV") == "production" and not config.get("INSECURE_COOKIES")
    config.setdefault("SESSION_COOKIE_SECURE", secure)
    config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    config.setdefault("JSON_AS_ASCII", False)
    check_search_engine(config)
    proxies = config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or not 0 <= proxies <= 5:
        raise ConfigError(
            f"LECTUREHUB_TRUSTED_PROXIES must be how many reverse proxies are in front "
            f"(0–5), not {proxies!r}."
        )
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
        private.tighten(key_file, private.FILE_MODE)
        config["SECRET_KEY"] = key_file.read_text().strip()
        return
    private.make_dir(key_file.parent)
    config["SECRET_KEY"] = secrets.token_hex(32)
    private.write_text(key_file, config["SECRET_KEY"])
