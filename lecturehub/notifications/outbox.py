"""The outbox: every message is a row first, then delivered once — never twice.

- ``insert(rows)`` writes rows with ``INSERT … ON CONFLICT (key) DO NOTHING``: the same
  reminder computed again (a restart, a second server process, ``lecturehub remind`` run
  twice) has the same key and adds nothing. In-app rows are delivered by this write.
- ``drain(at)`` delivers what is due, one row at a time: a conditional UPDATE claims the row
  (``queued`` → ``sending``, committed) so no other process can take it, the message goes out,
  the row becomes ``sent``. A failure that sent nothing is retried with the background
  jobs' backoff (``core.jobs.backoff``) up to NOTIFY_MAX_TRIES; a refusal fails at once.
- A row left in ``sending`` by a process that died (its lease ran out) may or may not have gone
  out: it is marked failed with that explanation, for an admin to check and retry, rather than
  sent a second time (``recover``).
- Quiet hours (NOTIFY_QUIET_START–NOTIFY_QUIET_END, 22:00–07:00): e-mail and robot messages
  wait until the end, except a change about a session that is today, or that starts before
  the quiet hours end (a 06:00 training cancelled at 22:30 must not wait until 07:00).

This is not a second job queue: it runs on ``core.jobs``' worker (its leader's
``worker_tick``) and in ``lecturehub remind``; it is the durable record the issue asks for, with
per-message state that the 消息 page and the admin's outbox page read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, render_template
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from lecturehub.core import jobs
from lecturehub.core.timeutil import TZ
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.notifications import channels
from lecturehub.notifications.models import (
    DINGTALK,
    EMAIL,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    WECOM,
    Notification,
)

log = logging.getLogger(__name__)
CHUNK = 500  # rows per INSERT (SQLite's limit on bound parameters)
INTERRUPTED = "发送过程中服务中断，无法确认是否已送达；为避免重复发送未自动重试，请核实后手动重试。"


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


# --- when ----------------------------------------------------------------------------------


def _clock(text: str) -> dt.time:
    hour, minute = (int(x) for x in str(text).split(":"))
    return dt.time(hour, minute)


def quiet_end(at: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``at`` falls in, or None when ``at`` is not in them."""
    config = current_app.config
    start, end = _clock(config["NOTIFY_QUIET_START"]), _clock(config["NOTIFY_QUIET_END"])
    t = at.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    ends = dt.datetime.combine(at.date(), end)
    return ends if ends > at else ends + dt.timedelta(days=1)


def deliver_at(at: dt.datetime, event_at: dt.datetime | None) -> dt.datetime:
    """When a push message (e-mail, robot) may go out: now, or the end of the quiet hours."""
    ends = quiet_end(at)
    if ends is None:
        return at
    if event_at is not None and (event_at.date() == at.date() or event_at <= ends):
        return at  # a same-day change: it cannot wait
    return ends


# --- writing -------------------------------------------------------------------------------


INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # the two we support


def _insert_statement():
    """INSERT … ON CONFLICT (key) DO NOTHING, in the database's own dialect."""
    make = INSERTS[db.session.get_bind().dialect.name]
    return make(Notification).on_conflict_do_nothing(index_elements=["key"])


def insert(rows: list[dict]) -> int:
    """Write the rows whose key is new, commit, and return how many were written."""
    written = 0
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        statement = _insert_statement().values(chunk).returning(Notification.id)
        written += len(db.session.execute(statement).all())
    db.session.commit()
    return written


# --- delivering ----------------------------------------------------------------------------


def recover(at: dt.datetime) -> int:
    """Rows whose sender died mid-send (lease ran out): failed, to be checked, never resent."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.state == SENDING, Notification.locked_until < at)
        .values(state=FAILED, error=INTERRUPTED, locked_until=None)
    )
    db.session.commit()
    return result.rowcount


def _due(at: dt.datetime, skip: Iterable[str]):
    query = select(Notification.id, Notification.channel).where(
        Notification.state == QUEUED, Notification.next_try_at <= at
    )
    skip = list(skip)
    if skip:
        query = query.where(Notification.channel.not_in(skip))
    return query.order_by(Notification.next_try_at, Notification.id).limit(1)


def claim(row_id: int, at: dt.datetime) -> Notification | None:
    """Take the row for this process (None when another one took it first)."""
    lease = dt.timedelta(seconds=int(current_app.config["NOTIFY_SEND_LEASE_SECONDS"]))
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == row_id,
            Notification.state == QUEUED,
            Notification.next_try_at <= at,
        )
        .values(state=SENDING, locked_until=at + lease, tries=Notification.tries + 1)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(
        Notification, row_id, populate_existing=True, options=[joinedload(Notification.user)]
    )


def _finish(row_id: int, **values) -> None:
    db.session.execute(update(Notification).where(Notification.id == row_id).values(**values))
    db.session.commit()


def _record_failure(row: Notification, error: channels.DeliveryError, at: dt.datetime) -> str:
    """Retry later when that is safe and tries are left; otherwise fail. Returns the state."""
    message = str(error)[:2000]
    if isinstance(error, channels.Unknown):
        message = f"{message}（未自动重试，以免重复发送）"
    retry = isinstance(error, channels.Retry)
    if retry and row.tries < int(current_app.config["NOTIFY_MAX_TRIES"]):
        later = deliver_at(at + jobs.backoff(row.tries), row.event_at)
        _finish(row.id, state=QUEUED, error=message, locked_until=None, next_try_at=later)
        return QUEUED
    _finish(row.id, state=FAILED, error=message, locked_until=None)
    return FAILED


@dataclass
class Senders:
    """What one drain holds open: the SMTP connection, and the channels found down.

    A connection is made before a row is claimed, so the only network work inside a claim is
    handing over that one message."""

    mailer: channels.Mailer | None = None
    down: set[str] = field(default_factory=set)

    def prepare(self, channel: str) -> None:
        """Be ready to send on ``channel``, or raise the DeliveryError that stops it."""
        config = current_app.config
        if channel == EMAIL:
            settings = channels.MailSettings.from_config(config)
            if settings is None:
                raise channels.Permanent("未配置邮件服务器（LECTUREHUB_MAIL_SERVER）。")
            if self.mailer is None or self.mailer.settings != settings:
                self.close()
                self.mailer = channels.Mailer(settings)
            self.mailer.connect()
        elif channel in ROBOT_SETTINGS and not config[ROBOT_SETTINGS[channel]]:
            setting = ROBOT_SETTINGS[channel]
            raise channels.Permanent(f"未配置群机器人（LECTUREHUB_{setting}）。")
        elif channel not in ROBOT_SETTINGS:
            raise channels.Permanent(f"未知的发送渠道：{channel}")

    def close(self) -> None:
        if self.mailer is not None:
            self.mailer.close()
            self.mailer = None


ROBOT_SETTINGS = {WECOM: "WECOM_WEBHOOK", DINGTALK: "DINGTALK_WEBHOOK"}


def absolute(path: str) -> str:
    """A link for e-mail and robots: BASE_URL + path ("" when BASE_URL is not set)."""
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{path}" if base and path else ""


def robot_markdown(row: Notification) -> str:
    link = absolute(row.url)
    return row.body + (f"\n[查看详情]({link})" if link else "")


def _email_for(row: Notification, settings: channels.MailSettings, at) -> tuple:
    user = row.user
    if user is None or not user.email:
        raise channels.Permanent("收件人没有电子邮箱地址。")
    link = absolute(row.url)
    text = row.body + (f"\n\n{link}" if link else "")
    html = render_template("notifications/email.html", row=row, link=link)
    domain = settings.sender_address.domain or "lecturehub"
    mail = channels.Email(
        user.name, user.email, row.title, text, html, f"<notification-{row.id}@{domain}>"
    )
    return channels.build_email(settings, mail, at.replace(tzinfo=TZ)), user.email


def _send(row: Notification, senders: Senders, at: dt.datetime) -> None:
    config = current_app.config
    timeout = float(config["NOTIFY_ROBOT_TIMEOUT"])
    if row.channel == EMAIL:
        senders.mailer.send(*_email_for(row, senders.mailer.settings, at))
    elif row.channel == WECOM:
        channels.send_wecom(config["WECOM_WEBHOOK"], row.title, robot_markdown(row), timeout)
    else:
        secret = str(config["DINGTALK_SECRET"] or "")
        channels.send_dingtalk(
            config["DINGTALK_WEBHOOK"], secret, row.title, robot_markdown(row), timeout
        )


def _failed(row, senders: Senders, error, at, report: DrainReport) -> None:
    state = _record_failure(row, error, at)
    if state == QUEUED:
        report.retried += 1
    else:
        report.failed += 1
    mailer_lost = row.channel == EMAIL and (senders.mailer is None or senders.mailer.smtp is None)
    if row.channel != EMAIL or mailer_lost:
        senders.down.add(row.channel)  # the server is away: the rest wait for the next drain
    log.warning("notification %s (%s) not sent: %s", row.id, row.channel, error)


def deliver(row: Notification, senders: Senders, at: dt.datetime, report: DrainReport) -> None:
    """Send one claimed row and record how it went."""
    try:
        _send(row, senders, at)
    except channels.DeliveryError as error:
        _failed(row, senders, error, at, report)
        return
    _finish(row.id, state=SENT, sent_at=at, error=None, locked_until=None)
    report.sent += 1


def _next(moment: dt.datetime, senders: Senders, report: DrainReport) -> bool:
    """Deliver the next due row; False when none is left."""
    candidate = db.session.execute(_due(moment, senders.down)).first()
    if candidate is None:
        return False
    try:
        senders.prepare(candidate.channel)
        problem = None
    except channels.DeliveryError as error:
        problem = error
    row = claim(candidate.id, moment)
    if row is None:  # another process took it
        return True
    if problem is not None:
        _failed(row, senders, problem, moment, report)
    else:
        deliver(row, senders, moment, report)
    return True


def drain(at: dt.datetime | None = None, limit: int | None = None) -> DrainReport:
    """Deliver every push message due at ``at`` (default: now), one at a time."""
    report, senders = DrainReport(), Senders()
    recover(at or local_now())
    try:
        while limit is None or report.sent + report.failed + report.retried < limit:
            if not _next(at or local_now(), senders, report):
                break
    finally:
        senders.close()
        db.session.rollback()
    return report


def requeue(row_id: int, at: dt.datetime | None = None) -> bool:
    """An admin's 重试: a failed row goes back to the queue from its first try."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == row_id, Notification.state == FAILED)
        .values(state=QUEUED, tries=0, error=None, next_try_at=at or local_now())
    )
    db.session.commit()
    return result.rowcount == 1


def counts(where=()) -> dict[str, int]:
    query = select(Notification.state, func.count()).group_by(Notification.state)
    for condition in where:
        query = query.where(condition)
    rows = dict(db.session.execute(query).all())
    return {state: rows.get(state, 0) for state in (QUEUED, SENDING, SENT, FAILED)}
