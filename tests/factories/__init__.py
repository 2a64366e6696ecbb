"""Factories: real rows through the real services (no hand-built rows, no mocks)."""

from __future__ import annotations

import datetime as dt
import itertools

from lecturehub.auth import login as login_service
from lecturehub.auth import services as auth_services

PASSWORD = "password123"
IN_POST_SINCE = dt.datetime(2020, 1, 1)  # before every session the tests make
_seq = itertools.count(1)


def make_user(
    login: str | None = None,
    name: str | None = None,
    roles=(),
    department: str | None = "党政办",
    password: str = PASSWORD,
    active: bool = True,
    since: dt.datetime | None = IN_POST_SINCE,
):
    """A user, in post (active) since ``since`` (None: created now, as a new account is)."""
    n = next(_seq)
    dept = auth_services.department_by_name(department) if department else None
    details = auth_services.UserDetails(name or f"干部{n}", roles, dept)
    user, _ = auth_services.create_user(login or f"user{n}", details, password)
    if since is not None:
        auth_services.backdate_account(user, since)
    if not active:
        auth_services.set_active(user, False)
    return user


def make_token(user, name: str = "测试") -> str:
    return login_service.create_token(user, name)[1]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
