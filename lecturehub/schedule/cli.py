"""``lecturehub schedule …``: plan a term from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from lecturehub.core.errors import ServiceError
from lecturehub.core.timeutil import format_datetime_zh, parse_date
from lecturehub.schedule import services
from lecturehub.schedule.generation import generate_sessions


@click.group("schedule")
def schedule_group() -> None:
    """Sessions of the series (每周两课, 每周两操)."""


@schedule_group.command("generate")
@click.option("--from", "start", required=True, help="First date, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last date, YYYY-MM-DD.")
@click.option("--series", "series_id", type=int, help="Only this series (id).")
@with_appcontext
def generate_command(start: str, end: str, series_id: int | None) -> None:
    """Create the sessions of a date range, skipping statutory holidays (idempotent)."""
    try:
        result = generate_sessions(
            parse_date(start), parse_date(end), services.series_for(series_id)
        )
    except ServiceError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
    for session in result.created:
        click.echo(
            f"新建  {format_datetime_zh(session.starts_at)}  {session.series.name}  {session.venue}"
        )
    for skipped in result.skipped:
        click.echo(f"跳过  {skipped.date.isoformat()}  {skipped.series.name}  {skipped.reason}")
    click.echo(
        f"共新建 {len(result.created)} 场，已存在 {len(result.existing)} 场，"
        f"跳过 {len(result.skipped)} 场。"
    )
    for warning in result.warnings:
        click.echo(f"注意：{warning}", err=True)


COMMANDS = (schedule_group,)
