"""People: departments, users with roles, API tokens, login sessions and attempts."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lecturehub.core.timeutil import now
from lecturehub.extensions import db


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")  # department|centre|team
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))

    head: Mapped[User | None] = relationship(foreign_keys=[head_id], post_update=True)
    users: Mapped[list[User]] = relationship(
        back_populates="department", foreign_keys="User.department_id"
    )

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    title: Mapped[str] = mapped_column(String(64), default="")  # post, e.g. 分管领导
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # "" = none (no e-mail sent)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_login_at: Mapped[dt.datetime | None]

    department: Mapped[Department | None] = relationship(
        back_populates="users", foreign_keys=[department_id]
    )
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    activity: Mapped[list[UserActivity]] = relationship(
        foreign_keys="UserActivity.user_id",
        cascade="all, delete-orphan",
        order_by="[UserActivity.at, UserActivity.id]",
    )

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role == "member" or any(r.role == role for r in self.role_rows)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # Not a column: the token of the login session this request was signed in with
    # (``auth.sessions`` sets it when it starts or resolves one).
    login_token = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember-me cookies: the login session's
        token, not the user's id, so that ending the session server-side (logout, a password
        change, deactivation) refuses every copy of either cookie."""
        return self.login_token or f"user-{self.id}"  # the latter resolves to no session

    def __str__(self) -> str:
        return self.name


class UserActivity(db.Model):
    """When an account became active or inactive (its creation is the first row).

    Who is expected at a past session follows from it: the people active at its start."""

    __tablename__ = "user_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool]
    at: Mapped[dt.datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class LoginSession(db.Model):
    """One signed-in browser. Its cookies carry the token; the database keeps only the hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """A sign-in try. ``user_id`` is set when the name was a real account at the time: only
    those attempts count towards that account's lock."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(default=False)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
