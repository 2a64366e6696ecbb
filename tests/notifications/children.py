"""What a second server process does, for the tests that start real processes (spawn)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def remind_in_child(args: tuple[str, dict, str]) -> int:
    """``lecturehub remind --now at`` in a new process on the same database; rows it queued."""
    from lecturehub.notifications import due
    from tests.conftest import make_app

    storage, settings, at = args
    app = make_app(Path(storage), **settings)
    with app.app_context():
        return due.remind(dt.datetime.fromisoformat(at)).queued
