"""``lecturehub analyze FILE... [--json]``: the upload's analysis, offline.

Exit status 0 when every file was analysed, 2 when at least one could not be (a one-line
Chinese reason on stderr for each). With ``--json`` stdout carries one JSON object per file and
per line (JSON Lines, in argument order): ``DeckAnalysis.to_dict()`` for a deck, or
``{"error": {"code", "message"}}`` for a file that could not be analysed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lecturehub.core.timeutil import clock
from lecturehub.courseware import analysing, maintenance, status
from lecturehub.courseware.analysis import AnalysisError, DeckAnalysis, analyze_pptx
from lecturehub.courseware.panels import SOURCES, advice_items


def summary_lines(name: str, deck: DeckAnalysis) -> list[str]:
    data = deck.to_dict()
    low, high = deck.range_seconds
    hidden = f"（其中隐藏 {len(deck.hidden_slides)} 页）" if deck.hidden_slides else ""
    lines = [
        f"{name}",
        f"  结论：{status.verdict_text(deck.estimated_seconds, deck.limit_seconds)}",
        f"  估算：{clock(deck.estimated_seconds)}，范围 {clock(low)} – {clock(high)}",
        f"  方法：{SOURCES.get(deck.method, deck.method)}",
        f"  幻灯片：{deck.slides_total} 页{hidden}",
    ]
    lines += [f"  · {item}" for item in advice_items(data)]
    return lines


def _analyse(path: Path) -> DeckAnalysis:
    if not path.is_file():
        raise AnalysisError("not_found", f"找不到文件：{path}")
    return analyze_pptx(path, analysing.analysis_settings())


@click.command("analyze")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@with_appcontext
def analyze_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Estimate how long each deck takes to present (the same analysis as an upload)."""
    failed = False
    for path in files:
        try:
            deck = _analyse(path)
        except AnalysisError as exc:
            failed = True
            click.echo(f"{path.name}：{exc.message}", err=True)
            if as_json:
                click.echo(
                    json.dumps(
                        {"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False
                    )
                )
            continue
        if as_json:
            click.echo(json.dumps(deck.to_dict(), ensure_ascii=False))
        else:
            click.echo("\n".join(summary_lines(path.name, deck)))
    sys.exit(2 if failed else 0)


@click.command("previews")
@click.option(
    "--missing", "only_missing", is_flag=True, help="Only versions without images (or failed)."
)
@with_appcontext
def previews_command(only_missing: bool) -> None:
    """Make the slide images of every talk's current courseware here and now (converting
    .ppt/.pps/.dps/.odp first). Exit 0 when all are made, 1 when some failed."""
    tools = analysing.office_tools()
    if not tools.can_render:
        missing = "LibreOffice（soffice）" if tools.soffice is None else "pdftoppm（poppler-utils）"
        click.echo(
            f"未找到 {missing}：请先安装（见 README），或用 LECTUREHUB_SOFFICE / "
            "LECTUREHUB_PDFTOPPM 指定程序路径。",
            err=True,
        )
        sys.exit(2)
    rows = maintenance.current_versions()
    if only_missing:
        rows = maintenance.missing(rows, failed_too=True)
    with click.progressbar(
        length=len(rows), label="生成幻灯片图片", show_pos=True, show_eta=True, file=sys.stderr
    ) as bar:
        ready, failed = maintenance.rebuild(rows, progress=lambda _row: bar.update(1))
    for row, reason in failed:
        click.echo(f"讲学 #{row.lecture_id} 第 {row.version} 版：{reason}", err=True)
    click.echo(f"已生成 {len(ready)} 个课件版本的幻灯片图片，失败 {len(failed)} 个。")
    sys.exit(1 if failed else 0)


COMMANDS = (analyze_command, previews_command)
