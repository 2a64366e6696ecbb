"""Accounts, roles, departments, login sessions and API tokens."""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, request

from lecturehub.core import jobs, signals
from lecturehub.extensions import db, login_manager

PASSWORD_CHANGE_ALLOWED = {"auth.profile", "auth.logout", "static"}


def init_app(app: Flask) -> None:
    """Who is signed in: a login session (cookie) or an API token; a forced password change."""
    from lecturehub.auth import login as login_service
    from lecturehub.auth import sessions

    @login_manager.user_loader
    def load_user(token: str):
        found = sessions.resolve(token)
        return found.user if found is not None else None  # ended, expired or deactivated

    @app.before_request
    def require_password_change():
        """A user with a generated or reset password must change it before anything else: pages
        lead to the profile, and the API refuses a session that has not (a personal token, made
        on purpose, keeps working)."""
        from flask import redirect, url_for
        from flask_login import current_user

        from lecturehub.core.errors import api_error

        if request.endpoint in PASSWORD_CHANGE_ALLOWED:
            return None
        if not (current_user.is_authenticated and current_user.must_change_password):
            return None
        if request.path.startswith("/api/"):
            if g.get("api_token_auth"):
                return None
            return api_error(403, "password_change_required", "请先在个人设置中修改初始密码。")
        return redirect(url_for("auth.profile"))

    @login_manager.request_loader
    def load_user_from_token(req):
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.lower().startswith("bearer "):
            return None
        user, reason = login_service.user_for_token(header[7:].strip())
        g.api_token_auth = user is not None
        g.api_token_error = reason
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        from lecturehub.core.errors import api_error

        if request.path.startswith("/api/"):
            return api_error(401)
        flash("请先登录。", "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    signals.worker_tick.connect(_queue_daily_cleanup, sender=app, weak=False)


def _queue_daily_cleanup(app: Flask, at: dt.datetime) -> None:
    """At most once a day, and only when there is something to forget, a background job
    deletes old login sessions and sign-in attempts."""
    from lecturehub.auth import login as login_service

    if not login_service.old_sign_ins(at):
        return
    key = f"auth-cleanup-{at:%Y-%m-%d}"
    jobs.enqueue(login_service.forget_old_sign_ins, key=key, at=at.isoformat())
    db.session.commit()
