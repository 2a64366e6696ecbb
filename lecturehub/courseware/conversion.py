"""The background work of a version: convert (.ppt, .pps, .dps, .odp), analyse, render images.

The upload queues ``process_deck`` in its own transaction (``queue``), keyed by the original's
SHA-256, so the same bytes are worked on once however many versions share them. The job, run
by the worker of ``lecturehub serve`` (``core.jobs``):

1. checks the stored original again (``formats.sniff_source``: the whole file, every XML part)
   before LibreOffice sees it — a version stored before this check existed is no exception;
2. for a converted format whose versions have no analysis yet: LibreOffice → .pptx, which goes
   through the same sniffing, size and XML-safety limits and the same analysis as an uploaded
   .pptx; the analysis is stored on those versions and ``signals.courseware_analysed`` is sent
   (search indexes the slides, and anything else that waits for a verdict may listen);
3. renders the slide images: LibreOffice → PDF (hidden slides included, so page n is slide n)
   → ``pdftoppm``, a thumbnail and a large JPEG per slide, published atomically (``previews``).

A refusal or a failed conversion is recorded with its Chinese reason (``previews.failed.json``)
and the job ends: the same bytes would fail again. Anything unexpected (the database busy) is
raised, and the queue retries with backoff. A version deleted meanwhile is simply not written
to, and images of bytes no version has any more are removed after publishing.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update

from lecturehub.core import jobs, signals
from lecturehub.core.storage import get_store
from lecturehub.courseware import analysing, office, previews
from lecturehub.courseware.analysis import AnalysisError, DeckAnalysis, analyze_pptx
from lecturehub.courseware.formats import CONVERTED, Source, sniff_source
from lecturehub.courseware.models import Courseware
from lecturehub.extensions import db

log = logging.getLogger(__name__)


def queue(row: Courseware) -> None:
    """Add the version's background work to the current transaction (the caller commits);
    nothing when the server can neither convert nor render."""
    tools = analysing.office_tools()
    wanted = tools.can_convert if row.source_format in CONVERTED else tools.can_render
    if wanted:
        jobs.enqueue_again(process_deck, key=previews.job_key(row.sha256), sha256=row.sha256)


def _versions(sha256: str) -> list[Courseware]:
    query = select(Courseware).where(Courseware.sha256 == sha256).order_by(Courseware.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


@jobs.task
def process_deck(sha256: str) -> None:
    """Convert and analyse (if needed), then render the images of the original ``sha256``."""
    rows = _versions(sha256)
    if not rows:
        return  # deleted before its turn came
    source_format = rows[0].source_format
    original = get_store().path(sha256)
    if not original.is_file():
        previews.record_failure(sha256, "课件文件在服务器上缺失，无法生成幻灯片图片。", "source")
        return
    tools = analysing.office_tools()
    with previews.workdir() as work:
        try:
            source = sniff_source(original, f"deck.{source_format}", analysing.limits())
            if source.converted and any(not row.analysed for row in rows):
                _convert_and_analyse(tools, source, original, work)
            if tools.can_render:
                _render(tools, source_format, original, work)
        except AnalysisError as exc:
            previews.record_failure(
                sha256, _reason(source_format, "analysis", exc.message), "sniff"
            )
        except office.OfficeError as exc:
            log.warning("conversion of %s failed: %s %s", sha256, exc.code, exc.detail)
            previews.record_failure(sha256, _reason(source_format, "office", exc.message), "office")
    if not previews.sha_in_use(sha256):  # the last version went while we worked
        previews.remove(sha256)


def _reason(source_format: str, stage: str, message: str) -> str:
    if source_format in CONVERTED:
        return f"转换失败：{message}"
    return f"生成幻灯片图片失败：{message}"


def _convert_and_analyse(tools: office.Tools, source: Source, original, work) -> None:
    converted, _run = office.convert(tools, original, source.format, "pptx", work / "pptx")
    try:  # what LibreOffice made passes the checks of an upload, whole file and analysis
        sniff_source(converted, "deck.pptx", analysing.limits())
        deck = analyze_pptx(converted, analysing.analysis_settings())
    except AnalysisError as exc:
        raise AnalysisError(exc.code, f"转换后的课件无法分析：{exc.message}") from exc
    sha256 = original.name
    previews.store_converted(sha256, converted)
    store_analysis(sha256, deck, conversion_notes(source, deck))


def store_analysis(sha256: str, deck: DeckAnalysis, conversion: dict) -> list[Courseware]:
    """Write the analysis on every version of these bytes that has none (an UPDATE per row:
    a version deleted meanwhile is skipped), commit, then send ``courseware_analysed``."""
    values = analysing.analysis_values(deck, conversion)
    done = []
    for row in _versions(sha256):
        if row.analysed:
            continue
        result = db.session.execute(
            update(Courseware)
            .where(Courseware.id == row.id, Courseware.verdict.is_(None))
            .values(**values)
        )
        if result.rowcount == 1:
            done.append(row.id)
    db.session.commit()
    stored = [db.session.get(Courseware, cid, populate_existing=True) for cid in done]
    for row in stored:
        if row is not None:
            signals.courseware_analysed.send(row)
    return [row for row in stored if row is not None]


def conversion_notes(source: Source, deck: DeckAnalysis) -> dict:
    """What the verdict panel says about a converted deck: from which format, and what the
    conversion could not carry."""
    label = previews.LABELS.get(source.format, source.format)
    notes = []
    timed = sum(1 for s in deck.slides if s.advance_ms is not None)
    if timed:
        notes.append(f"排练计时随转换保留了 {timed} 页。")
    else:
        notes.append(
            "转换后的课件没有排练计时：原文件若设置过排练计时，转换时未能保留，时长按讲稿字数估算。"
        )
    if source.has_macros:
        notes.append("原文件中的宏没有保留，也从未运行。")
    notes.append("动画和切换效果只按 LibreOffice 的理解转换，请以原文件为准。")
    return {"from": source.format, "label": f"由 {label} 转换", "notes": notes}


def _render(tools: office.Tools, source_format: str, original, work) -> None:
    config = current_app.config
    widths = (int(config["PREVIEW_THUMB_WIDTH"]), int(config["PREVIEW_LARGE_WIDTH"]))
    pdf, _run = office.convert(tools, original, source_format, "pdf", work / "pdf")
    thumbs, _run = office.render(tools, pdf, work / "img", "thumb", widths[0])
    large, _run = office.render(tools, pdf, work / "img", "large", widths[1])
    previews.publish(original.name, thumbs, large, widths)
