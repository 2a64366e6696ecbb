"""How long will this deck take to present? A .pptx path in, a frozen :class:`DeckAnalysis` out.

Pure module: no Flask, no database. Reads only the XML parts it needs (through
:mod:`lecturehub.courseware.sniff`, which enforces the size and XML-safety limits) and the
headers of embedded media (through mutagen), never whole media files.

The estimate, per visible slide (every constant is in :class:`AnalysisSettings`):

* ``rehearsed``: the slide has a rehearsed timing (``p:transition/@advTm``) and the show uses
  timings: that many seconds, media included (the rehearsal played it);
* otherwise speech time of the notes (Han characters at 180/min + Latin words at 130/min;
  a run of digits counts as one word), ``notes``; a slide without notes is read from its own
  text, ``slide_text``; never under 60 s, ``minimum``; then the slide's media are added.

``method`` is ``rehearsed`` when more than ``rehearsed_share`` of the visible slides carry a
used timing. ``range_seconds`` repeats the estimate at the fast and slow speaking rates
(rehearsed slides and media count the same at both ends). Hidden slides count 0 s.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import mutagen
from lxml import etree

from lecturehub.courseware.sniff import (
    AnalysisError,
    Package,
    PackageLimits,
    Rel,
    open_package,
    sniff,
)

__all__ = [
    "AnalysisError",
    "AnalysisSettings",
    "DeckAnalysis",
    "Advice",
    "DeckWarning",
    "MediaItem",
    "PackageLimits",
    "SlideAnalysis",
    "analyze_pptx",
    "sniff",
]

log = logging.getLogger(__name__)

NS = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "p14": "http://schemas.microsoft.com/office/powerpoint/2010/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
}


def _tag(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


A_P, A_T, MC_FALLBACK, C_TITLE = (
    _tag("a", "p"),
    _tag("a", "t"),
    _tag("mc", "Fallback"),
    _tag("c", "title"),
)
P14_MEDIA, P14_TRIM, R_EMBED = _tag("p14", "media"), _tag("p14", "trim"), _tag("r", "embed")
P_KIOSK = _tag("p", "kiosk")
_X = functools.partial(etree.XPath, namespaces=NS)
SLIDE_IDS = _X("p:sldIdLst/p:sldId/@r:id")
TRANSITIONS = _X(
    "p:transition | mc:AlternateContent/mc:Choice/p:transition"
    " | mc:AlternateContent/mc:Fallback/p:transition"
)
SP_TREE = _X("p:cSld/p:spTree")
TITLE_SHAPES = _X(".//p:sp[p:nvSpPr/p:nvPr/p:ph[@type='title' or @type='ctrTitle']]")
BODY_SHAPES = _X(".//p:sp[p:nvSpPr/p:nvPr/p:ph[@type='body']]")
SHOW_PR = _X("p:showPr")

_LATIN = "A-Za-zÀ-ÖØ-öø-ÿ"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
WORD = re.compile(rf"[{_LATIN}]+(?:['’-][{_LATIN}]+)*|\d+(?:[.,:]\d+)*")
TOKEN = re.compile(f"{HAN.pattern}|{WORD.pattern}")
MEDIA_RELS = {"media", "video", "audio"}
TRUE = {"1", "true"}


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


# --- reading -----------------------------------------------------------------------------


def analyze_pptx(path: str | Path, settings: AnalysisSettings | None = None) -> DeckAnalysis:
    """Analyse a presentation; refusals raise :class:`AnalysisError` (code + Chinese message)."""
    settings = settings or AnalysisSettings()
    try:
        with open_package(path, settings.limits) as pkg:
            return _analyze(pkg, settings)
    except AnalysisError:
        raise
    except Exception as exc:  # a hostile or odd file must give a refusal, never a traceback
        log.warning("unreadable presentation %s", path, exc_info=True)
        raise AnalysisError("unreadable") from exc


def _analyze(pkg: Package, st: AnalysisSettings) -> DeckAnalysis:
    pres_rels = pkg.rels(pkg.main)
    slides, missing = _read_slides(pkg, pres_rels, st.limits)
    if not slides:
        raise AnalysisError("no_slides")
    loop, use_timings = _show_settings(pkg, pres_rels)
    slides = [_time_slide(s, st, use_timings) for s in slides]
    visible = [s for s in slides if not s.hidden]
    total = sum(s.seconds for s in visible)
    deck = DeckAnalysis(
        kind=pkg.kind,
        has_macros=_has_macros(pkg, pres_rels),
        slides=tuple(slides),
        estimated_seconds=round(total),
        range_seconds=(
            round(sum(s.low_seconds for s in visible)),
            round(sum(s.high_seconds for s in visible)),
        ),
        limit_seconds=st.limit_seconds,
        method=_method(visible, st),
        loop=loop,
        use_timings=use_timings,
        app_total_time_minutes=_app_total_time(pkg),
        missing_slides=missing,
        advice=_advice(visible, total, st),
    )
    return replace(deck, warnings=_warnings(deck, st))


def _read_slides(pkg: Package, pres_rels: list[Rel], limits: PackageLimits) -> tuple[list, int]:
    """Slides in show order (p:sldIdLst → r:id → target); dangling entries are counted."""
    pres = pkg.xml(pkg.main)
    if pres is None:
        raise AnalysisError("corrupt_zip")
    ids = SLIDE_IDS(pres)
    if len(ids) > limits.max_slides:
        raise AnalysisError("too_large")
    by_id = {rel.rid: rel for rel in pres_rels}
    slides: list[SlideAnalysis] = []
    for rid in ids:
        rel = by_id.get(rid)
        root = pkg.xml(rel.target) if rel and rel.type == "slide" and not rel.external else None
        if root is not None:
            slides.append(_read_slide(pkg, rel.target, root, len(slides) + 1))
    return slides, len(ids) - len(slides)


def _read_slide(pkg: Package, part: str, root: etree._Element, number: int) -> SlideAnalysis:
    rels, missing = pkg.rels(part), []
    title = " ".join(line for sp in TITLE_SHAPES(root) for line in _paragraphs(sp))
    notes = [
        line
        for nt in _related(pkg, rels, {"notesSlide"}, missing)[:1]
        for sp in BODY_SHAPES(nt)
        for line in _paragraphs(sp)
    ]
    return SlideAnalysis(
        number=number,
        part=part,
        title=title,
        text=_slide_text(pkg, root, rels, missing),
        notes="\n".join(notes),
        hidden=root.get("show", "1").lower() in {"0", "false"},
        advance_ms=_advance_ms(root),
        media=_media(pkg, root, rels, number, missing),
        missing_parts=tuple(missing),
    )


def _paragraphs(el: etree._Element | None) -> list[str]:
    """Non-empty text of every a:p under ``el``, in document order."""
    if el is None:
        return []
    lines = ("".join(t.text or "" for t in p.iter(A_T)).strip() for p in el.iter(A_P))
    return [line for line in lines if line]


def _related(pkg: Package, rels: list[Rel], types: set[str], missing: list[str]) -> list:
    """Parsed parts related by one of ``types``; dangling targets are noted in ``missing``."""
    roots = []
    for rel in rels:
        if rel.type in types and not rel.external:
            root = pkg.xml(rel.target)
            if root is None:
                missing.append(rel.raw_target)
            else:
                roots.append(root)
    return roots


def _slide_text(pkg: Package, root: etree._Element, rels: list[Rel], missing: list[str]) -> str:
    tree = next(iter(SP_TREE(root)), None)
    for fallback in list(tree.iter(MC_FALLBACK)) if tree is not None else ():
        fallback.getparent().remove(fallback)  # keep the mc:Choice only, or text counts twice
    lines = _paragraphs(tree)
    for data in _related(pkg, rels, {"diagramData"}, missing):
        lines += _paragraphs(data)
    for chart in _related(pkg, rels, {"chart"}, missing):
        lines += [line for title in chart.iter(C_TITLE) for line in _paragraphs(title)]
    return "\n".join(lines)


def _advance_ms(root: etree._Element) -> int | None:
    """The slide's advTm once: the plain transition, else the mc:Choice one, else Fallback."""
    for transition in TRANSITIONS(root):
        value = transition.get("advTm", "")
        if value.isdigit():
            return int(value)
    return None


def _media(pkg: Package, root, rels: list[Rel], number: int, missing: list[str]) -> tuple:
    """One MediaItem per distinct target among the slide's media/video/audio relationships."""
    trims = _trims(root)
    groups: dict[str, list[Rel]] = {}
    for rel in rels:
        if rel.type in MEDIA_RELS:
            groups.setdefault(rel.raw_target if rel.external else rel.target or "", []).append(rel)
    items = []
    for key, group in groups.items():
        if group[0].external or pkg.info(key) is not None:
            items.append(_media_item(pkg, number, key, group, trims))
        else:
            missing.append(group[0].raw_target)
    return tuple(items)


def _media_item(pkg: Package, number: int, key: str, group: list[Rel], trims: dict) -> MediaItem:
    kind = next((k for k in ("audio", "video") if any(r.type == k for r in group)), "media")
    external = group[0].external
    return MediaItem(
        slide=number,
        name=key.replace("\\", "/").rsplit("/", 1)[-1],
        part=key,
        kind=kind,
        external=external,
        duration_seconds=None if external else _duration(pkg, key),
        trim_seconds=max((trims.get(r.rid, 0.0) for r in group), default=0.0),
    )


def _trims(root: etree._Element) -> dict[str, float]:
    """r:embed id → seconds trimmed (p14:trim st + end, in ms) for each p14:media."""
    out = {}
    for media in root.iter(P14_MEDIA):
        trim = media.find(P14_TRIM)
        if trim is not None:
            out[media.get(R_EMBED, "")] = (_ms(trim.get("st")) + _ms(trim.get("end"))) / 1000
    return out


def _ms(value: str | None) -> float:
    try:
        number = float(value or 0)
    except ValueError:
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def _duration(pkg: Package, part: str) -> float | None:
    """Media length from its headers via mutagen; None when it cannot tell."""
    try:
        with pkg.open_member(part) as fh:
            found = mutagen.File(fh)
        length = float(found.info.length) if found is not None else 0.0
    except AnalysisError:
        raise
    except Exception:  # mutagen on arbitrary bytes raises all sorts; unknown duration then
        return None
    return length if math.isfinite(length) and length > 0 else None


def _show_settings(pkg: Package, pres_rels: list[Rel]) -> tuple[bool, bool]:
    """(loop or kiosk, use timings) from presProps.xml p:showPr."""
    props = next((pkg.xml(r.target) for r in pres_rels if r.type == "presProps"), None)
    show = next(iter(SHOW_PR(props)), None) if props is not None else None
    if show is None:
        return False, True
    loop = show.get("loop", "0").lower() in TRUE or show.find(P_KIOSK) is not None
    return loop, show.get("useTimings", "1").lower() in TRUE


def _has_macros(pkg: Package, pres_rels: list[Rel]) -> bool:
    vba = any(r.type == "vbaProject" for r in pres_rels)
    return pkg.kind in {"pptm", "ppsm"} or vba or pkg.has_member_ending("vbaproject.bin")


def _app_total_time(pkg: Package) -> int | None:
    root = pkg.xml("docProps/app.xml")
    for el in root if root is not None else ():
        if etree.QName(el).localname == "TotalTime" and (el.text or "").strip().isdigit():
            return int(el.text.strip())
    return None


# --- estimating ----------------------------------------------------------------------------


def _time_slide(s: SlideAnalysis, st: AnalysisSettings, use_timings: bool) -> SlideAnalysis:
    if s.hidden:
        return replace(s, source="hidden")
    if use_timings and s.advance_ms is not None:
        sec = s.advance_ms / 1000
        return replace(s, seconds=sec, low_seconds=sec, high_seconds=sec, source="rehearsed")
    han, words = s.notes_counts
    source = "notes" if han + words else "slide_text"
    if source == "slide_text":
        han, words = s.text_counts
    normal, fast, slow = (_speech(han, words, st.rates(p)) for p in ("normal", "fast", "slow"))
    floor, media = st.min_slide_seconds, s.media_seconds
    return replace(
        s,
        seconds=max(normal, floor) + media,
        low_seconds=max(fast, floor) + media,
        high_seconds=max(slow, floor) + media,
        source="minimum" if normal < floor else source,
    )


def _method(visible: list[SlideAnalysis], st: AnalysisSettings) -> str:
    timed = sum(1 for s in visible if s.source == "rehearsed")
    return "rehearsed" if visible and timed > st.rehearsed_share * len(visible) else "estimated"


def _speech(han: int, words: int, rates: tuple[float, float]) -> float:
    return 60 * (han / rates[0] + words / rates[1])


def _advice(visible: list[SlideAnalysis], total: float, st: AnalysisSettings) -> Advice:
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


def _clock(seconds: float) -> str:
    minutes, sec = divmod(round(abs(seconds)), 60)
    if not minutes:
        return f"{sec} 秒"
    return f"{minutes} 分钟" if not sec else f"{minutes} 分 {sec} 秒"


def _media_list(items: list[MediaItem]) -> str:
    named = (f"{m.name}（{_clock(m.seconds)}）" if m.seconds is not None else m.name for m in items)
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


def _warnings(deck: DeckAnalysis, st: AnalysisSettings) -> tuple[DeckWarning, ...]:
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
        "est": _clock(deck.estimated_seconds),
        "limit": _clock(deck.limit_seconds),
        "over": _clock(-deck.margin_seconds),
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
