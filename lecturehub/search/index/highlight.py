"""Hits and their snippets: the literals found in the stored text itself, the way the index
matches them (the same for every engine)."""

from __future__ import annotations

import html
import re

from lecturehub.search.index.base import Hit, SlideDoc
from lecturehub.search.index.text import CJK, WORD, fold, pieces

_SEP_ANY = f"[^{CJK}{WORD}]*"
_SEP_SOME = f"[^{CJK}{WORD}]+"


def highlight_patterns(literals: list[str]) -> list[re.Pattern]:
    """One regex per literal over folded text; separators as loose as the index is."""
    patterns = []
    for text in dict.fromkeys(literals):
        runs = pieces(text)
        parts = [re.escape(runs[0][1])]
        for (prev_cjk, _), (cjk, s) in zip(runs, runs[1:], strict=False):
            parts += [_SEP_SOME if prev_cjk == cjk else _SEP_ANY, re.escape(s)]
        head = "" if runs[0][0] else f"(?<![{WORD}])"
        tail = "" if runs[-1][0] else f"(?![{WORD}])"
        patterns.append(re.compile(head + "".join(parts) + tail))
    return patterns


def match_spans(text: str, patterns: list[re.Pattern]) -> list[tuple[int, int]]:
    """Merged, sorted (start, end) spans of all pattern matches in text."""
    folded = fold(text)
    spans = sorted(m.span() for p in patterns for m in p.finditer(folded) if m.end() > m.start())
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _squash(text: str) -> str:
    return html.escape(re.sub(r"\s+", " ", text))


def _windows(spans, size: int, context: int, max_len: int):
    windows: list[list] = []  # [start, end, spans]
    for s, e in spans:
        lo, hi = max(0, s - context), min(size, e + context)
        if windows and lo <= windows[-1][1] and hi - windows[-1][0] <= max_len:
            windows[-1][1] = hi
            windows[-1][2].append((s, e))
        else:
            windows.append([lo, hi, [(s, e)]])
    return windows


def snippet(text: str, spans, *, fragments: int = 3, context: int = 30, fallback: int = 80) -> str:
    """Escaped HTML: up to `fragments` windows of ~context chars around <mark>ed spans."""
    if not spans:
        return _squash(text[:fallback]) + ("…" if len(text) > fallback else "")
    out = []
    for lo, hi, marks in _windows(spans, len(text), context, 4 * context + 40)[:fragments]:
        parts, cur = ["…" if lo > 0 else ""], lo
        for s, e in marks:
            parts += [_squash(text[cur:s]), "<mark>", _squash(text[s:e]), "</mark>"]
            cur = e
        parts += [_squash(text[cur:hi]), "…" if hi < len(text) else ""]
        out.append("".join(parts))
    return " ".join(out).replace("… …", "…")


def make_hit(doc: SlideDoc, score: float, patterns: list[re.Pattern]) -> Hit:
    """A hit whose snippet comes from the slide text, or from the notes if only they match."""
    text, spans = doc.text, match_spans(doc.text, patterns) if patterns else []
    if patterns and not spans and doc.notes:
        notes_spans = match_spans(doc.notes, patterns)
        if notes_spans:
            text, spans = doc.notes, notes_spans
    return Hit(
        lecture_id=doc.lecture_id,
        courseware_id=doc.courseware_id,
        slide=doc.slide,
        slide_title=doc.slide_title,
        snippet=snippet(text, spans),
        lecture_title=doc.lecture_title,
        speaker=doc.speaker,
        department=doc.department,
        category=doc.category,
        date=doc.date,
        hidden=doc.hidden,
        score=score,
    )
