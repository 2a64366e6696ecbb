"""Background work: a durable job queue in the database, and a worker that drains it.

Why our own table rather than huey or Celery: the queue must survive restarts, must be shared by
several server processes on PostgreSQL as well as work in one process on SQLite, and must need
nothing installed or running beside the app (a township server on Windows, offline). A table in
the application database gives all three; a job is queued in the same transaction as the write
that needs it, so neither can be lost without the other.

- ``enqueue(task, key=..., **args)`` adds a job to the current transaction (the caller commits);
  ``submit`` does the same and commits; ``resubmit`` also runs a finished job of that key again
  (work due again at every start, queued once however many processes start together). ``task`` is a module-level function marked ``@task``.
- ``run_pending()`` claims due jobs one at a time with a conditional UPDATE, so two processes
  never run the same job; a failure is retried with exponential backoff, then marked failed.
  A job whose worker died (its lease ran out) is claimed again.
- ``Worker`` is the thread ``lecturehub serve`` starts: every few seconds one process (the
  leader, elected through a lease row) sends ``signals.worker_tick`` for periodic work, then
  every process runs due jobs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lecturehub.core import signals
from lecturehub.core.models import DONE, FAILED, QUEUED, RUNNING, Job, Lease
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db

log = logging.getLogger(__name__)

TASK_MARK = "__lecturehub_task__"
LEADER = "worker"


def task(fn: Callable) -> Callable:
    """Mark a module-level function as runnable by the worker (nothing else can be named in
    a job row, whatever the database says)."""
    setattr(fn, TASK_MARK, True)
    return fn


def task_name(fn: Callable) -> str:
    if not getattr(fn, TASK_MARK, False) or "." in fn.__qualname__:
        raise ValueError(f"{fn!r} is not a module-level function marked @task")
    return f"{fn.__module__}:{fn.__qualname__}"


def resolve(name: str) -> Callable:
    module_name, _, attr = name.partition(":")
    fn = getattr(importlib.import_module(module_name), attr, None)
    if fn is None or not getattr(fn, TASK_MARK, False):
        raise LookupError(f"no task named {name}")
    return fn


# --- queueing ----------------------------------------------------------------------------------


def enqueue(
    fn: Callable,
    *,
    key: str | None = None,
    run_after: dt.datetime | None = None,
    max_tries: int | None = None,
    **args,
) -> Job:
    """Add a job to the current transaction; with a key already queued, return that job."""
    if key is not None:
        existing = db.session.scalar(select(Job).where(Job.key == key))
        if existing is not None:
            return existing
    job = Job(
        task=task_name(fn),
        args=args,
        key=key,
        run_after=run_after or local_now(),
        max_tries=max_tries or int(current_app.config["JOBS_MAX_TRIES"]),
    )
    db.session.add(job)
    return job


def enqueue_again(fn: Callable, *, key: str, **args) -> Job:
    """Like ``enqueue``, but a finished (done or failed) job with this key is queued again
    from its first try, with these args: work keyed by content that must be redone (the
    same file uploaded again after its derived data was deleted)."""
    existing = db.session.scalar(select(Job).where(Job.key == key))
    if existing is None:
        return enqueue(fn, key=key, **args)
    if existing.state in (DONE, FAILED):
        existing.state, existing.tries, existing.error = QUEUED, 0, None
        existing.args, existing.run_after, existing.finished_at = args, local_now(), None
    return existing


def submit(fn: Callable, *, key: str | None = None, **kwargs) -> bool:
    """Enqueue and commit; False when a job with the same key exists (queued by us earlier or
    by another process at the same moment). Call it with nothing else pending in the session:
    a duplicate found at commit rolls the session back."""
    try:
        created = enqueue(fn, key=key, **kwargs) in db.session.new
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return created


def resubmit(fn: Callable, *, key: str, **kwargs) -> bool:
    """Queue ``fn`` under ``key``, or queue the finished (done or failed) job of that key
    again; False when it is queued or running already. For work that is due again whenever
    something happens — a server start — and should run once however many ask at once."""
    if submit(fn, key=key, **kwargs):
        return True
    job_id = db.session.scalar(select(Job.id).where(Job.key == key))
    return job_id is not None and requeue(job_id)


def requeue(job_id: int) -> bool:
    """Run a failed (or finished) job again from its first try (the admin's 重试)."""
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.in_((FAILED, DONE)))
        .values(state=QUEUED, tries=0, error=None, run_after=local_now(), finished_at=None)
    )
    db.session.commit()
    return result.rowcount == 1


def recent(state: str | None = None, limit: int = 50) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == state)
    return list(db.session.scalars(query))


def counts() -> dict[str, int]:
    rows = db.session.execute(select(Job.state, func.count()).group_by(Job.state))
    return {QUEUED: 0, RUNNING: 0, DONE: 0, FAILED: 0, **dict(rows.all())}


# --- running -----------------------------------------------------------------------------------


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.done + self.retried + self.failed


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _due(at: dt.datetime):
    """Queued jobs whose time has come, and running jobs whose worker's lease ran out."""
    return or_(
        and_(Job.state == QUEUED, Job.run_after <= at),
        and_(Job.state == RUNNING, Job.locked_until < at),
    )


def claim(at: dt.datetime, holder: str) -> Job | None:
    """Take the next due job for this worker, or None. The UPDATE only succeeds for one of
    several workers racing for the same row (its WHERE re-checks that the job is still due)."""
    lease = dt.timedelta(seconds=int(current_app.config["JOBS_LEASE_SECONDS"]))
    while True:
        candidate = db.session.scalar(
            select(Job.id).where(_due(at)).order_by(Job.run_after, Job.id).limit(1)
        )
        if candidate is None:
            db.session.rollback()
            return None
        result = db.session.execute(
            update(Job)
            .where(Job.id == candidate, _due(at))
            .values(state=RUNNING, locked_until=at + lease, locked_by=holder, tries=Job.tries + 1)
        )
        db.session.commit()
        if result.rowcount == 1:
            return db.session.get(Job, candidate, populate_existing=True)


def backoff(tries: int) -> dt.timedelta:
    base = float(current_app.config["JOBS_RETRY_SECONDS"])
    return dt.timedelta(seconds=min(base * 2 ** (tries - 1), 3600))


def _finish(job_id: int, **values) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def run_one(job: Job, at: dt.datetime, report: RunReport) -> None:
    """Run a claimed job; record done, a retry after backoff, or the final failure."""
    job_id, tries, max_tries, name = job.id, job.tries, job.max_tries, job.task
    try:
        resolve(name)(**job.args)
    except Exception as exc:  # a task's failure must never stop the worker
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("job %s (%s) failed on try %s: %s", job_id, name, tries, error)
        if tries >= max_tries:
            _finish(job_id, state=FAILED, error=error, locked_until=None, finished_at=at)
            report.failed += 1
        else:
            _finish(
                job_id, state=QUEUED, error=error, locked_until=None, run_after=at + backoff(tries)
            )
            report.retried += 1
        return
    _finish(job_id, state=DONE, error=None, locked_until=None, finished_at=local_now())
    report.done += 1


def run_pending(*, at: dt.datetime | None = None, limit: int | None = None) -> RunReport:
    """Run every job due at ``at`` (default: now), one at a time; return what happened."""
    report, holder = RunReport(), worker_id()
    while limit is None or report.total < limit:
        job = claim(at or local_now(), holder)
        if job is None:
            break
        run_one(job, at or local_now(), report)
    return report


def purge_finished(older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Forget jobs that finished long ago (failed ones stay until someone looks)."""
    cutoff = local_now() - older_than
    result = db.session.execute(delete(Job).where(Job.state == DONE, Job.finished_at < cutoff))
    db.session.commit()
    return result.rowcount


# --- one leader among several processes --------------------------------------------------------


def acquire_lease(name: str, holder: str, seconds: float, at: dt.datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while another holder's is live."""
    at = at or local_now()
    expires = at + dt.timedelta(seconds=seconds)
    result = db.session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < at))
        .values(holder=holder, expires_at=expires)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    if db.session.get(Lease, name) is not None:
        db.session.rollback()
        return False
    try:
        db.session.add(Lease(name=name, holder=holder, expires_at=expires))
        db.session.commit()
    except IntegrityError:  # another process created it at the same moment
        db.session.rollback()
        return False
    return True


def release_lease(name: str, holder: str) -> None:
    db.session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
    db.session.commit()


# --- the worker thread -------------------------------------------------------------------------


def tick(app: Flask, holder: str, at: dt.datetime | None = None) -> RunReport:
    """One round: the leader does the periodic work (``signals.worker_tick``), then every
    process runs the jobs that are due."""
    interval = float(app.config["WORKER_INTERVAL_SECONDS"])
    if acquire_lease(LEADER, holder, seconds=max(interval * 6, 30), at=at):
        for receiver in signals.worker_tick.receivers_for(app):
            try:
                receiver(app, at=at or local_now())
            except Exception:  # one feature's periodic work must not stop another's
                log.exception("periodic work %s failed", getattr(receiver, "__name__", receiver))
            db.session.rollback()  # the next receiver starts from a clean session
    return run_pending(at=at)


class Worker(threading.Thread):
    """The background thread of ``lecturehub serve``: ``tick`` every WORKER_INTERVAL_SECONDS."""

    def __init__(self, app: Flask):
        super().__init__(name="lecturehub-worker", daemon=True)
        self.app = app
        self.interval = float(app.config["WORKER_INTERVAL_SECONDS"])
        self.stopping = threading.Event()
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            with self.app.app_context():
                try:
                    tick(self.app, self.holder)
                except Exception:  # the database was busy or gone: try again next round
                    log.exception("background worker round failed")
                    db.session.rollback()
                finally:
                    db.session.remove()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)
        with self.app.app_context():
            release_lease(LEADER, self.holder)
