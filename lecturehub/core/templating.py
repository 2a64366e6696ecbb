"""Template globals and filters shared by every page, and the main navigation."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_login import current_user

from lecturehub.core import timeutil
from lecturehub.core.markup import render_markdown
from lecturehub.core.security import ROLES, has_role

# The main navigation, in order: (endpoint, label, roles that see it).
NAV = (
    ("pages.home", "首页", ("member",)),
    ("schedule.index", "日程", ("member",)),
    ("schedule.my_talks", "我的讲学", ("member",)),
    ("search.search", "搜索", ("member",)),
    ("courseware.overview", "课件", ("admin",)),
    ("attendance.mine", "签到/考勤", ("member",)),
    ("attendance_manage.leave_queue", "请假审批", ("leader",)),
    ("attendance_audit.audit", "督查", ("admin", "inspector")),
    ("ratings.index", "评价", ("member",)),
    ("schedule_admin.dashboard", "排课", ("admin",)),
    ("reports.index", "报表", ("organiser", "admin")),
    ("auth.users", "人员", ("admin",)),
    ("notifications.outbox", "发件箱", ("admin",)),
)


def nav_items() -> list[tuple[str, str]]:
    """The entries of NAV the signed-in user may open: (endpoint, label)."""
    return [(endpoint, label) for endpoint, label, roles in NAV if has_role(current_user, *roles)]


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        nav_items=nav_items,
        has_role=lambda *roles: has_role(current_user, *roles),
        ROLES=ROLES,
        now=timeutil.now,
    )
    app.jinja_env.filters.update(
        markdown=render_markdown,
        date_zh=lambda d: timeutil.format_date_zh(d) if d else "—",
        datetime_zh=lambda d: timeutil.format_datetime_zh(d) if d else "—",
        duration=timeutil.clock,
        hm=lambda t: t.strftime("%H:%M") if isinstance(t, dt.time | dt.datetime) else "—",
        weekday_zh=lambda d: timeutil.WEEKDAYS_ZH[d.weekday()],
    )
