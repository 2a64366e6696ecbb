"""JSON API of accounts, and the OpenAPI document of the whole API."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user

from lecturehub.auth import login as login_service
from lecturehub.auth import services
from lecturehub.core.errors import ServiceError
from lecturehub.core.openapi import build_spec
from lecturehub.core.security import api_view, json_body

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
@api_view(summary="本 API 的 OpenAPI 3 文档", public_route=True)
def openapi():
    return jsonify(build_spec(current_app))


@bp.get("/me")
@api_view(summary="当前用户")
def me():
    return jsonify(services.user_dict(current_user))


def _calendar() -> dict:
    token = services.feed_token_for(current_user)
    return {"url": url_for("schedule.my_feed", token=token, _external=True)}


@bp.get("/me/calendar")
@api_view(summary="我的日历订阅地址（私密，请勿外传）")
def my_calendar():
    return jsonify(_calendar())


@bp.post("/me/calendar/reset")
@api_view(summary="重置我的日历订阅地址（旧地址随即失效）")
def reset_my_calendar():
    services.reset_feed_token(current_user)
    return jsonify(_calendar())


@bp.get("/users")
@api_view("admin", summary="用户列表", params={"role": "按角色筛选", "active": "1 = 仅启用"})
def list_users():
    users = services.list_users(
        active_only=request.args.get("active") == "1", role=request.args.get("role")
    )
    return jsonify({"users": [services.user_dict(u) for u in users]})


@bp.post("/users")
@api_view(
    "admin",
    summary="创建用户",
    responses={201: "已创建", 409: "登录名已存在"},
    body={
        "type": "object",
        "required": ["login", "name"],
        "properties": {
            "login": {"type": "string"},
            "name": {"type": "string"},
            "password": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string"}},
            "department": {"type": "string"},
            "title": {"type": "string"},
            "email": {"type": "string", "format": "email", "description": "接收通知的电子邮箱"},
        },
    },
)
def create_user():
    data = json_body()
    if data.get("email") is not None and not isinstance(data["email"], str):
        raise ServiceError("email 必须是字符串。", "bad_email", 400)
    email = services.clean_email(data.get("email"))
    department = services.department_by_name(data.get("department"))
    if data.get("department") and department is None:
        raise ServiceError(f"部门“{data['department']}”不存在。", "unknown_department")
    roles = data.get("roles") or []
    if not isinstance(roles, list):
        raise ServiceError("roles 必须是数组。", "bad_roles", 400)
    details = services.UserDetails(
        str(data.get("name") or ""), roles, department, str(data.get("title") or "")
    )
    user, generated = services.create_user(
        str(data.get("login") or ""), details, data.get("password"), commit=False
    )
    services.set_email(user, email)
    body = services.user_dict(user)
    if generated:
        body["initial_password"] = generated
    return jsonify(body), 201


@bp.get("/departments")
@api_view(summary="部门和中心列表")
def departments():
    return jsonify(
        {
            "departments": [
                {"id": d.id, "name": d.name, "kind": d.kind, "active": d.active}
                for d in services.list_departments()
            ]
        }
    )


@bp.get("/tokens")
@api_view(summary="我的 API 令牌（不含令牌本身）")
def tokens():
    return jsonify(
        {
            "tokens": [
                {
                    "id": t.id,
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                    "active": t.active,
                }
                for t in login_service.list_tokens(current_user)
            ]
        }
    )


@bp.delete("/tokens/<int:token_id>")
@api_view(summary="撤销我的一个 API 令牌")
def revoke_token(token_id: int):
    token = login_service.revoke_token(current_user, token_id)
    return jsonify({"id": token.id, "active": token.active})
