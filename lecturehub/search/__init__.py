"""Slide search (搜索): every slide of each talk's current courseware, exact Chinese matching.

The index is opened lazily: the first search or indexing in a process checks it and rebuilds
a missing or corrupt one from the database (services.get_index), so creating the app stays fast.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from lecturehub.core.templating import add_lecture_panel, add_nav
    from lecturehub.search import panels
    from lecturehub.search.services import LOCK_KEY

    add_nav(app, "search.search", "搜索", order=30)
    add_lecture_panel(app, panels.slides_panel, order=12)  # after the courseware panel
    app.extensions.setdefault(LOCK_KEY, threading.RLock())
