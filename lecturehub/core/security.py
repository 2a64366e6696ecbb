"""Who may use a view: ``role_required`` for pages, ``api_view`` for JSON routes.

Every view and API route names its roles. ``member`` means any active, signed-in user.
API routes accept a personal token (``Authorization: Bearer …``) or the browser session; a
session-authenticated write must also carry the CSRF token (``X-CSRFToken`` header).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from lecturehub.core.errors import ServiceError
from lecturehub.extensions import login_manager

ROLES = {
    "admin": "管理员（党政办）",
    "leader": "牵头领导",
    "inspector": "督查办",
    "organiser": "组织办",
    "member": "干部",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def has_role(user, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not roles or "member" in roles:
        return True
    return any(user.has_role(role) for role in roles)


def role_required(*roles: str) -> Callable:
    """Page decorator: not signed in → the login page; wrong role → 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles or ("member",)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Marks a page that anyone may open (login page, secret-URL feeds)."""
    view.required_roles = ("public",)
    return view


def _check_api_csrf() -> None:
    if request.method in SAFE_METHODS or g.get("api_token_auth"):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
    except CSRFError as exc:
        raise ServiceError("CSRF 令牌缺失或无效，请刷新页面后重试。", "csrf_failed", 400) from exc
    except Exception as exc:  # wtforms ValidationError
        raise ServiceError("CSRF 令牌缺失或无效，请刷新页面后重试。", "csrf_failed", 400) from exc


def api_view(
    *roles: str,
    summary: str,
    params: dict | None = None,
    body: dict | None = None,
    responses: dict | None = None,
    public_route: bool = False,
) -> Callable:
    """JSON route decorator: authenticate, check roles and CSRF, and document for OpenAPI."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not public_route:
                if not current_user.is_authenticated:
                    if g.get("api_token_error"):
                        raise ServiceError(g.api_token_error, "invalid_token", 401)
                    raise ServiceError("请先登录，或提供有效的 API 令牌。", "unauthorized", 401)
                if not has_role(current_user, *roles):
                    raise ServiceError("您没有权限进行此操作。", "forbidden", 403)
                _check_api_csrf()
            return view(*args, **kwargs)

        wrapped.api_doc = {
            "summary": summary,
            "roles": list(roles or ("member",)) if not public_route else ["public"],
            "params": params or {},
            "body": body,
            "responses": responses or {},
        }
        wrapped.required_roles = ("public",) if public_route else (roles or ("member",))
        return wrapped

    return decorator


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ServiceError("请求体必须是 JSON 对象。", "bad_json", 400)
    return data
