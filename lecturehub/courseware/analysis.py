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
from dataclasses import replace
from pathlib import Path

import mutagen
from lxml import etree

from lecturehub.courseware.advice import advise, warnings_for
from lecturehub.courseware.deck import (
    Advice,
    AnalysisSettings,
    DeckAnalysis,
    DeckWarning,
    MediaItem,
    SlideAnalysis,
)
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

MEDIA_RELS = {"media", "video", "audio"}
TRUE = {"1", "true"}


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
        advice=advise(visible, total, st),
    )
    return replace(deck, warnings=warnings_for(deck, st))


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
