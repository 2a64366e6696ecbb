"""Database set-up shared by ``lecturehub init``, ``demo`` and the tests."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import func, select

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User, UserRole
from lecturehub.extensions import db


def upgrade_database() -> None:
    upgrade()


def ensure_reference_data() -> None:
    from lecturehub.schedule import services as schedule_services

    auth_services.ensure_default_departments()
    schedule_services.ensure_default_series()


def has_admin() -> bool:
    query = select(func.count(UserRole.id)).where(UserRole.role == "admin")
    return (db.session.scalar(query) or 0) > 0


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def create_admin(login: str, password: str | None, name: str = "管理员") -> User:
    department = auth_services.department_by_name("党政办")
    details = auth_services.UserDetails(name, ["admin"], department)
    user, _ = auth_services.create_user(login, details, password)
    return user
