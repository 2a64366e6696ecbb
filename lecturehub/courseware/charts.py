"""Server-rendered inline SVG: seconds per slide as bars (no JavaScript, no library)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from lecturehub.core.timeutil import clock

WIDTH, HEIGHT = 600, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 64, 28, 10
MIN_BAR_HEIGHT = 2


def _bar_class(slide: dict, cut: set[int]) -> str:
    if slide.get("hidden"):
        return "bar hidden"
    return "bar cut" if slide["slide"] in cut else "bar"


def _tooltip(slide: dict, cut: set[int]) -> str:
    parts = [f"第 {slide['slide']} 页"]
    if slide.get("title"):
        parts.append(slide["title"][:40])
    if slide.get("hidden"):
        parts.append("隐藏，不计时")
    else:
        parts.append(clock(slide.get("seconds") or 0))
    if slide["slide"] in cut:
        parts.append("建议删去")
    return "，".join(parts)


def _axis(top: float) -> list[str]:
    """A gridline at the top value, labelled in minutes (or seconds for short decks)."""
    label = f"{top / 60:.0f} 分" if top >= 120 else f"{top:.0f} 秒"
    y = PAD_TOP
    return [
        f'<line class="grid" x1="{PAD_LEFT}" y1="{y}" x2="{WIDTH}" y2="{y}"/>',
        f'<text class="axis" x="{PAD_LEFT - 6}" y="{y + 7}" text-anchor="end">{label}</text>',
        f'<line class="base" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH}" '
        f'y2="{HEIGHT - PAD_BOTTOM}"/>',
    ]


def _bars(slides: list[dict], cut: set[int], top: float, link: Callable | None) -> list[str]:
    plot_w, plot_h = WIDTH - PAD_LEFT, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / len(slides)
    gap = min(2.0, step * 0.2)
    out = []
    for i, slide in enumerate(slides):
        value = 0 if slide.get("hidden") else slide.get("seconds") or 0
        h = max(MIN_BAR_HEIGHT, plot_h * value / top)
        x, y = PAD_LEFT + i * step + gap / 2, HEIGHT - PAD_BOTTOM - h
        title = escape(_tooltip(slide, cut))
        bar = (
            f'<rect class="{_bar_class(slide, cut)}" data-slide="{slide["slide"]}" x="{x:.1f}" '
            f'y="{y:.1f}" width="{step - gap:.1f}" height="{h:.1f}"><title>{title}</title></rect>'
        )
        if link is not None:  # the whole column, so a short bar is easy to hit on a phone
            hit = (
                f'<rect class="bar-hit" x="{PAD_LEFT + i * step:.1f}" y="{PAD_TOP}" '
                f'width="{step:.1f}" height="{plot_h:.1f}"/>'
            )
            bar = f'<a href="{escape(link(slide["slide"]))}">{hit}{bar}</a>'
        out.append(bar)
    return out


def _labels(slides: list[dict]) -> list[str]:
    """Slide numbers under the bars: every one for short decks, else 1 and every 5th/10th."""
    step = WIDTH - PAD_LEFT
    every = 1 if len(slides) <= 12 else 5 if len(slides) <= 60 else 10
    width = step / len(slides)
    return [
        f'<text class="axis" x="{PAD_LEFT + (i + 0.5) * width:.1f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">{s["slide"]}</text>'
        for i, s in enumerate(slides)
        if s["slide"] == 1 or s["slide"] % every == 0
    ]


def slide_chart(
    per_slide: list[dict],
    cut_to_fit: list[int] | tuple[int, ...] = (),
    link: Callable[[int], str] | None = None,
) -> Markup:
    """Bars of ``analysis["per_slide"]``: hidden slides grey, suggested cuts marked red; with
    ``link`` (slide number → URL) each bar links to its slide."""
    if not per_slide:
        return Markup("")
    cut = set(cut_to_fit)
    top = max([s.get("seconds") or 0 for s in per_slide if not s.get("hidden")] + [60])
    parts = [
        f'<svg class="slide-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="每页用时（共 {len(per_slide)} 页）">',
        *_axis(top),
        *_bars(per_slide, cut, top, link),
        *_labels(per_slide),
        "</svg>",
    ]
    return Markup("\n".join(parts))
