"""The one upload path, shared by the no-JavaScript form on the talk's page and the API.

store → analyse → save is ``services.upload_courseware`` (spool the stream into the store while
hashing it, analyse the temporary file, move it under its SHA-256, insert the row); then the new
version goes to the search index (``search.services.index_version``), and a deck over the limit
is announced to the talk's speaker (``notifications.workflow.over_limit``). Joining the two features
is the web layer's job (STYLE: views and api may call any feature's services); the page and the
API differ only in how they read the file and answer.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from lecturehub.auth.models import User
from lecturehub.courseware import services
from lecturehub.courseware.models import Courseware
from lecturehub.notifications import workflow as notifications
from lecturehub.schedule.models import Lecture
from lecturehub.search import services as search_services

log = logging.getLogger(__name__)


def upload_and_index(
    lecture: Lecture, fileobj: BinaryIO | None, filename: str | None, by: User
) -> tuple[Courseware, bool]:
    """Store, analyse and save a new version, then index it; ``(existing, False)`` when the
    same bytes were uploaded before (nothing new to index).

    The saved upload stands whatever the index does: a failure to index is logged, and the
    index catches up at its next check (first use in a process, ``lecturehub check --repair``).
    """
    row, created = services.upload_courseware(lecture, fileobj, filename, by)
    if created:
        try:
            search_services.index_version(row)
        except Exception:
            log.exception("search indexing failed for courseware %s", row.id)
        try:
            notifications.over_limit(row)  # over one hour: the speaker is told what to cut
        except Exception:
            log.exception("notifying the speaker of courseware %s failed", row.id)
    return row, created
