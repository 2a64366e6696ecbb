"""``lecturehub remind``: for cron or Windows Task Scheduler (thin: parse, call, print)."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from lecturehub.core import timeutil
from lecturehub.notifications import due


def parse_moment(text: str | None) -> dt.datetime:
    """ISO 8601, with or without an offset (without: local time); now when not given."""
    if not text:
        return timeutil.now()
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        click.echo(
            f"时间“{text}”格式不正确，应为 ISO 8601，如 2026-11-21T18:00:00+08:00。", err=True
        )
        sys.exit(2)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timeutil.TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0)


@click.command("remind")
@click.option("--now", "moment", metavar="ISO8601", help="Compute for this moment (default: now).")
@with_appcontext
def remind_command(moment: str | None) -> None:
    """Queue the reminders due now (or at --now), deliver the outbox, print the counts."""
    report = due.remind(parse_moment(moment))
    click.echo(
        f"已排队 {report.queued} 条，已发送 {report.sent} 条"
        f"（待重试 {report.retried} 条，失败 {report.failed} 条）。"
    )


COMMANDS = (remind_command,)
