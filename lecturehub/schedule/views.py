"""Pages for everyone: calendar (list, week, month), editing a talk, my talks, the feeds.

The admin pages (排课) are the ``schedule_admin`` blueprint in ``admin_views``; a session's
page and a talk's page gather other features' panels and live in ``lecturehub.pages``.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from lecturehub.auth import services as auth_services
from lecturehub.core import timeutil
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import public, role_required
from lecturehub.courseware import status as courseware_status
from lecturehub.extensions import db
from lecturehub.schedule import feeds, lectures, services
from lecturehub.schedule.forms import LectureForm

bp = Blueprint("schedule", __name__)
LIST_DAYS = 35


def _day_arg(name: str = "date") -> dt.date:
    return timeutil.parse_date(request.args.get(name)) or timeutil.today()


def _by_day(sessions) -> dict[dt.date, list]:
    days: dict[dt.date, list] = {}
    for session in sessions:
        days.setdefault(session.date, []).append(session)
    return days


@bp.route("/schedule")
@role_required()
def index():
    start = _day_arg("from")
    end = timeutil.parse_date(request.args.get("to")) or start + dt.timedelta(days=LIST_DAYS)
    if end < start or (end - start).days > 366:
        end = start + dt.timedelta(days=LIST_DAYS)
    series_id = request.args.get("series", type=int)
    sessions = services.list_sessions(start, end, series_id=series_id)
    return render_template(
        "schedule/list.html",
        days=_by_day(sessions),
        start=start,
        end=end,
        series=services.list_series(),
        series_id=series_id,
        next_start=end + dt.timedelta(days=1),
    )


@bp.route("/schedule/week")
@role_required()
def week():
    day = _day_arg()
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    sessions = _by_day(services.list_sessions(days[0], days[-1]))
    return render_template(
        "schedule/week.html",
        days=days,
        sessions=sessions,
        prev=monday - dt.timedelta(days=7),
        next=monday + dt.timedelta(days=7),
        today=timeutil.today(),
    )


def _month_arg() -> dt.date:
    raw = request.args.get("month") or ""
    try:
        first = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timeutil.today().replace(day=1)
    return (
        first
        if timeutil.MIN_YEAR <= first.year <= timeutil.MAX_YEAR
        else timeutil.today().replace(day=1)
    )


@bp.route("/schedule/month")
@role_required()
def month():
    first = _month_arg()
    weeks = pycalendar.Calendar().monthdatescalendar(first.year, first.month)
    sessions = _by_day(services.list_sessions(weeks[0][0], weeks[-1][-1]))
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render_template(
        "schedule/month.html",
        first=first,
        weeks=weeks,
        sessions=sessions,
        prev=prev,
        next=following,
        today=timeutil.today(),
    )


def _fill_lecture_choices(form: LectureForm, lecture) -> None:
    users = auth_services.list_users(active_only=True)
    if lecture.department is not None:  # the department's own people first
        users.sort(key=lambda u: u.department_id != lecture.department_id)
    form.speaker.choices = [SelectChoice(0, "（未定）")] + [
        SelectChoice(u.id, f"{u.name}（{u.department.name if u.department else '—'}）")
        for u in users
    ]
    form.department.choices = [SelectChoice(0, "（未定）")] + [
        SelectChoice(d.id, d.name) for d in auth_services.list_departments(active_only=True)
    ]


def _lecture_changes(form: LectureForm, lecture) -> dict:
    changes = {
        "title": form.title.data,
        "speaker": auth_services.get_user(form.speaker.data) if form.speaker.data else None,
        "category": form.category.data,
        "abstract": form.abstract.data,
    }
    if current_user.has_role("admin"):
        changes["department"] = auth_services.get_department(form.department.data)
        changes["deadline"] = form.deadline.data
    return changes


@bp.route("/lectures/<int:lecture_id>/edit", methods=["GET", "POST"])
@role_required()
def edit_lecture(lecture_id: int):
    item = lectures.get_lecture(lecture_id)
    if not lectures.can_edit(current_user, item):
        abort(403)
    form = LectureForm(obj=item) if request.method == "GET" else LectureForm()
    _fill_lecture_choices(form, item)
    if request.method == "GET":
        form.speaker.data, form.department.data = item.speaker_id or 0, item.department_id or 0
        form.abstract.data = item.abstract_md
    if form.validate_on_submit():
        try:
            lectures.update_lecture(item, _lecture_changes(form, item), by=current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template("schedule/lecture_form.html", form=form, lecture=item), 422
        flash("讲学信息已保存。", "success")
        return redirect(url_for("pages.lecture", lecture_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/lecture_form.html", form=form, lecture=item), status


@bp.route("/my/talks")
@role_required()
def my_talks():
    talks = lectures.talks_of(current_user)
    now = timeutil.now()
    upcoming = [t for t in talks if t.session.ends_at >= now]
    past = [t for t in talks if t.session.ends_at < now][::-1]
    statuses = courseware_status.courseware_status([t.id for t in talks])
    return render_template(
        "schedule/my_talks.html", upcoming=upcoming, past=past, statuses=statuses, now=now
    )


# --- iCalendar feeds ------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _session_url(item) -> str:
    return url_for("pages.session", session_id=item.id, _external=True)


def _calendar_name(whose: str) -> str:
    return f"{current_app.config['SITE_NAME']} · {whose}"


@bp.route("/schedule/calendar.ics")
@role_required()
def feed():
    body = feeds.build_calendar(
        feeds.feed_sessions(), _calendar_name("全部活动"), url_for_session=_session_url
    )
    return _ics(body, "lecturehub.ics")


@bp.route("/calendar/all/<token>.ics")
@public
def all_feed(token: str):
    if not feeds.check_all_feed_token(token):
        abort(404)
    body = feeds.build_calendar(
        feeds.feed_sessions(), _calendar_name("全部活动"), url_for_session=_session_url
    )
    return _ics(body, "lecturehub.ics")


@bp.route("/calendar/<token>.ics")
@public
def my_feed(token: str):
    user = auth_services.user_by_feed_token(token)
    if user is None:
        abort(404)
    body = feeds.build_calendar(
        feeds.feed_sessions(),
        _calendar_name(user.name),
        own_lectures=lectures.talks_of(user),
        url_for_session=_session_url,
    )
    return _ics(body, "my-lecturehub.ics")
