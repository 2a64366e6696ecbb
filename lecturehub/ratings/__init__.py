"""Ratings (评价): people who signed in rate the talks they heard; aggregates only, and only
from RATING_MIN_COUNT raters on, so the rating stays anonymous in a small group."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lecturehub.core.templating import add_home_card, add_lecture_panel, add_nav
    from lecturehub.ratings import panels

    add_nav(app, "ratings.index", "评价", order=45)
    add_lecture_panel(app, panels.lecture_panel, order=40)
    add_home_card(app, panels.home_card, order=15)
