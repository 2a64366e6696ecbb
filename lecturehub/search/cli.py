"""``lecturehub reindex`` and ``lecturehub check [--repair]``.

reindex rebuilds the slide index from the database and the stored decks into a fresh directory
that is swapped in at the end, so search keeps answering meanwhile. check reports talks whose
current version is missing from the index or stale there (older version, outdated title,
speaker, department, category or date) and courseware files whose SHA-256 no longer matches;
--repair fixes the index (re-adds or removes decks, or rebuilds an unreadable index). A damaged
file cannot be repaired here: upload it again or restore it from a backup. Exit status 0 when
all is well (after repairs), 1 when problems remain.
"""

from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext

from lecturehub.courseware import maintenance as courseware_maintenance
from lecturehub.courseware import services as courseware_services
from lecturehub.search import maintenance, services


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
@with_appcontext
def reindex_command(procs: int) -> None:
    """Rebuild the slide search index from the database (swapped in atomically)."""
    total, started, done = courseware_services.current_slides_total(), time.monotonic(), [0]

    def progress(count: int) -> None:
        bar.update(max(0, count - done[0]))
        done[0] = max(done[0], count)

    with click.progressbar(
        length=total,
        label="重建搜索索引",
        show_eta=True,
        show_pos=True,
        item_show_func=lambda _: _rate(done[0], time.monotonic() - started),
        file=sys.stderr,
    ) as bar:
        count = services.rebuild(progress=progress, procs=procs)
    seconds = time.monotonic() - started
    decks = len(courseware_services.current_ids())
    click.echo(
        f"已重建搜索索引：{decks} 场讲学，{count} 页幻灯片，"
        f"用时 {seconds:.1f} 秒（{_rate(count, seconds)}）。"
    )


@click.command("check")
@click.option("--repair", is_flag=True, help="Fix the index (re-add or remove decks, rebuild).")
@with_appcontext
def check_command(repair: bool) -> None:
    """Check the search index against the database and every courseware file's SHA-256."""
    report = maintenance.check(repair_index=repair)
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
    hint = "；可运行 lecturehub check --repair 修复索引" if fixable and not repair else ""
    if images:
        hint += "；可运行 lecturehub previews --missing 生成幻灯片图片"
    count = len(report.remaining) + len(images)
    click.echo(f"检查完毕：仍有 {count} 个问题{hint}。", err=True)
    sys.exit(1)


COMMANDS = (reindex_command, check_command)
