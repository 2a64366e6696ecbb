"""Server-rendered SVG of the reports: the month-on-month trend, rankings and comparisons.

Bars reuse the ratings feature's ``mean_bars``; the trend is drawn here: satisfaction rate as
bars (0–100%), the overall mean as a line (1–5) over the same months.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from lecturehub.ratings.aggregates import LABELS
from lecturehub.ratings.charts import BarStyle, mean_bars

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 600, 200, 40, 40, 16, 26
TITLE_CHARS = 12
WIDE = BarStyle(width=640, label_width=180)
WIDE_PERCENT = BarStyle(top=100, percent=True, width=640, label_width=180)


def short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame() -> list[str]:
    base, right = H - PAD_B, W - PAD_R
    return [
        f'<line class="base" x1="{PAD_L}" y1="{base}" x2="{right}" y2="{base}"/>',
        f'<line class="grid" x1="{PAD_L}" y1="{PAD_T}" x2="{right}" y2="{PAD_T}"/>',
        f'<text class="axis" x="{PAD_L - 4}" y="{PAD_T + 4}" text-anchor="end">100%</text>',
        f'<text class="axis" x="{PAD_L - 4}" y="{base}" text-anchor="end">0</text>',
        f'<text class="axis mean-axis" x="{right + 4}" y="{PAD_T + 4}">5 分</text>',
        f'<text class="axis mean-axis" x="{right + 4}" y="{base}">0</text>',
    ]


def trend_chart(points) -> Markup:
    """``points``: TrendPoint-like (period.label, satisfaction_rate 0–1, mean 1–5), oldest first."""
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_T - PAD_B
    step = plot_w / max(len(points), 1)
    parts, line = _frame(), []
    for i, p in enumerate(points):
        x = PAD_L + i * step
        cx = x + step / 2
        month = escape(f"{p.period.date_from.month}月")
        parts.append(
            f'<text class="axis" x="{cx:.1f}" y="{H - 8}" text-anchor="middle">{month}</text>'
        )
        if p.satisfaction_rate is not None:
            h = plot_h * p.satisfaction_rate
            tip = escape(
                f"{p.period.label}：满意率 {p.satisfaction_rate * 100:.1f}%，{p.ratings} 人次评价"
            )
            parts.append(
                f'<rect class="bar" x="{x + step * 0.2:.1f}" y="{H - PAD_B - h:.1f}" '
                f'width="{step * 0.6:.1f}" height="{h:.1f}"><title>{tip}</title></rect>'
            )
        if p.mean is not None:
            y = H - PAD_B - plot_h * p.mean / 5
            line.append((cx, y, escape(f"{p.period.label}：平均 {p.mean:.2f} 分")))
    if len(line) > 1:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in line)
        parts.append(f'<polyline class="mean-line" points="{coords}"/>')
    for x, y, tip in line:
        parts.append(
            f'<circle class="mean-dot" cx="{x:.1f}" cy="{y:.1f}" r="4"><title>{tip}</title></circle>'
        )
    return Markup(
        f'<svg class="chart trend" viewBox="0 0 {W} {H}" role="img" aria-label="满意率与平均分走势" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def talk_bars(summaries) -> Markup:
    """Overall means of talks (published ones), in the given order."""
    rows = [(short(s.lecture.display_title), s.aggregate.overall.mean, None) for s in summaries]
    return mean_bars(rows, "讲学总体满意度排名", WIDE)


def department_bars(rows) -> Markup:
    data = [(short(r.name), r.total.overall.mean if r.total else None, None) for r in rows]
    return mean_bars(data, "各部门讲学平均分", WIDE)


def attendance_bars(rows) -> Markup:
    data = [(short(r.name), r.rate * 100 if r.rate is not None else None, None) for r in rows]
    return mean_bars(data, "各系列出勤率", WIDE_PERCENT)


def dimension_bars(total) -> Markup | None:
    if total is None:
        return None
    means = total.means()
    return mean_bars([(LABELS[k], means[k], None) for k in LABELS], "各项平均分")
