"""What search offers lower features (they call it only through ``provider(name)``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from lecturehub.core.templating import provide
    from lecturehub.search import services

    # Courseware, after an upload or a deleted version: fn(lecture_id).
    provide(app, "search_index_deck", services.index_lecture)
    # Schedule, after a talk's title/speaker/department/category/date changed: fn(lecture_id).
    provide(app, "search_lecture_changed", services.lecture_changed)
