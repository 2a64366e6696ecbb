"""Wiring used by ``create_app``: extensions, every blueprint and CLI command, app hooks.

What the app serves is listed here, explicitly: the blueprints of the pages that gather several
features (``pages``), of each feature's views and API, and every command. Importing them also
imports every feature's models, so db and Alembic know every table.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lecturehub import auth, commands, notifications
from lecturehub.attendance import api as attendance_api
from lecturehub.attendance import audit_views as attendance_audit_views
from lecturehub.attendance import manage_views as attendance_manage_views
from lecturehub.attendance import views as attendance_views
from lecturehub.auth import api as auth_api
from lecturehub.auth import cli as auth_cli
from lecturehub.auth import views as auth_views
from lecturehub.core import errors, private, templating
from lecturehub.core.errors import MAX_INT
from lecturehub.courseware import api as courseware_api
from lecturehub.courseware import cli as courseware_cli
from lecturehub.courseware import views as courseware_views
from lecturehub.extensions import csrf
from lecturehub.notifications import api as notifications_api
from lecturehub.notifications import cli as notifications_cli
from lecturehub.notifications import views as notifications_views
from lecturehub.pages import views as pages_views
from lecturehub.ratings import api as ratings_api
from lecturehub.ratings import views as ratings_views
from lecturehub.reports import api as reports_api
from lecturehub.reports import views as reports_views
from lecturehub.schedule import admin_views as schedule_admin_views
from lecturehub.schedule import api as schedule_api
from lecturehub.schedule import cli as schedule_cli
from lecturehub.schedule import views as schedule_views
from lecturehub.search import api as search_api
from lecturehub.search import cli as search_cli
from lecturehub.search import views as search_views

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Everything from our own origin, nothing inline: no <script> blocks, no on* attributes and no
# style attributes in templates (scripts live in static/js/, styles in static/css/). Images may
# also be data: URIs; nothing may frame us or be framed.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
PAGE_BLUEPRINTS = (
    pages_views.bp,
    auth_views.bp,
    schedule_views.bp,
    schedule_admin_views.bp,
    courseware_views.bp,
    search_views.bp,
    attendance_views.bp,
    attendance_manage_views.bp,
    attendance_audit_views.bp,
    ratings_views.bp,
    reports_views.bp,
    notifications_views.bp,
)
API_BLUEPRINTS = (
    auth_api.bp,
    schedule_api.bp,
    courseware_api.bp,
    search_api.bp,
    attendance_api.bp,
    ratings_api.bp,
    reports_api.bp,
    notifications_api.bp,
)
COMMANDS = (
    *auth_cli.COMMANDS,
    *schedule_cli.COMMANDS,
    *courseware_cli.COMMANDS,
    *search_cli.COMMANDS,
    *notifications_cli.COMMANDS,
    *commands.COMMANDS,
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
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


@event.listens_for(Engine, "do_connect")
def _private_sqlite_file(dialect, connection_record, cargs, cparams):
    """Create an SQLite database file 0600 before the driver creates it world-readable (SQLite
    gives its -wal and -shm files the database file's mode); tighten one made earlier."""
    if dialect.name != "sqlite" or not cargs:
        return
    database = str(cargs[0])
    if database and database != ":memory:" and not database.startswith("file:"):
        private.create_file(database)
        for suffix in ("-wal", "-shm"):
            private.tighten(f"{database}{suffix}", private.FILE_MODE)


class BoundedInt(IntegerConverter):
    """``<int:id>`` that only matches what an INTEGER column holds on every database we
    support (PostgreSQL's is 32-bit), else a plain 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
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
        private.make_dir(app.config[key])
        if key != "STORAGE_DIR":  # ours; the storage folder itself may have been given to us
            private.tighten(app.config[key], private.DIR_MODE)
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


def register_blueprints(app: Flask) -> None:
    """Every page and API blueprint; the API ones check CSRF themselves when authenticated by
    the session cookie (``core.security.api_view``)."""
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS:
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def register_app_hooks(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:  # the client's address and scheme as the proxy saw them (werkzeug)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    auth.init_app(app)
    notifications.init_app(app)
    errors.register_error_handlers(app)
    templating.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
