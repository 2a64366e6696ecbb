"""Configuration: defaults, then an optional instance file, then ``LECTUREHUB_*`` variables.

Every setting can be overridden by an environment variable named ``LECTUREHUB_<KEY>``
(``LECTUREHUB_STORAGE_DIR``, ``LECTUREHUB_SECRET_KEY`` …); ``DATABASE_URL`` sets the database.
The instance file is a Python file of ``KEY = value`` lines: ``LECTUREHUB_CONFIG`` names it,
otherwise ``<storage>/lecturehub.cfg`` is read when it exists.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
ENV_PREFIX = "LECTUREHUB_"

DEFAULTS: dict[str, object] = {
    "ENV": "development",  # "production" refuses to start without SECRET_KEY
    "SECRET_KEY": None,
    "STORAGE_DIR": str(REPO_DIR / "storage"),
    "SQLALCHEMY_DATABASE_URI": None,  # default: sqlite:///<storage>/lecturehub.sqlite
    "TIMEZONE": "Asia/Shanghai",
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
    "REMEMBER_COOKIE_DAYS": 30,
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
    "SEARCH_WRITER_TIMEOUT": 10.0,
    # background work (core/jobs.py)
    "WORKER_INTERVAL_SECONDS": 5.0,
    "JOBS_MAX_TRIES": 5,
    "JOBS_RETRY_SECONDS": 30,
    "JOBS_LEASE_SECONDS": 900,
}


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if raw.startswith(("[", "{")):
        return json.loads(raw)
    return raw


def _read_instance_file(path: Path) -> dict[str, object]:
    values: dict[str, object] = {}
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, {}, values)  # noqa: S102 - an administrator's own config file
    return {k: v for k, v in values.items() if k.isupper()}


def _from_environment(environ: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, raw in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :]
            values[name] = _coerce(raw, DEFAULTS.get(name))
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    return values


def load_config(overrides: dict | None = None, environ: dict[str, str] | None = None) -> dict:
    """Merge defaults, the instance file, the environment and explicit overrides (last wins)."""
    environ = dict(os.environ if environ is None else environ)
    overrides = dict(overrides or {})
    config = dict(DEFAULTS)
    env_values = _from_environment(environ)
    storage_hint = overrides.get("STORAGE_DIR") or env_values.get("STORAGE_DIR")
    storage_hint = storage_hint or config["STORAGE_DIR"]
    instance = environ.get(ENV_PREFIX + "CONFIG") or str(Path(storage_hint) / "lecturehub.cfg")
    if Path(instance).is_file():
        config.update(_read_instance_file(Path(instance)))
    config.update(env_values)
    config.update(overrides)
    return finish_config(config)


def finish_config(config: dict) -> dict:
    storage = Path(config["STORAGE_DIR"]).resolve()
    config["STORAGE_DIR"] = str(storage)
    config.setdefault("FILES_DIR", str(storage / "files"))
    config.setdefault("INDEX_DIR", str(storage / "index"))
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
    config.setdefault("JSON_AS_ASCII", False)
    return config


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
