"""The analysis as the app runs it: the pure modules' settings from the configuration, their
refusals as ServiceError, and a DeckAnalysis stored on a version row.

Shared by the upload (``services``), which analyses a .pptx at once, and the background
conversion (``conversion``), which analyses what LibreOffice made of a .ppt, .pps, .dps or .odp
under the same settings and limits.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app

from lecturehub.core.errors import ServiceError
from lecturehub.courseware import office
from lecturehub.courseware.analysis import (
    AnalysisError,
    AnalysisSettings,
    DeckAnalysis,
    PackageLimits,
    analyze_pptx,
)
from lecturehub.courseware.formats import sniff_source
from lecturehub.courseware.sniff import MESSAGES

WRONG_TYPE = {"legacy_ppt", "encrypted", "not_presentation", "template", "theme"}
NO_OFFICE = "（服务器安装 LibreOffice 后可直接上传这种格式，请联系党政办。）"
NEEDS_OFFICE = {
    "ppt": ("legacy_ppt", MESSAGES["legacy_ppt"]),
    "pps": ("legacy_ppt", MESSAGES["legacy_ppt"]),
    "dps": (
        "legacy_ppt",
        "这是 WPS 演示的 .dps 格式，系统无法直接读取。请在 WPS 中打开，“另存为 .pptx”后再上传。",
    ),
    "odp": (
        "not_presentation",
        "这是 OpenDocument 演示文稿（.odp），系统无法直接读取。"
        "请在 WPS 或 LibreOffice 中打开，“另存为 .pptx”后再上传。",
    ),
}


def max_bytes() -> int:
    return int(current_app.config["COURSEWARE_MAX_BYTES"])


def limits() -> PackageLimits:
    return PackageLimits(max_file_bytes=max_bytes())


def analysis_settings() -> AnalysisSettings:
    config = current_app.config
    return AnalysisSettings(
        limit_seconds=int(config["TALK_LIMIT_SECONDS"]),
        han_chars_per_min=float(config["HAN_CHARS_PER_MIN"]),
        english_words_per_min=float(config["ENGLISH_WORDS_PER_MIN"]),
        limits=limits(),
    )


def office_tools() -> office.Tools:
    """Where LibreOffice and pdftoppm are (LECTUREHUB_SOFFICE / _PDFTOPPM, else PATH) and the
    limits of a conversion, from the configuration."""
    config = current_app.config
    return office.Tools(
        soffice=office.find_program(config["SOFFICE"], "soffice", "libreoffice"),
        pdftoppm=office.find_program(config["PDFTOPPM"], "pdftoppm"),
        timeout_seconds=float(config["CONVERT_TIMEOUT_SECONDS"]),
        memory_bytes=int(config["CONVERT_MEMORY_MB"]) * office.MiB,
        isolate_network=bool(config["CONVERT_ISOLATE_NETWORK"]),
        profile_template=Path(config["PREVIEWS_DIR"]) / "tmp" / "office-profile",
    )


# --- refusals ----------------------------------------------------------------------------------


def too_large_error() -> ServiceError:
    limit_mb = max_bytes() // (1024 * 1024)
    message = f"课件文件超过 {limit_mb} MB 的上限。请压缩图片和视频（或删去视频）后再上传。"
    return ServiceError(message, "too_large", 413)


def refusal(exc: AnalysisError) -> ServiceError:
    """AnalysisError → ServiceError: 415 wrong type, 413 too large, 422 broken."""
    if exc.code == "too_large":
        return ServiceError(exc.message, exc.code, 413)
    return ServiceError(exc.message, exc.code, 415 if exc.code in WRONG_TYPE else 422)


def source_format(path: Path, filename: str | None) -> str:
    """The uploaded file's format from its content (formats.sniff_source); a format that needs
    LibreOffice is refused, saying what to do, when the server has none."""
    can_convert = office_tools().can_convert
    try:
        found = sniff_source(path, filename, limits(), for_conversion=can_convert).format
    except AnalysisError as exc:
        raise refusal(exc) from exc
    if found in NEEDS_OFFICE and not can_convert:
        code, message = NEEDS_OFFICE[found]
        raise ServiceError(message + NO_OFFICE, code, 415)
    return found


def analyse(path: Path) -> DeckAnalysis:
    try:
        return analyze_pptx(path, analysis_settings())
    except AnalysisError as exc:
        raise refusal(exc) from exc


# --- storing -----------------------------------------------------------------------------------


def analysis_values(deck: DeckAnalysis, conversion: dict | None = None) -> dict:
    """The version row's columns that hold the analysis (``conversion``: what a converted
    deck's panel says about its conversion, kept in the analysis JSON)."""
    analysis = deck.to_dict()
    if conversion:
        analysis["conversion"] = conversion
    slides = [
        {"slide": s.number, "title": s.title, "text": s.text, "notes": s.notes, "hidden": s.hidden}
        for s in deck.slides
    ]
    return {
        "kind": deck.kind,
        "estimated_seconds": deck.estimated_seconds,
        "verdict": deck.verdict,
        "method": deck.method,
        "slides_total": deck.slides_total,
        "has_macros": deck.has_macros,
        "analysis_json": json.dumps(analysis, ensure_ascii=False),
        "slides_json": json.dumps(slides, ensure_ascii=False),
    }


def fill_analysis(row, deck: DeckAnalysis) -> None:
    for name, value in analysis_values(deck).items():
        setattr(row, name, value)
