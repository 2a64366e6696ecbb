"""The home page card: my next talk, and the next lecture and training (with any change)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from lecturehub.core import timeutil
from lecturehub.schedule import lectures, services
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING


def home_card(user) -> Markup | None:
    now = timeutil.now()
    talk = lectures.next_talk(user, now)
    status = lectures.courseware_status([talk])[talk.id] if talk is not None else None
    upcoming = [
        s
        for s in (
            services.next_session(KIND_LECTURE, now),
            services.next_session(KIND_TRAINING, now),
        )
        if s is not None
    ]
    if talk is None and not upcoming:
        return None
    html = render_template(
        "schedule/_home_card.html", talk=talk, courseware=status, upcoming=upcoming
    )
    return Markup(html)  # noqa: S704 - a rendered, autoescaped template
