"""Template globals and filters shared by every feature."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app
from flask_login import current_user

from lecturehub.core import timeutil
from lecturehub.core.markup import render_markdown
from lecturehub.core.security import ROLES, has_role

# Navigation entries: (endpoint, label, roles). Features add theirs with ``add_nav``.
NAV_KEY = "lecturehub_nav"


def add_nav(
    app: Flask, endpoint: str, label: str, roles: tuple[str, ...] = ("member",), order: int = 50
) -> None:
    app.extensions.setdefault(NAV_KEY, []).append((order, endpoint, label, roles))


def nav_items() -> list[tuple[str, str]]:
    items = sorted(current_app.extensions.get(NAV_KEY, []), key=lambda x: x[0])
    return [(ep, label) for _, ep, label, roles in items if has_role(current_user, *roles)]


def _duration(seconds: float | int | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    minutes, sec = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分 {sec:02d} 秒" if sec else f"{minutes} 分钟"


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        nav_items=nav_items,
        lecture_panels=lecture_panels,
        session_panels=session_panels,
        has_role=lambda *roles: has_role(current_user, *roles),
        ROLES=ROLES,
        now=timeutil.now,
    )
    app.jinja_env.filters.update(
        markdown=render_markdown,
        date_zh=lambda d: timeutil.format_date_zh(d) if d else "—",
        datetime_zh=lambda d: timeutil.format_datetime_zh(d) if d else "—",
        duration=_duration,
        hm=lambda t: t.strftime("%H:%M") if isinstance(t, dt.time | dt.datetime) else "—",
        weekday_zh=lambda d: timeutil.WEEKDAYS_ZH[d.weekday()],
    )


# Home page cards: features register ``fn(user) -> Markup | None`` (rendered partials).
HOME_KEY = "lecturehub_home_cards"


def add_home_card(app: Flask, fn, order: int = 50) -> None:
    app.extensions.setdefault(HOME_KEY, []).append((order, fn))


def _render_all(key: str, obj) -> list:
    """Render every registered card/panel; one that fails is logged and left out, so a
    broken feature never takes the home page or a talk's page down with it."""
    rendered = []
    for _, fn in sorted(current_app.extensions.get(key, []), key=lambda x: x[0]):
        try:
            html = fn(obj)
        except Exception:  # noqa: BLE001 - isolate features from each other
            current_app.logger.exception("panel %s failed", getattr(fn, "__qualname__", fn))
            if current_app.testing:
                raise
            continue
        if html:
            rendered.append(html)
    return rendered


def home_cards(user) -> list:
    return _render_all(HOME_KEY, user)


# Panels on a talk's page (courseware, attendance, ratings …): ``fn(lecture) -> Markup | None``.
LECTURE_PANELS_KEY = "lecturehub_lecture_panels"


def add_lecture_panel(app: Flask, fn, order: int = 50) -> None:
    app.extensions.setdefault(LECTURE_PANELS_KEY, []).append((order, fn))


def lecture_panels(lecture) -> list:
    return _render_all(LECTURE_PANELS_KEY, lecture)


# Panels on a session's page (sign-in screen link, attendance …): ``fn(session) -> Markup | None``.
SESSION_PANELS_KEY = "lecturehub_session_panels"


def add_session_panel(app: Flask, fn, order: int = 50) -> None:
    app.extensions.setdefault(SESSION_PANELS_KEY, []).append((order, fn))


def session_panels(session) -> list:
    return _render_all(SESSION_PANELS_KEY, session)


# Providers that higher features register so lower ones can show their facts without
# importing them, e.g. "courseware_status": fn(list[lecture_id]) -> {id: status dict}.
def provide(app: Flask, name: str, fn) -> None:
    app.extensions.setdefault("lecturehub_providers", {})[name] = fn


def provider(name: str):
    """The registered provider, or None when the feature that offers it is absent."""
    return current_app.extensions.get("lecturehub_providers", {}).get(name)
