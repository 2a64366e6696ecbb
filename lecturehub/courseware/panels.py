"""Courseware on the pages that gather several features (``lecturehub.pages``): the panel of
a talk's page and the home page card; the summary wording shared with the CLI."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from lecturehub.core.timeutil import clock
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import charts, services, status
from lecturehub.courseware.forms import EmptyForm, UploadForm
from lecturehub.courseware.models import Courseware

SOURCES = {
    "rehearsed": "按排练计时",
    "estimated": "按讲稿字数估算（无备注的页按页面文字，每页至少 1 分钟）",
}


def advice_items(analysis: dict) -> list[str]:
    """The longest slides first, then every warning of the analysis (already in Chinese)."""
    items = []
    longest = analysis.get("advice", {}).get("longest", [])
    if longest:
        named = "、".join(
            f"第 {s['slide']} 页{('“' + s['title'][:20] + '”') if s['title'] else ''}"
            f"（{clock(s['seconds'])}）"
            for s in longest
        )
        items.append(f"用时最长：{named}。")
    items += [w["message"] for w in analysis.get("warnings", [])]
    return items


def upload_message(row: Courseware, created: bool) -> str:
    """The flash after an upload through the page."""
    if not created:
        return f"与第 {row.version} 版内容相同，未新建版本。"
    return f"已上传第 {row.version} 版课件：{summary(row)['verdict_text']}。"


def summary(row: Courseware) -> dict:
    """Everything the templates show about one analysed version."""
    analysis = row.analysis
    limit = analysis.get("limit_seconds", 3600)
    low, high = analysis.get("range_seconds", [0, 0])
    return {
        "verdict": row.verdict or "ok",
        "verdict_text": status.verdict_text(row.estimated_seconds or 0, limit),
        "estimate": clock(row.estimated_seconds or 0),
        "range": f"{status.minutes(low)}–{status.minutes(high)} 分钟",
        "method": SOURCES.get(row.method or "", row.method or ""),
        "slides_total": row.slides_total,
        "hidden": analysis.get("hidden_slides", []),
        "cut": analysis.get("advice", {}).get("cut_to_fit", []),
        "chart": charts.slide_chart(
            analysis.get("per_slide", []), analysis.get("advice", {}).get("cut_to_fit", [])
        ),
        "advice": advice_items(analysis),
        "has_macros": row.has_macros,
    }


def panel_context(lecture) -> dict:
    rows = services.versions(lecture)
    current = rows[0] if rows else None
    due = status.deadline(lecture)
    first = rows[-1].uploaded_at if rows else None
    return {
        "lecture": lecture,
        "versions": rows,
        "current": current,
        "info": summary(current) if current else None,
        "deadline": due,
        "late": first is not None and first > due,
        "overdue": first is None and local_now() > due,
        "can_upload": services.can_upload(current_user, lecture),
        "can_delete": current_user.is_authenticated and current_user.has_role("admin"),
        "form": UploadForm(),
        "empty": EmptyForm(),
        "api_url": url_for("courseware_api.upload", lecture_id=lecture.id),
        "max_bytes": services.max_bytes(),
    }


def lecture_panel(lecture) -> Markup:
    return Markup(render_template("courseware/_panel.html", **panel_context(lecture)))


def home_card(user) -> Markup | None:
    """ "请在 X月X日 18:00 前上传课件" for a speaker's upcoming talks without courseware."""
    pending = status.pending_for_speaker(user)
    if not pending:
        return None
    rows = [(lecture, due, talk_url(lecture.id)) for lecture, due in pending]
    return Markup(render_template("courseware/_home_card.html", pending=rows))


def talk_url(lecture_id: int) -> str:
    """The courseware section of the talk's page."""
    return url_for("pages.lecture", lecture_id=lecture_id, _anchor="courseware")
