"""Reminders computed from the clock: what is due at a moment ``at``, and ``remind``.

Every function here is idempotent in ``at``: it queues messages under keys that name the
occasion (this talk, this speaker, this deadline, this stage), so running it again — the next
worker round, ``lecturehub remind`` from cron, a second server process — queues nothing new.
A stage that was missed (the server was off) is not made up for by an older one: three days
before the deadline goes out only while it is still the latest stage due.

- courseware: COURSEWARE_REMIND_DAYS (3 and 1) days before the deadline, and once when it has
  passed, to the speaker (not to one who declined); the overdue talks in a daily digest to the
  admins from NOTIFY_DAILY_AT (08:00);
- ratings: when a talk's window opens, to the attendees who may rate it; one day before it
  closes, to those who have not rated (each message goes to its recipient only);
- the month's satisfaction report, from NOTIFY_DAILY_AT on the 1st (to the 3rd), to 组织办;
- the group robots: the week's schedule on Monday from NOTIFY_DAILY_AT, and each session's
  sign-in message while its sign-in window is open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from lecturehub.attendance import services as attendance_services
from lecturehub.auth import services as auth_services
from lecturehub.auth.models import User
from lecturehub.core import jobs, periods, signals
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware import status as courseware_status
from lecturehub.extensions import db
from lecturehub.notifications import messages, outbox, services, workflow
from lecturehub.notifications.models import Notification
from lecturehub.ratings import services as rating_services
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import Lecture, Session

LOOKAHEAD_DAYS = 30
REPORT_DAYS = 3  # the monthly report is announced on the 1st, or up to the 3rd if missed
DUE_LEASE = "notifications-due"


def _daily_at() -> dt.time:
    return outbox._clock(current_app.config["NOTIFY_DAILY_AT"])


def _remind_days() -> list[int]:
    return sorted({int(d) for d in current_app.config["COURSEWARE_REMIND_DAYS"]}, reverse=True)


# --- courseware ----------------------------------------------------------------------------


def _talks_to_remind(at: dt.datetime) -> list[Lecture]:
    """Talks not yet begun (within LOOKAHEAD_DAYS), not cancelled, with a speaker who has not
    declined, and no courseware yet."""
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(
            Session.starts_at > at,
            Session.starts_at <= at + dt.timedelta(days=LOOKAHEAD_DAYS),
            Session.status != schedule_services.STATUS_CANCELLED,
            Lecture.speaker_id.is_not(None),
        )
        .order_by(Session.starts_at)
    )
    talks = list(db.session.scalars(query))
    ids = [t.id for t in talks]
    handed_in, refused = courseware_services.current_for(ids), workflow.declined(ids)
    return [t for t in talks if t.id not in handed_in and t.id not in refused]


def _stage(deadline: dt.datetime, at: dt.datetime) -> int | None:
    """The latest reminder stage due (days before the deadline), 0 once overdue, or None."""
    if at >= deadline:
        return 0
    due = [d for d in _remind_days() if at >= deadline - dt.timedelta(days=d)]
    return min(due) if due else None


def courseware_reminders(at: dt.datetime) -> int:
    queued = 0
    for talk in _talks_to_remind(at):
        deadline = courseware_status.deadline(talk)
        stage = _stage(deadline, at)
        if stage is None:
            continue
        key = f"l{talk.id}:s{talk.speaker_id}:{deadline:%Y%m%d%H%M}"
        if stage == 0:
            message, key = messages.courseware_overdue(talk, deadline), f"courseware_overdue:{key}"
        else:
            message = messages.courseware_due(talk, deadline, stage)
            key = f"courseware_due:{key}:{stage}d"
        queued += services.notify([talk.speaker], message, key, at)
    return queued


def overdue_digest(at: dt.datetime) -> int:
    """Once a day from NOTIFY_DAILY_AT: the talks past their deadline without courseware."""
    if at.time() < _daily_at():
        return 0
    overdue = [t for t in _talks_to_remind(at) if courseware_status.deadline(t) <= at]
    if not overdue:
        return 0
    message = messages.overdue_digest(at.date(), overdue)
    key = f"courseware_overdue:digest:{at:%Y%m%d}"
    return services.notify(services.admins(), message, key, at)


# --- ratings -------------------------------------------------------------------------------


def _rating_talks(at: dt.datetime) -> list[Lecture]:
    """Talks whose rating window is open at ``at``."""
    days = rating_services.window_days()
    query = (
        select(Lecture)
        .join(Session, Lecture.session_id == Session.id)
        .where(
            Session.starts_at <= at,
            Session.starts_at >= at - dt.timedelta(days=days + 1),
            Session.status != schedule_services.STATUS_CANCELLED,
        )
        .order_by(Session.starts_at)
    )
    return [t for t in db.session.scalars(query) if _window_open(t, at)]


def _window_open(lecture: Lecture, at: dt.datetime) -> bool:
    opens, closes = rating_services.window(lecture)
    return opens <= at < closes


def _may_rate(lecture: Lecture, at: dt.datetime) -> list:
    """Who may rate the talk now and has not: each is told privately."""
    people = []
    for user_id in attendance_services.signed_in_users(lecture.session_id):
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        may = rating_services.refusal(lecture, user, at) is None
        if may and rating_services.my_rating(lecture, user) is None:
            people.append(user)
    return people


def rating_reminders(at: dt.datetime) -> int:
    queued = 0
    for talk in _rating_talks(at):
        _opens, closes = rating_services.window(talk)
        closing = at >= closes - dt.timedelta(days=1)
        event = "rating_closing" if closing else "rating_open"
        message = (messages.rating_closing if closing else messages.rating_open)(talk, closes)
        for user in _may_rate(talk, at):
            key = f"{event}:l{talk.id}:u{user.id}"
            queued += services.notify([user], message, key, at)
    return queued


# --- the month's report, the robots --------------------------------------------------------


def report_ready(at: dt.datetime) -> int:
    if at.day > REPORT_DAYS or (at.day == 1 and at.time() < _daily_at()):
        return 0
    month = periods.shifted(periods.month(at.year, at.month), -1)
    organisers = auth_services.list_users(active_only=True, role="organiser")
    message = messages.report_ready(month.key, month.label)
    return services.notify(organisers, message, f"report_ready:{month.key}", at)


def weekly_schedule(at: dt.datetime) -> int:
    if at.weekday() != 0 or at.time() < _daily_at():
        return 0
    monday = at.date()
    sessions = schedule_services.list_sessions(monday, monday + dt.timedelta(days=6))
    message = messages.weekly_schedule(monday, sessions)
    return services.notify_groups(message, f"weekly_schedule:{monday:%Y%m%d}", at)


def signin_messages(at: dt.datetime) -> int:
    """For each session whose sign-in window is open: the robots' sign-in message."""
    queued = 0
    day_before = at.date() - dt.timedelta(days=1)
    for session in schedule_services.list_sessions(day_before, at.date(), active_only=True):
        opens, closes = attendance_services.window(session)
        if opens <= at < closes:
            message = messages.signin_open(session)
            queued += services.notify_groups(message, f"signin_open:sess{session.id}", at)
    return queued


COMPUTATIONS = (
    courseware_reminders,
    overdue_digest,
    rating_reminders,
    report_ready,
    weekly_schedule,
    signin_messages,
)


def queue_due(at: dt.datetime) -> int:
    """Queue everything due at ``at``; returns the rows written (0 on a second run)."""
    return sum(compute(at) for compute in COMPUTATIONS)


# --- lecturehub remind, and the worker ------------------------------------------------------


@dataclass
class RemindReport:
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def remind(at: dt.datetime) -> RemindReport:
    """``lecturehub remind``: queue what is due at ``at``, then deliver everything due.
    In-app messages are delivered by being written, so they count as sent when queued."""
    last_id = db.session.scalar(select(Notification.id).order_by(Notification.id.desc()))
    queued = queue_due(at)
    in_app = services.in_app_written_after(last_id or 0)
    report = outbox.drain(at)
    return RemindReport(queued, in_app + report.sent, report.retried, report.failed)


def on_worker_tick(app, at: dt.datetime | None = None, **_) -> None:
    """The worker's leader, every WORKER_INTERVAL_SECONDS: compute what is due (at most once
    per NOTIFY_DUE_EVERY_SECONDS across all processes, through a lease), then deliver."""
    at = at or local_now()
    every = float(app.config["NOTIFY_DUE_EVERY_SECONDS"])
    if jobs.acquire_lease(DUE_LEASE, f"due@{at.isoformat()}", seconds=every, at=at):
        queue_due(at)
    outbox.drain(at, limit=int(app.config["NOTIFY_BATCH"]))


def connect() -> None:
    """Run on the worker's leader (called by ``notifications.init_app``)."""
    signals.worker_tick.connect(on_worker_tick)
