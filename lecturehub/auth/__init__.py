"""Accounts, roles, departments and API tokens."""

from __future__ import annotations

from flask import Flask, g, request

from lecturehub.extensions import db, login_manager


def init_app(app: Flask) -> None:
    """Who is signed in: the session cookie or an API token; a forced password change."""
    from lecturehub.auth import login as login_service
    from lecturehub.auth.models import User

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, stamp = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or user.session_stamp != stamp:
            return None  # deactivated, or the password changed since this session began
        return user

    @app.before_request
    def require_password_change():
        """A user with a generated or reset password must change it before anything else."""
        from flask import redirect, url_for
        from flask_login import current_user

        allowed = {"auth.profile", "auth.logout", "static"}
        if request.path.startswith("/api/") or request.endpoint in allowed:
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            return redirect(url_for("auth.profile"))
        return None

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
