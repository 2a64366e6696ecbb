"""The analysis's data: settings and the frozen result dataclasses, with their JSON form.

Pure module, shared by :mod:`lecturehub.courseware.analysis` (which fills them in) and
:mod:`lecturehub.courseware.advice` (which turns them into advice and warnings).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lecturehub.courseware.sniff import PackageLimits

_LATIN = "A-Za-zÀ-ÖØ-öø-ÿ"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
WORD = re.compile(rf"[{_LATIN}]+(?:['’-][{_LATIN}]+)*|\d+(?:[.,:]\d+)*")
TOKEN = re.compile(f"{HAN.pattern}|{WORD.pattern}")


@dataclass(frozen=True)
class AnalysisSettings:
    limit_seconds: int = 3600
    han_chars_per_min: float = 180
    english_words_per_min: float = 130
    fast_han_chars_per_min: float = 240  # range low end; words scale in proportion (~173/min)
    slow_han_chars_per_min: float = 150  # range high end (~108 words/min)
    min_slide_seconds: float = 60
    rehearsed_share: float = 0.5  # method "rehearsed" if MORE than this share is timed
    text_heavy_chars: int = 300  # Han characters (a word counts 180/130 of one) on the face
    reads_slide_overlap: float = 0.8  # share of the notes' bigrams found on the slide
    reads_slide_min_chars: int = 20  # notes shorter than this (Han chars + words) never count
    longest_count: int = 5
    limits: PackageLimits = field(default_factory=PackageLimits)

    def rates(self, pace: str = "normal") -> tuple[float, float]:
        """(Han characters, words) per minute at pace 'normal', 'fast' or 'slow'."""
        han = {
            "normal": self.han_chars_per_min,
            "fast": self.fast_han_chars_per_min,
            "slow": self.slow_han_chars_per_min,
        }[pace]
        return han, self.english_words_per_min * han / self.han_chars_per_min


@dataclass(frozen=True)
class MediaItem:
    slide: int
    name: str
    part: str  # part name in the package, or the URL of an external link
    kind: str  # "video", "audio" or "media"
    external: bool
    duration_seconds: float | None  # as read from the file; None when unknown
    trim_seconds: float = 0.0  # p14:trim start + end

    @property
    def seconds(self) -> float | None:
        if self.duration_seconds is None:
            return None
        return max(0.0, self.duration_seconds - self.trim_seconds)

    def to_dict(self) -> dict:
        return {
            "slide": self.slide,
            "name": self.name,
            "kind": self.kind,
            "external": self.external,
            "duration_seconds": _r(self.duration_seconds),
            "trim_seconds": _r(self.trim_seconds),
            "seconds": _r(self.seconds),
        }


@dataclass(frozen=True)
class SlideAnalysis:
    number: int  # 1-based position in the show order
    part: str
    title: str
    text: str  # everything on the face: text frames, tables, groups, SmartArt, chart titles
    notes: str  # the notes body placeholder only
    hidden: bool
    advance_ms: int | None  # rehearsed timing, p:transition/@advTm
    media: tuple[MediaItem, ...] = ()
    missing_parts: tuple[str, ...] = ()
    seconds: float = 0.0
    low_seconds: float = 0.0
    high_seconds: float = 0.0
    source: str = ""  # rehearsed | notes | slide_text | minimum | hidden

    @functools.cached_property
    def text_counts(self) -> tuple[int, int]:
        """(Han characters, words) on the face; a run of digits is one word."""
        return _count(self.text)

    @functools.cached_property
    def notes_counts(self) -> tuple[int, int]:
        return _count(self.notes)

    @property
    def text_chars(self) -> int:
        """Non-whitespace characters on the face (the counts for speech are in text_counts)."""
        return _chars(self.text)

    @property
    def notes_chars(self) -> int:
        """Non-whitespace characters of the notes."""
        return _chars(self.notes)

    @property
    def media_seconds(self) -> float:
        return sum(m.seconds or 0.0 for m in self.media)

    def to_dict(self, include_text: bool = False) -> dict:
        out = {
            "slide": self.number,
            "title": self.title,
            "seconds": _r(self.seconds),
            "range_seconds": [_r(self.low_seconds), _r(self.high_seconds)],
            "source": self.source,
            "hidden": self.hidden,
            "rehearsed_seconds": _r(
                self.advance_ms / 1000 if self.advance_ms is not None else None
            ),
            "notes_chars": self.notes_chars,
            "text_chars": self.text_chars,
            "media_seconds": _r(self.media_seconds),
        }
        return out | ({"text": self.text, "notes": self.notes} if include_text else {})


@dataclass(frozen=True)
class DeckWarning:
    code: str
    message: str
    slides: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "slides": list(self.slides)}


@dataclass(frozen=True)
class Advice:
    longest: tuple[int, ...] = ()
    cut_to_fit: tuple[int, ...] = ()  # fewest slides whose removal meets the limit
    text_heavy: tuple[int, ...] = ()
    reads_slide: tuple[int, ...] = ()
    no_text: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeckAnalysis:
    kind: str
    has_macros: bool
    slides: tuple[SlideAnalysis, ...]
    estimated_seconds: int
    range_seconds: tuple[int, int]
    limit_seconds: int
    method: str
    loop: bool
    use_timings: bool
    app_total_time_minutes: int | None  # editing time from docProps/app.xml: a hint only
    missing_slides: int = 0
    advice: Advice = Advice()
    warnings: tuple[DeckWarning, ...] = ()

    @property
    def slides_total(self) -> int:
        return len(self.slides)

    @property
    def visible(self) -> tuple[SlideAnalysis, ...]:
        return tuple(s for s in self.slides if not s.hidden)

    @property
    def slides_counted(self) -> int:
        return len(self.visible)

    @property
    def hidden_slides(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.slides if s.hidden)

    @property
    def verdict(self) -> str:
        return "ok" if self.estimated_seconds <= self.limit_seconds else "over"

    @property
    def margin_seconds(self) -> int:
        return self.limit_seconds - self.estimated_seconds

    @property
    def media(self) -> tuple[MediaItem, ...]:
        return tuple(m for s in self.slides for m in s.media)

    def slide(self, number: int) -> SlideAnalysis:
        return self.slides[number - 1]

    def to_dict(self, include_text: bool = False) -> dict:
        names = ("kind", "has_macros", "slides_total", "slides_counted", "estimated_seconds")
        names += ("limit_seconds", "margin_seconds", "verdict", "method", "loop", "use_timings")
        names += ("app_total_time_minutes", "missing_slides")
        return {name: getattr(self, name) for name in names} | {
            "hidden_slides": list(self.hidden_slides),
            "range_seconds": list(self.range_seconds),
            "per_slide": [s.to_dict(include_text) for s in self.slides],
            "media": [m.to_dict() for m in self.media],
            "advice": self._advice_dict(),
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def _advice_dict(self) -> dict:
        longest = [self.slide(n) for n in self.advice.longest]
        return {
            "longest": [
                {"slide": s.number, "title": s.title, "seconds": _r(s.seconds)} for s in longest
            ],
            "cut_to_fit": list(self.advice.cut_to_fit),
            "text_heavy": list(self.advice.text_heavy),
            "reads_slide": list(self.advice.reads_slide),
            "no_text": list(self.advice.no_text),
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _count(text: str) -> tuple[int, int]:
    """(Han characters, Latin words + digit runs) in ``text``."""
    return len(HAN.findall(text)), len(WORD.findall(text))


def _chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())
