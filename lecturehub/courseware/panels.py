"""Courseware on the pages that gather several features (``lecturehub.pages``): the panel of
a talk's page and the home page card; the summary wording shared with the CLI."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from lecturehub.core.timeutil import clock
from lecturehub.core.timeutil import now as local_now
from lecturehub.courseware import analysing, charts, previews, services, status
from lecturehub.courseware.formats import CONVERTED, OOXML
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
    if not row.analysed:
        label = previews.LABELS.get(row.source_format, row.source_format)
        return f"已上传第 {row.version} 版课件（{label}），正在后台转换，完成后显示时长结论。"
    return f"已上传第 {row.version} 版课件：{summary(row)['verdict_text']}。"


def summary(row: Courseware) -> dict:
    """Everything the templates show about one analysed version."""
    analysis = row.analysis
    per_slide, cut = analysis.get("per_slide", []), analysis.get("advice", {}).get("cut_to_fit", [])
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
        "chart": charts.slide_chart(per_slide, cut, link=lambda n: slide_url(row.lecture_id, n)),
        "advice": advice_items(analysis),
        "has_macros": row.has_macros,
        "conversion": analysis.get("conversion"),
    }


def panel_context(lecture) -> dict:
    rows = services.versions(lecture)
    current = rows[0] if rows else None
    due = status.deadline(lecture)
    first = rows[-1].uploaded_at if rows else None
    tools = analysing.office_tools()
    return {
        "lecture": lecture,
        "versions": rows,
        "current": current,
        "info": summary(current) if current and current.analysed else None,
        "previews": previews.state_of(current) if current else None,
        "poll_url": _poll_url(current),
        "accept": ",".join(f".{f}" for f in (OOXML + CONVERTED if tools.can_convert else OOXML)),
        "converts": tools.can_convert,
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


def _poll_url(row: Courseware | None) -> str | None:
    return url_for("courseware_api.get_previews", courseware_id=row.id) if row else None


def lecture_panel(lecture) -> Markup:
    return Markup(render_template("courseware/_panel.html", **panel_context(lecture)))


def home_card(user) -> Markup | None:
    """ "请在 X月X日 18:00 前上传课件" for a speaker's upcoming talks without courseware."""
    pending = status.pending_for_speaker(user)
    if not pending:
        return None
    rows = [(lecture, due, talk_url(lecture.id)) for lecture, due in pending]
    return Markup(render_template("courseware/_home_card.html", pending=rows))


def slide_strip(lecture) -> Markup | None:
    """The current version's slide images on the talk page (or why there are none yet)."""
    row = services.current_version(lecture)
    if row is None:
        return None
    state = previews.state_of(row)
    html = render_template(
        "courseware/_slides.html",
        lecture=lecture,
        courseware=row,
        state=state,
        slides=[
            (n, state.url("thumb", n), slide_url(lecture.id, n)) for n in range(1, state.pages + 1)
        ],
        titles={s["slide"]: s.get("title") or "" for s in row.slides},
        poll_url=_poll_url(row),
    )
    return Markup(html)


def slide_view(lecture, number: int) -> dict | None:
    """What the large view of slide ``number`` of the talk's current version shows: the image,
    the slide's text and notes, its time, the neighbours; None when there is no such slide."""
    row = services.current_version(lecture)
    texts = {s["slide"]: s for s in row.slides} if row else {}
    state = previews.state_of(row) if row else None
    count = max(len(texts), state.pages if state else 0)
    if row is None or not 1 <= number <= count:
        return None
    seconds = {s["slide"]: s for s in row.analysis.get("per_slide", [])}
    return {
        "courseware": row,
        "number": number,
        "count": count,
        "slide": texts.get(number, {}),
        "timing": seconds.get(number),
        "image": state.url("large", number),
        "state": state,
        "prev": slide_url(lecture.id, number - 1) if number > 1 else None,
        "next": slide_url(lecture.id, number + 1) if number < count else None,
        "poll_url": _poll_url(row),
    }


def slide_url(lecture_id: int, number: int) -> str:
    return url_for("pages.slide", lecture_id=lecture_id, number=number)


def talk_url(lecture_id: int) -> str:
    """The courseware section of the talk's page."""
    return url_for("pages.lecture", lecture_id=lecture_id, _anchor="courseware")
