"""Blueprint ``pages``: the home page, a talk's page and its courseware page, a session's page.

Each view reads top to bottom: load the object, ask each feature for its part, render.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from lecturehub.attendance import panels as attendance_panels
from lecturehub.attendance import services as attendance_services
from lecturehub.core import timeutil
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import has_role, role_required
from lecturehub.courseware import panels as courseware_panels
from lecturehub.courseware import services as courseware_services
from lecturehub.courseware import status as courseware_status
from lecturehub.courseware.upload import upload_and_index
from lecturehub.notifications import panels as notifications_panels
from lecturehub.ratings import panels as ratings_panels
from lecturehub.schedule import lectures
from lecturehub.schedule import services as schedule_services
from lecturehub.schedule.models import KIND_LECTURE, KIND_TRAINING
from lecturehub.search import panels as search_panels

bp = Blueprint("pages", __name__)


# --- the home page ----------------------------------------------------------------------------


@bp.route("/")
@role_required()
def home():
    user = current_user
    cards = [
        _schedule_card(user),
        ratings_panels.home_card(user),
        courseware_panels.home_card(user),
        attendance_panels.home_card(user),
    ]
    return render_template("pages/home.html", cards=[card for card in cards if card])


def _schedule_card(user) -> Markup | None:
    """My next talk with its courseware status, and the next lecture and training."""
    now = timeutil.now()
    talk = lectures.next_talk(user, now)
    status = courseware_status.courseware_status([talk.id])[talk.id] if talk else None
    upcoming = [schedule_services.next_session(kind, now) for kind in (KIND_LECTURE, KIND_TRAINING)]
    upcoming = [session for session in upcoming if session is not None]
    if talk is None and not upcoming:
        return None
    html = render_template(
        "schedule/_home_card.html", talk=talk, courseware=status, upcoming=upcoming
    )
    return Markup(html)  # a rendered, autoescaped template


# --- a talk -----------------------------------------------------------------------------------


def _talk_panels(talk) -> list[Markup]:
    """What the features show of a talk, in page order: the speaker's answer and 催办, its
    courseware (verdict, versions, upload form), its slide images, the slide texts search hits
    land on, the ratings."""
    panels = [
        notifications_panels.talk_panel(talk),
        courseware_panels.lecture_panel(talk),
        courseware_panels.slide_strip(talk),
        search_panels.slides_panel(talk),
        ratings_panels.lecture_panel(talk),
    ]
    return [panel for panel in panels if panel is not None]


@bp.route("/lectures/<int:lecture_id>")
@role_required()
def lecture(lecture_id: int):
    talk = lectures.get_lecture(lecture_id)
    return render_template(
        "pages/lecture.html",
        lecture=talk,
        courseware=courseware_status.courseware_status([talk.id])[talk.id],
        can_edit=lectures.can_edit(current_user, talk),
        panels=_talk_panels(talk),
    )


@bp.get("/lectures/<int:lecture_id>/slides/<int:number>")
@role_required()
def slide(lecture_id: int, number: int):
    """One slide of the talk's current courseware, large, with its text and notes beside it."""
    talk = lectures.get_lecture(lecture_id)
    view = courseware_panels.slide_view(talk, number)
    if view is None:
        abort(404)
    return render_template("pages/slide.html", lecture=talk, **view)


@bp.get("/lectures/<int:lecture_id>/courseware")
@role_required()
def courseware(lecture_id: int):
    """The talk's courseware page: where an upload without JavaScript lands when refused."""
    talk = lectures.get_lecture(lecture_id)
    return render_template("pages/courseware.html", lecture=talk, panels=_talk_panels(talk))


@bp.post("/lectures/<int:lecture_id>/courseware")
@role_required()
def upload_courseware(lecture_id: int):
    """The upload form without JavaScript (with it, the page posts to the API instead)."""
    talk = lectures.get_lecture(lecture_id)
    courseware_services.check_can_upload(current_user, talk)
    try:
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ServiceError("请选择要上传的课件文件（.pptx）。", "no_file", 400)
        row, created = upload_and_index(talk, file.stream, file.filename, current_user)
    except RequestEntityTooLarge:
        return _upload_refused(talk, courseware_services.too_large_error())
    except ServiceError as exc:
        return _upload_refused(talk, exc)
    flash(courseware_panels.upload_message(row, created), "success" if created else "info")
    return redirect(courseware_panels.talk_url(talk.id))


def _upload_refused(talk, exc: ServiceError):
    """The courseware page again with the reason, under the refusal's status (403 is raised)."""
    if exc.status == 403:
        raise exc
    flash(exc.message, "danger")
    html = render_template("pages/courseware.html", lecture=talk, panels=_talk_panels(talk))
    return html, exc.status


# --- a session --------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>")
@role_required()
def session(session_id: int):
    """A session: its time and talk, its attendance (state, sign-in, 补录), and for 党政办 the
    changes it allows — a held session (with attendance) is never moved or cancelled, only
    voided — and its audit trail."""
    item = schedule_services.get_session(session_id)
    now = timeutil.now()
    return render_template(
        "pages/session.html",
        session=item,
        attendance_panel=attendance_panels.session_panel(item),
        held=attendance_services.has_records(item),
        started=item.starts_at <= now,
        ended=item.ends_at < now,
        events=item.events if has_role(current_user, "admin", "inspector") else [],
    )
