"""The schedule: series, sessions, talks (讲学), the rotation of departments, calendar feeds."""

from __future__ import annotations

from flask import Flask

from lecturehub.core.templating import add_home_card, add_nav


def init_app(app: Flask) -> None:
    from lecturehub.schedule.cards import home_card

    add_nav(app, "schedule.index", "日程", order=10)
    add_nav(app, "schedule.my_talks", "我的讲学", order=20)
    add_nav(app, "schedule.dashboard", "排课", ("admin",), order=80)
    add_home_card(app, home_card, order=10)
