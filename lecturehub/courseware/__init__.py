"""Courseware (课件): uploads, versions, the one-hour check, who has handed in what."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from lecturehub.core.templating import add_home_card, add_lecture_panel, add_nav, provide
    from lecturehub.courseware import panels, status

    add_lecture_panel(app, panels.lecture_panel, order=10)
    add_home_card(app, panels.home_card, order=20)
    provide(app, "courseware_status", status.courseware_status)
    add_nav(app, "courseware.overview", "课件", ("admin",), order=40)
