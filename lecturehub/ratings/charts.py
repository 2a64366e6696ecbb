"""Server-rendered inline SVG for ratings: mean bars with a comparison mark, score histograms.

No JavaScript and no library: the markup is built here and escaped here (labels are ours,
but talk titles come from users, so every text goes through ``escape``).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_W, ROW_H, LABEL_W, VALUE_W = 380, 30, 84, 48
HIST_W, HIST_H, HIST_PAD = 200, 110, 16


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}%" if percent else f"{value:.2f}"


def _svg(width: int, height: int, label: str, parts: list[str], cls: str) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


@dataclass(frozen=True)
class BarStyle:
    """How ``mean_bars`` draws: the scale's top, the comparison's name, percentages, sizes."""

    top: float = 5.0
    compare_label: str = "对比"
    percent: bool = False  # label values as percentages (use top=100)
    width: int = BAR_W
    label_width: int = LABEL_W


PLAIN = BarStyle()


def _bar_row(i: int, row: tuple, style: BarStyle) -> list[str]:
    label, value, compare = row
    label_w, percent = style.label_width, style.percent
    y, area = i * ROW_H, style.width - label_w - VALUE_W
    length = 0 if value is None else area * value / style.top
    parts = [
        f'<text class="label" x="{label_w - 6}" y="{y + 20}" text-anchor="end">{escape(label)}</text>',
        f'<rect class="track" x="{label_w}" y="{y + 5}" width="{area}" height="20" rx="3"/>',
        f'<rect class="bar" x="{label_w}" y="{y + 5}" width="{length:.1f}" height="20" rx="3">'
        f"<title>{escape(label)}：{_fmt(value, percent)}</title></rect>",
        f'<text class="value" x="{style.width - VALUE_W + 6}" y="{y + 20}">{_fmt(value, percent)}</text>',
    ]
    if compare is not None:
        x = label_w + area * compare / style.top
        parts.append(
            f'<line class="compare" x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + 29}">'
            f"<title>{escape(style.compare_label)}：{_fmt(compare, percent)}</title></line>"
        )
    return parts


def mean_bars(
    rows: list[tuple[str, float | None, float | None]],
    label: str = "平均分",
    style: BarStyle = PLAIN,
) -> Markup:
    """Horizontal bars of (label, value, comparison) rows on a 0–``style.top`` scale, each
    with an optional comparison tick."""
    parts: list[str] = []
    for i, row in enumerate(rows):
        parts += _bar_row(i, row, style)
    return _svg(style.width, max(ROW_H * len(rows), ROW_H), label, parts, "mean-bars")


def histogram(distribution: dict[str, int], label: str) -> Markup:
    """Five columns, one per score 5 → 1, with the count above each."""
    top = max(distribution.values(), default=0) or 1
    step = HIST_W / 5
    plot_h = HIST_H - 2 * HIST_PAD
    parts = []
    for i, score in enumerate(("5", "4", "3", "2", "1")):
        n = distribution.get(score, 0)
        h = plot_h * n / top
        x, y = i * step + 8, HIST_PAD + plot_h - h
        parts += [
            f'<rect class="bar s{score}" x="{x:.1f}" y="{y:.1f}" width="{step - 16:.1f}" '
            f'height="{h:.1f}"><title>{score} 分：{n} 人</title></rect>',
            f'<text class="count" x="{x + (step - 16) / 2:.1f}" y="{y - 4:.1f}" '
            f'text-anchor="middle">{n}</text>',
            f'<text class="axis" x="{x + (step - 16) / 2:.1f}" y="{HIST_H - 4}" '
            f'text-anchor="middle">{score} 分</text>',
        ]
    return _svg(HIST_W, HIST_H, label, parts, "histogram")
