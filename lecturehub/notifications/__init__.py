"""Notifications: the outbox, in-app messages (消息), e-mail, the 企业微信 / 钉钉 group robots,
reminders, and the speaker's workflow (接受 / 婉拒, 催办).

It sits above every other feature: to know what is due it reads the schedule, courseware,
attendance and ratings. Lower features tell it what happened through ``core.signals``
(``events``); the periodic work runs on ``core.jobs``' worker (``due.on_worker_tick``).
"""

from __future__ import annotations

from flask import Flask
from flask_login import current_user


def init_app(app: Flask) -> None:
    """Connect the signal receivers (once per process; blinker ignores a second connect) and
    give the templates the header's unread count."""
    from lecturehub.notifications import due, events, services

    events.connect()
    due.connect()

    def unread_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    app.jinja_env.globals["unread_count"] = unread_count
