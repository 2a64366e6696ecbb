"""Accounts: users, roles, departments, passwords and the personal calendar URL."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lecturehub.auth import sessions
from lecturehub.auth.models import Department, User, UserActivity, UserRole
from lecturehub.core.errors import Conflict, NotFound, ServiceError
from lecturehub.core.security import ROLES
from lecturehub.core.timeutil import now
from lecturehub.extensions import db

# The notice's departments and centres (各部门、中心（大队）); editable by admins afterwards.
DEFAULT_DEPARTMENTS = [
    ("党政办", "department"),
    ("组织办", "department"),
    ("宣传办", "department"),
    ("督查办", "department"),
    ("纪委", "department"),
    ("文化站", "centre"),
    ("新时代文明实践站", "centre"),
    ("团委", "department"),
    ("工会", "department"),
    ("妇联", "department"),
    ("经济发展办", "department"),
    ("财政所", "centre"),
    ("农业农村服务中心", "centre"),
    ("社会事务服务中心", "centre"),
    ("便民服务中心", "centre"),
    ("乡村振兴工作站", "centre"),
    ("应急管理办", "department"),
    ("自然资源所", "centre"),
    ("退役军人服务站", "centre"),
    ("综合执法大队", "team"),
]
MIN_PASSWORD = 8


# --- departments -------------------------------------------------------------------------


def ensure_default_departments() -> int:
    existing = set(db.session.scalars(select(Department.name)))
    created = 0
    for order, (name, kind) in enumerate(DEFAULT_DEPARTMENTS):
        if name not in existing:
            db.session.add(Department(name=name, kind=kind, sort_order=order))
            created += 1
    db.session.commit()
    return created


def list_departments(active_only: bool = False) -> list[Department]:
    query = select(Department).order_by(Department.sort_order, Department.id)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(db.session.scalars(query))


def department_by_name(name: str | None) -> Department | None:
    if not name:
        return None
    return db.session.scalar(select(Department).where(Department.name == name.strip()))


def save_department(
    name: str,
    kind: str = "department",
    active: bool = True,
    head: User | None = None,
    department: Department | None = None,
) -> Department:
    name = (name or "").strip()
    if not name:
        raise ServiceError("部门名称不能为空。")
    clash = department_by_name(name)
    if clash is not None and clash is not department:
        raise Conflict(f"部门“{name}”已存在。", "duplicate_department")
    if department is None:
        department = Department(sort_order=len(list_departments()))
        db.session.add(department)
    department.name, department.kind, department.active, department.head = name, kind, active, head
    db.session.commit()
    return department


# --- users -------------------------------------------------------------------------------


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("找不到该用户。", "user_not_found")
    return user


def user_by_login(login: str | None) -> User | None:
    if not login:
        return None
    return db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))


def list_users(active_only: bool = False, role: str | None = None) -> list[User]:
    query = select(User).order_by(User.department_id, User.name)
    if active_only:
        query = query.where(User.active.is_(True))
    if role and role != "member":
        query = query.join(UserRole).where(UserRole.role == role)
    return list(db.session.scalars(query))


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted({r.strip() for r in roles if r and r.strip()} | {"member"})
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ServiceError(
            f"未知角色：{'、'.join(unknown)}（可选：{'、'.join(ROLES)}）。", "bad_role"
        )
    return roles


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(f"密码至少需要 {MIN_PASSWORD} 位。", "weak_password")


def set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = _check_roles(roles)
    current = {r.role: r for r in user.role_rows}
    for role, row in current.items():
        if role not in wanted:
            user.role_rows.remove(row)
    for role in wanted:
        if role not in current:
            user.role_rows.append(UserRole(role=role))


@dataclass(frozen=True)
class UserDetails:
    """What an administrator says about a person, when creating and when editing one."""

    name: str
    roles: Iterable[str] = ()
    department: Department | None = None
    title: str = ""


def create_user(
    login: str, details: UserDetails, password: str | None = None, *, commit: bool = True
) -> tuple[User, str | None]:
    """Create a user; without a password a random one is generated and returned once."""
    login, name = (login or "").strip(), (details.name or "").strip()
    if not login or not name:
        raise ServiceError("登录名和姓名不能为空。", "missing_field")
    if len(login) > 64 or any(ch.isspace() for ch in login):
        raise ServiceError("登录名不能包含空格，且不超过 64 个字符。", "bad_login")
    if user_by_login(login) is not None:
        raise Conflict(f"登录名“{login}”已被使用。", "duplicate_login")
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(9)
    check_password_strength(password)
    role_list = _check_roles(details.roles)
    user = User(
        login=login,
        name=name,
        department=details.department,
        title=details.title,
        password_hash=generate_password_hash(password),
        must_change_password=generated is not None,
        created_at=now(),
    )
    user.role_rows = [UserRole(role=r) for r in role_list]
    user.activity = [UserActivity(active=True, at=user.created_at)]
    db.session.add(user)
    if commit:
        db.session.commit()
    return user, generated


def update_user(
    user: User, details: UserDetails, *, active: bool = True, by: User | None = None
) -> User:
    """Save an administrator's edit; deactivating someone ends their sessions."""
    name = (details.name or "").strip()
    if not name:
        raise ServiceError("姓名不能为空。", "missing_field")
    role_list = _check_roles(details.roles)
    if by is not None and by.id == user.id and ("admin" not in role_list or not active):
        raise ServiceError("不能取消自己的管理员角色或停用自己的账号。", "self_lockout")
    user.name, user.department, user.title = name, details.department, details.title
    set_roles(user, role_list)
    _set_active(user, active, by)
    db.session.commit()
    return user


def _set_active(
    user: User, active: bool, by: User | None = None, at: dt.datetime | None = None
) -> None:
    """Set ``active``, keep when it changed (attendance expects people active then), and end
    every session of an account that is switched off."""
    if user.active and not active:
        sessions.end_all(user)
    _note_activity(user, active, by, at)


def set_active(
    user: User, active: bool, by: User | None = None, at: dt.datetime | None = None
) -> None:
    """(De)activate an account, now or — entering a change after the fact — ``at``; switching
    it off ends its sessions at once."""
    if by is not None and by.id == user.id and not active:
        raise ServiceError("不能停用自己的账号。", "self_lockout")
    _set_active(user, active, by, at)
    db.session.commit()


def _note_activity(
    user: User, active: bool, by: User | None, at: dt.datetime | None = None
) -> None:
    """Set ``active`` and keep when it changed (attendance expects people active then)."""
    if bool(user.active) != bool(active):
        user.active = active
        by_id = getattr(by, "id", None)
        user.activity.append(UserActivity(active=active, at=at or now(), by_id=by_id))


def backdate_account(user: User, since: dt.datetime) -> User:
    """An account entered today for someone in post since ``since`` (a roster typed in after
    the fact, the demo's township): it counts as created, and active, from then on."""
    if since < user.created_at:
        first = user.activity[0] if user.activity else None
        if first is not None and first.at == user.created_at:
            first.at = since
        user.created_at = since
        db.session.commit()
    return user


def activity_changes(user_ids: Iterable[int]) -> dict[int, list[tuple[dt.datetime, bool]]]:
    """user id → its (when, active) changes in time order, for many users in one query."""
    ids = sorted(set(user_ids)) or [0]
    query = (
        select(UserActivity.user_id, UserActivity.at, UserActivity.active)
        .where(UserActivity.user_id.in_(ids))
        .order_by(UserActivity.at, UserActivity.id)
    )
    found: dict[int, list[tuple[dt.datetime, bool]]] = {}
    for user_id, at, active in db.session.execute(query):
        found.setdefault(user_id, []).append((at, active))
    return found


def was_active(user: User, changes: list[tuple[dt.datetime, bool]], moment: dt.datetime) -> bool:
    """Whether the account was active at ``moment`` (no history: created then, active now)."""
    if not changes:
        return user.created_at <= moment and bool(user.active)
    state = False
    for at, active in changes:
        if at > moment:
            break
        state = active
    return state


def set_password(user: User, password: str, must_change: bool = False) -> None:
    """Set a new password: every session of the user ends (the caller signs the current browser
    in again) and the personal calendar URL changes, as after any suspected leak."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    user.must_change_password = must_change
    sessions.end_all(user)
    user.feed_token = _new_feed_token()
    db.session.commit()


def change_password(user: User, old: str, new: str) -> None:
    if not check_password_hash(user.password_hash, old or ""):
        raise ServiceError("原密码不正确。", "wrong_password")
    if old == new:
        raise ServiceError("新密码不能与原密码相同。", "same_password")
    set_password(user, new)


def reset_password(user: User) -> str:
    """Give the user a new random password (returned once) that must be changed at login."""
    password = secrets.token_urlsafe(9)
    set_password(user, password, must_change=True)
    return password


def clean_email(text: str | None) -> str:
    """An e-mail address as stored ("" for none), or a ServiceError saying what is wrong.

    email-validator checks the syntax only (no DNS look-up: the server is often offline); the
    address is kept in its ASCII form so that any SMTP server can deliver to it."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ServiceError(
            f"电子邮箱地址“{text[:80]}”格式不正确，请检查（如 wangming@example.com）。", "bad_email"
        ) from exc
    return checked.ascii_email or checked.normalized


def set_email(user: User, email: str | None, commit: bool = True) -> User:
    """Change a user's e-mail address (checked first; "" removes it)."""
    user.email = clean_email(email)
    if commit:
        db.session.commit()
    return user


# --- the personal calendar URL -------------------------------------------------------------


def _new_feed_token() -> str:
    return secrets.token_urlsafe(24)


def feed_token_for(user: User) -> str:
    if not user.feed_token:
        user.feed_token = _new_feed_token()
        db.session.commit()
    return user.feed_token


def reset_feed_token(user: User) -> str:
    """A new secret for the personal calendar URL; the old URL stops working (404)."""
    user.feed_token = _new_feed_token()
    db.session.commit()
    return user.feed_token


def user_by_feed_token(token: str) -> User | None:
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.feed_token == token))
    return user if user is not None and user.active else None


def get_department(department_id: int | None) -> Department | None:
    return db.session.get(Department, department_id) if department_id else None


def user_brief(user: User) -> dict:
    """Who someone is, for other features' JSON (attendance records, leave requests …)."""
    return {
        "id": user.id,
        "login": user.login,
        "name": user.name,
        "department": user.department.name if user.department else None,
    }


def user_dict(user: User) -> dict:
    return {
        **user_brief(user),
        "title": user.title,
        "email": user.email,
        "roles": user.roles,
        "active": user.active,
    }
