"""Wiring used by ``create_app``: extensions, the features' blueprints and CLI, app hooks."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # noqa: ARG001
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith(("sqlite3", "pysqlite")):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class BoundedInt(IntegerConverter):
    """``<int:id>`` that only matches what the database can hold (else a plain 404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_extensions(app: Flask, ext) -> None:
    app.url_map.converters["int"] = BoundedInt

    @app.before_request
    def _request_scoped_g():
        """Keep per-request caches out of ``g`` when a caller (tests, a CLI job) holds one
        app context across requests: the signed-in user and the CSRF token of the last one."""
        for key in ("_login_user", "csrf_token", "api_token_auth", "api_token_error"):
            g.pop(key, None)

    for key in ("STORAGE_DIR", "FILES_DIR", "INDEX_DIR"):
        Path(app.config[key]).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    ext.csrf.init_app(app)
    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = "请先登录。"
    ext.login_manager.login_message_category = "warning"
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")


def register_features(app: Flask, features: tuple[str, ...]) -> None:
    """Each feature package may have views (bp), api (bp), cli (commands) and init_app."""
    from lecturehub.extensions import csrf as ext_csrf

    importlib.import_module("lecturehub.core.models")  # the job queue's tables
    for name in features:
        _optional(f"lecturehub.{name}.models")  # every table is known to db and Alembic
        for module_name in ("views", "api"):
            module = _optional(f"lecturehub.{name}.{module_name}")
            if module is not None and hasattr(module, "bp"):
                if module_name == "api":
                    # API writes check CSRF themselves when authenticated by the session cookie.
                    ext_csrf.exempt(module.bp)
                app.register_blueprint(module.bp)
        cli = _optional(f"lecturehub.{name}.cli")
        for command in getattr(cli, "COMMANDS", ()):
            app.cli.add_command(command)
        providers = _optional(f"lecturehub.{name}.providers")
        if providers is not None:  # facts a feature offers to others: provide(app, name, fn)
            providers.register(app)
        package = importlib.import_module(f"lecturehub.{name}")
        if hasattr(package, "init_app"):
            package.init_app(app)
    from lecturehub import cli as top_cli

    for command in top_cli.COMMANDS:
        app.cli.add_command(command)


def _optional(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def register_app_hooks(app: Flask) -> None:
    from lecturehub.core import errors, templating

    errors.register_error_handlers(app)
    templating.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
