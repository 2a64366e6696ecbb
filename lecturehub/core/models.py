"""Tables of the core: the durable job queue and the leases that elect one leader.

Both live in the application database, so they work the same on SQLite and PostgreSQL, survive
restarts and are shared by every server process that uses the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lecturehub.core.timeutil import now
from lecturehub.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_STATES = (QUEUED, RUNNING, DONE, FAILED)


class Job(db.Model):
    """One unit of background work: call ``task`` (``module:function``) with ``args``.

    ``key`` is unique when set, so the same work (e.g. "previews of version 12") is queued
    once however many processes or requests ask for it.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    tries: Mapped[int] = mapped_column(default=0)
    max_tries: Mapped[int] = mapped_column(default=5)
    run_after: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    locked_until: Mapped[dt.datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    finished_at: Mapped[dt.datetime | None]


class Lease(db.Model):
    """A named lease held by one process until ``expires_at`` (leader election)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]
