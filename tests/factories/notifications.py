"""Notification factories: people with e-mail addresses, talks a few days ahead of the real
clock (signals stamp their messages with it), and reading back what was queued."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lecturehub.auth import services as auth_services
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.notifications.models import Notification
from tests.factories import make_user
from tests.factories.ratings import make_talk


def person(login: str, name: str, email: str | None = None, roles=(), department="党政办"):
    """A user with an e-mail address (``{login}@example.cn`` unless given; "" for none)."""
    user = make_user(login, name, roles=roles, department=department)
    auth_services.set_email(user, f"{login}@example.cn" if email is None else email)
    return user


def talk_ahead(speaker=None, days: int = 6, title: str = "乡村振兴政策解读", **kwargs):
    """A talk ``days`` days after today at 19:00 (its deadline: 2 days before, 18:00)."""
    starts = dt.datetime.combine(local_now().date() + dt.timedelta(days=days), dt.time(19))
    return make_talk(starts, speaker=speaker, title=title, **kwargs)


def rows(event: str | None = None, channel: str | None = None, user=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if event:
        query = query.where(Notification.event == event)
    if channel:
        query = query.where(Notification.channel == channel)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    db.session.expire_all()
    return list(db.session.scalars(query))


def keys(event: str | None = None, channel: str | None = None) -> list[str]:
    return [row.key for row in rows(event, channel)]
