"""Notifications: queuing a message to people and groups, the 消息 inbox, each person's
channels, and the admin's outbox.

Who is told what, and when, is decided in ``events`` (things that just happened, through
``core.signals``), ``workflow`` (the speaker's 接受/婉拒, 催办, an over-long deck) and ``due``
(reminders computed from the clock, and ``remind``); each builds a ``messages.Message`` and
calls ``notify`` or ``notify_groups`` here. Keys: the caller names the message (``courseware_due:l12:…``);
``notify`` adds the recipient and the channel, so every row's key says exactly what it is,
and the outbox's unique key makes queuing it a second time a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select, update

from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.core.errors import NotFound
from lecturehub.core.timeutil import iso
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.notifications import outbox
from lecturehub.notifications.messages import Message
from lecturehub.notifications.models import (
    DINGTALK,
    EMAIL,
    FAILED,
    IN_APP,
    PRIVATE_EVENTS,
    QUEUED,
    SENT,
    WECOM,
    Notification,
    NotificationSettings,
)

INBOX_LIMIT = 200


# --- queuing -------------------------------------------------------------------------------


def email_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _row(message: Message, key: str, channel: str, user_id: int | None, at) -> dict:
    in_app = channel == IN_APP
    return {
        "key": key[:200],
        "event": message.event,
        "channel": channel,
        "user_id": user_id,
        "lecture_id": message.lecture_id,
        "title": message.title[:200],
        "body": message.body,
        "url": message.url[:300],
        "state": SENT if in_app else QUEUED,
        "tries": 0,
        "next_try_at": at if in_app else outbox.deliver_at(at, message.event_at),
        "locked_until": None,
        "error": None,
        "event_at": message.event_at,
        "created_at": at,
        "sent_at": at if in_app else None,
        "read_at": None,
    }


def email_choices(user_ids: Iterable[int]) -> dict[int, bool]:
    """user id → wants e-mail (no settings row: yes)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(NotificationSettings.user_id, NotificationSettings.email).where(
            NotificationSettings.user_id.in_(ids)
        )
    )
    return {user_id: True for user_id in ids} | dict(rows.all())


def notify(
    recipients: Iterable[User], message: Message, key: str, at: dt.datetime | None = None
) -> int:
    """Queue ``message`` to each active recipient: in-app always, e-mail when the server is set
    and they have an address and want it. Returns how many rows are new (0: queued before)."""
    at = at or local_now()
    people = {user.id: user for user in recipients if user is not None and user.active}
    wants_email = email_choices(people) if email_enabled() else {}
    rows = []
    for user_id, user in sorted(people.items()):
        rows.append(_row(message, f"{key}:u{user_id}:{IN_APP}", IN_APP, user_id, at))
        if wants_email.get(user_id) and user.email:
            rows.append(_row(message, f"{key}:u{user_id}:{EMAIL}", EMAIL, user_id, at))
    return outbox.insert(rows)


def notify_groups(message: Message, key: str, at: dt.datetime | None = None) -> int:
    """Queue ``message`` to each group robot that is configured (企业微信, 钉钉)."""
    at = at or local_now()
    config = current_app.config
    rows = [
        _row(message, f"{key}:{channel}", channel, None, at)
        for channel in (WECOM, DINGTALK)
        if config[outbox.ROBOT_SETTINGS[channel]]
    ]
    return outbox.insert(rows)


def admins() -> list[User]:
    return auth_services.list_users(active_only=True, role="admin")


def in_app_written_after(last_id: int) -> int:
    """In-app messages (delivered by being written) with an id above ``last_id``."""
    query = select(func.count()).where(Notification.id > last_id, Notification.channel == IN_APP)
    return int(db.session.scalar(query) or 0)


# --- the inbox (消息) ----------------------------------------------------------------------


def _mine(user: User):
    return select(Notification).where(
        Notification.user_id == user.id, Notification.channel == IN_APP
    )


def inbox(user: User, unread_only: bool = False, limit: int = INBOX_LIMIT) -> list[Notification]:
    query = _mine(user).order_by(Notification.created_at.desc(), Notification.id.desc())
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.limit(limit)))


def unread_count(user: User) -> int:
    query = select(func.count()).where(
        Notification.user_id == user.id,
        Notification.channel == IN_APP,
        Notification.read_at.is_(None),
    )
    return int(db.session.scalar(query) or 0)


def get_own(user: User, notification_id: int) -> Notification:
    """One of the user's own messages; anyone else's is "not found" (never "forbidden")."""
    row = db.session.scalar(_mine(user).where(Notification.id == notification_id))
    if row is None:
        raise NotFound("找不到该消息。", "notification_not_found")
    return row


def mark_read(user: User, notification_id: int, at: dt.datetime | None = None) -> Notification:
    row = get_own(user, notification_id)
    if row.read_at is None:
        row.read_at = at or local_now()
        db.session.commit()
    return row


def mark_all_read(user: User, at: dt.datetime | None = None) -> int:
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.channel == IN_APP,
            Notification.read_at.is_(None),
        )
        .values(read_at=at or local_now())
    )
    db.session.commit()
    return result.rowcount


def notification_dict(row: Notification) -> dict:
    return {
        "id": row.id,
        "event": row.event,
        "title": row.title,
        "body": row.body,
        "url": row.url,
        "created_at": iso(row.created_at),
        "read": row.read,
    }


# --- channels ------------------------------------------------------------------------------


def wants_email(user: User) -> bool:
    return email_choices([user.id])[user.id]


def save_choices(user: User, email: bool) -> None:
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id)
        db.session.add(settings)
    settings.email, settings.updated_at = bool(email), local_now()
    db.session.commit()


# --- the admin's outbox --------------------------------------------------------------------

# In-app messages are delivered when written; rating reminders are left out because their
# recipients are exactly the people who have not rated (ratings are anonymous).
OUTBOX_FILTER = (Notification.channel != IN_APP, Notification.event.not_in(PRIVATE_EVENTS))


def outbox_rows(state: str | None = None, limit: int = 100) -> list[Notification]:
    query = select(Notification).where(*OUTBOX_FILTER)
    if state:
        query = query.where(Notification.state == state)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def outbox_counts() -> dict[str, int]:
    return outbox.counts(OUTBOX_FILTER)


def retry(notification_id: int, at: dt.datetime | None = None) -> bool:
    """Queue a failed message again (not one of the hidden ones)."""
    row = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, *OUTBOX_FILTER)
    )
    if row is None or row.state != FAILED:
        raise NotFound("找不到该失败的消息。", "notification_not_found")
    return outbox.requeue(row.id, at)
