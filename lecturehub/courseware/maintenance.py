"""Slide images that should be there: ``lecturehub previews [--missing]``, what ``lecturehub
check`` reports, and the worker's periodic catch-up.

Every talk's current version gets images. The upload queues them; this module finds the
versions that have none (stored before this feature existed, uploaded while LibreOffice was
not installed, or whose derived files were deleted) and makes or queues them.
"""

from __future__ import annotations

from collections.abc import Callable

from lecturehub.core import signals
from lecturehub.core.models import QUEUED, RUNNING
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import analysing, conversion, previews, services
from lecturehub.courseware.formats import CONVERTED
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db

SCAN_KEY = "lecturehub_previews_scanned_at"
SCAN_BATCH = 50  # versions queued per scan at most: the worker renders one at a time anyway


def current_versions() -> list[Courseware]:
    """Every talk's current version, by talk."""
    rows = services.current_for(sorted(services.current_ids()))
    return [rows[lecture_id] for lecture_id in sorted(rows)]


def missing(rows: list[Courseware], *, failed_too: bool = False) -> list[Courseware]:
    """The versions among ``rows`` without images (those known to fail only if asked)."""
    return [
        row
        for row in rows
        if previews.manifest(row.sha256) is None
        and (failed_too or previews.failure(row.sha256) is None)
    ]


def can_make(row: Courseware) -> bool:
    tools = analysing.office_tools()
    return tools.can_convert if row.source_format in CONVERTED else tools.can_render


def rebuild(
    rows: list[Courseware], progress: Callable[[Courseware], None] | None = None
) -> tuple[list[Courseware], list[tuple[Courseware, str]]]:
    """Do the background work of each version here and now, one original at a time; returns
    the versions now with images, and the others with the reason."""
    ready, failed = [], []
    for row in rows:
        sha256 = row.sha256
        (previews.deck_dir(sha256) / "failed.json").unlink(missing_ok=True)
        conversion.process_deck(sha256)
        if previews.manifest(sha256) is not None:
            ready.append(row)
        else:
            failed.append((row, previews.state_of(row).message))
        if progress is not None:
            progress(row)
    return ready, failed


def problems() -> list[str]:
    """What ``lecturehub check`` says about slide images: one line per current version that
    has none and nothing on the way (no job queued or running, or its last attempt failed),
    when this server can make them. Without LibreOffice there are none to miss."""
    lines = []
    for row in missing(current_versions(), failed_too=True):
        if can_make(row) and previews.job_state(row.sha256)[0] not in (QUEUED, RUNNING):
            state, title = previews.state_of(row), row.lecture.title or "（待定）"
            reason = f"（{state.message}）" if state.status == previews.FAILED_STATUS else ""
            lines.append(
                f"讲学 #{row.lecture_id}「{title}」第 {row.version} 版课件没有幻灯片图片{reason}"
            )
    return lines


@signals.worker_tick.connect
def _queue_missing(app, at=None, **_) -> None:
    """The worker's leader, every PREVIEWS_SCAN_MINUTES: queue the work of current versions
    that have no images and no job, and clear work directories a killed process left."""
    minutes = float(app.config["PREVIEWS_SCAN_MINUTES"])
    last, at = app.extensions.get(SCAN_KEY), at or local_now()
    if minutes <= 0 or (last is not None and (at - last).total_seconds() < minutes * 60):
        return
    app.extensions[SCAN_KEY] = at
    previews.remove_stale_work()
    waiting = [row for row in missing(current_versions()) if can_make(row)]
    for row in [r for r in waiting if previews.job_state(r.sha256)[0] is None][:SCAN_BATCH]:
        conversion.queue(row)
    db.session.commit()
