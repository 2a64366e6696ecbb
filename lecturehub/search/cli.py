"""``lecturehub reindex [--engine NAME]`` and ``lecturehub check [--repair] [--engine NAME]``.

reindex rebuilds the slide index from the database and the stored decks beside the live one
(a fresh directory, or table) that is swapped in at the end, so search keeps answering
meanwhile. With --engine, another engine's index is built (or checked) beside the configured
one, before switching LECTUREHUB_SEARCH_ENGINE to it without downtime. check reports talks whose
current version is missing from the index or stale there (older version, outdated title,
speaker, department, category or date), courseware files whose SHA-256 no longer matches, and
temp files left by interrupted uploads; --repair fixes the index (re-adds or removes decks, or
rebuilds an unreadable index) and removes those temp files. A damaged file cannot be repaired
here: upload it again or restore it from a backup. Exit status 0 when all is well (after
repairs), 1 when problems remain.
"""

from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext

from lecturehub.core.errors import ServiceError
from lecturehub.courseware import maintenance as courseware_maintenance
from lecturehub.courseware import services as courseware_services
from lecturehub.search import maintenance, services
from lecturehub.search.index import ENGINES

ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="Another engine's index than LECTUREHUB_SEARCH_ENGINE's (built beside it).",
)


def _engine(name: str | None) -> str:
    """The engine named (or configured), or exit 2 with the Chinese reason it cannot run."""
    try:
        return services.engine_name(name)
    except ServiceError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:.0f} 页/秒" if seconds > 0 else "—"


@click.command("reindex")
@click.option(
    "--procs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Index in this many processes.",
)
@ENGINE_OPTION
@with_appcontext
def reindex_command(procs: int, engine: str | None) -> None:
    """Rebuild the slide search index from the database (swapped in atomically)."""
    name = _engine(engine)
    total, started, done = courseware_services.current_slides_total(), time.monotonic(), [0]

    def progress(count: int) -> None:
        bar.update(max(0, count - done[0]))
        done[0] = max(done[0], count)

    with click.progressbar(
        length=total,
        label=f"重建搜索索引（{name}）",
        show_eta=True,
        show_pos=True,
        item_show_func=lambda _: _rate(done[0], time.monotonic() - started),
        file=sys.stderr,
    ) as bar:
        count = services.rebuild(progress=progress, procs=procs, engine=engine)
    seconds = time.monotonic() - started
    decks = len(courseware_services.current_ids())
    click.echo(
        f"已重建搜索索引：{decks} 场讲学，{count} 页幻灯片，"
        f"用时 {seconds:.1f} 秒（{_rate(count, seconds)}）。"
    )
    if not services.is_configured(engine):
        click.echo(
            f"搜索引擎 {name} 的索引已建好（当前使用的仍是 {services.engine_name()}）："
            f"可运行 lecturehub check --engine {name} 核对，"
            f"再设置 LECTUREHUB_SEARCH_ENGINE={name} 并重启。"
        )


@click.command("check")
@click.option(
    "--repair",
    is_flag=True,
    help="Fix the index (re-add or remove decks, rebuild) and remove stale temp files.",
)
@ENGINE_OPTION
@with_appcontext
def check_command(repair: bool, engine: str | None) -> None:
    """Check the search index against the database, every courseware file's SHA-256, and
    temp files left by interrupted uploads."""
    _engine(engine)
    report = maintenance.check(repair_index=repair, engine=engine)
    for problem in report.found:
        mark = (
            "已修复" if problem in report.repaired and problem not in report.remaining else "问题"
        )
        click.echo(f"[{mark}] {problem.message}")
    for problem in report.remaining:
        if problem not in report.found:
            click.echo(f"[问题] {problem.message}")
    images = courseware_maintenance.problems()  # slide images nobody is making
    for line in images:
        click.echo(f"[问题] {line}")
    if report.ok and not images:
        click.echo("检查完毕：搜索索引与数据库一致，课件文件完好。")
        sys.exit(0)
    fixable = [p for p in report.remaining if p.fixable]
    option = "" if services.is_configured(engine) else f" --engine {engine}"
    what = "清理临时文件、修复索引" if any(p.kind == "temp" for p in fixable) else "修复索引"
    hint = f"；可运行 lecturehub check --repair{option} {what}" if fixable and not repair else ""
    if images:
        hint += "；可运行 lecturehub previews --missing 生成幻灯片图片"
    count = len(report.remaining) + len(images)
    click.echo(f"检查完毕：仍有 {count} 个问题{hint}。", err=True)
    sys.exit(1)


COMMANDS = (reindex_command, check_command)
