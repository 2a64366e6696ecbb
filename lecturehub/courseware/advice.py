"""Advice a speaker can act on, and the deck's warnings in Simplified Chinese. Pure module."""

from __future__ import annotations

from lecturehub.core.timeutil import clock
from lecturehub.courseware.deck import (
    TOKEN,
    Advice,
    AnalysisSettings,
    DeckAnalysis,
    DeckWarning,
    MediaItem,
    SlideAnalysis,
)


def advise(visible: list[SlideAnalysis], total: float, st: AnalysisSettings) -> Advice:
    ranked = sorted(visible, key=lambda s: (-s.seconds, s.number))
    return Advice(
        longest=tuple(s.number for s in ranked[: st.longest_count]),
        cut_to_fit=_cut_to_fit(ranked, total, st.limit_seconds),
        text_heavy=tuple(s.number for s in visible if _text_units(s, st) >= st.text_heavy_chars),
        reads_slide=tuple(s.number for s in visible if _reads_slide(s, st)),
        no_text=tuple(s.number for s in visible if not s.text and not s.notes),
    )


def _cut_to_fit(ranked: list[SlideAnalysis], total: float, limit: int) -> tuple[int, ...]:
    """Fewest slides to drop: taking the longest first is optimal for the count."""
    cut = []
    for s in ranked:
        if round(total) <= limit:
            break
        cut.append(s.number)
        total -= s.seconds
    return tuple(sorted(cut))


def _text_units(s: SlideAnalysis, st: AnalysisSettings) -> float:
    han, words = s.text_counts
    return han + words * st.han_chars_per_min / st.english_words_per_min


def _reads_slide(s: SlideAnalysis, st: AnalysisSettings) -> bool:
    """照本宣科: most bigrams of the notes' tokens (Han chars, words) also occur on the face."""
    said = _bigrams(s.notes)
    if s.notes_counts[0] + s.notes_counts[1] < st.reads_slide_min_chars or not said:
        return False
    return len(said & _bigrams(s.text)) >= st.reads_slide_overlap * len(said)


def _bigrams(text: str) -> set[tuple[str, str]]:
    tokens = TOKEN.findall(text.lower())
    return set(zip(tokens, tokens[1:], strict=False))


# --- warnings (messages in Simplified Chinese) -----------------------------------------------


def _pages(numbers: tuple[int, ...] | list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:12])
    return f"第 {shown} 页" if len(numbers) <= 12 else f"第 {shown} 等共 {len(numbers)} 页"


def _media_list(items: list[MediaItem]) -> str:
    named = (f"{m.name}（{clock(m.seconds)}）" if m.seconds is not None else m.name for m in items)
    return "、".join(list(named)[:8])


_MESSAGES = {
    "over_limit": "预计讲课 {est}，超过 {limit} 的时限 {over}。删去{pages}（用时最长的 {n} 页）"
    "即可控制在时限内，或精简这些页的讲稿。",
    "hidden_slides": "{pages}是隐藏幻灯片，放映时不显示，不计入时长。",
    "macros": "课件中含有宏（VBA 代码）。系统只读取文字和时长，从不运行宏；建议删除宏后另存为 .pptx。",
    "loop_show": "放映方式设为“循环放映”或“展台浏览”，放映不会自行结束；时长按各页估算，讲课时请注意控制。",
    "timings_ignored": "{pages}有排练计时，但放映设置为不使用计时，已改按讲稿字数估算。",
    "media_found": "{pages}含音视频：{media_found}，播放时长已计入。",
    "media_unknown": "{pages}的音视频（{media_unknown}）读不出时长，未计入，请自行预留播放时间。",
    "media_external": "{pages}的音视频链接到课件以外的文件，换电脑放映时无法播放，时长未计入；请改为嵌入。",
    "missing_slide": "演示文稿列出的 {missing} 张幻灯片在文件中找不到，已跳过；文件可能已损坏。",
    "missing_part": "{pages}引用的部分内容（备注、图表或媒体）在文件中缺失，已跳过。",
    "no_text": "{pages}没有任何文字，也没有备注，无从估算讲解时长，也检索不到；建议在备注中写上讲解要点。",
    "text_heavy": "{pages}文字过多（约 {heavy} 字以上），容易“通篇大论”；建议只留要点，详细内容写进备注。",
    "reads_slide": "{pages}的备注与幻灯片文字几乎相同，容易“照本宣科”；建议备注写讲解思路、典型案例和分析。",
}
_MEDIA_TESTS = {
    "media_found": lambda m: m.seconds is not None,
    "media_unknown": lambda m: m.seconds is None and not m.external,
    "media_external": lambda m: m.external,
}


def warnings_for(deck: DeckAnalysis, st: AnalysisSettings) -> tuple[DeckWarning, ...]:
    """One DeckWarning per finding that applies, in the order of _MESSAGES."""
    media = {k: [m for s in deck.visible for m in s.media if t(m)] for k, t in _MEDIA_TESTS.items()}
    timed = tuple(s.number for s in deck.visible if s.advance_ms is not None)
    broken = tuple(s.number for s in deck.slides if s.missing_parts)
    advice = deck.advice
    found = {  # code -> the slides concerned, or None when the finding does not apply
        "over_limit": advice.cut_to_fit if deck.verdict == "over" else None,
        "hidden_slides": deck.hidden_slides or None,
        "macros": () if deck.has_macros else None,
        "loop_show": () if deck.loop else None,
        "timings_ignored": None if deck.use_timings else timed or None,
        **{k: tuple(sorted({m.slide for m in items})) or None for k, items in media.items()},
        "missing_slide": () if deck.missing_slides else None,
        "missing_part": broken or None,
        "no_text": advice.no_text or None,
        "text_heavy": advice.text_heavy or None,
        "reads_slide": advice.reads_slide or None,
    }
    values = {k: _media_list(items) for k, items in media.items()} | {
        "est": clock(deck.estimated_seconds),
        "limit": clock(deck.limit_seconds),
        "over": clock(-deck.margin_seconds),
        "missing": deck.missing_slides,
        "heavy": st.text_heavy_chars,
    }
    return tuple(
        DeckWarning(
            code, _MESSAGES[code].format(pages=_pages(pages), n=len(pages), **values), pages
        )
        for code, pages in found.items()
        if pages is not None
    )
