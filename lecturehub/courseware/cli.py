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
from lecturehub.courseware import analysing, status
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


COMMANDS = (analyze_command,)
