"""排课 pages for 党政办 (admin): dashboard (with 待补录 and 需调整), generate, rotation, series
settings, changes (cancel, move, void and its undo), one-off and backfilled sessions.

Their own blueprint, ``schedule_admin`` (the pages for everyone are ``schedule`` in ``views``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance import services as attendance_services
from lecturehub.auth import services as auth_services
from lecturehub.auth.forms import EmptyForm
from lecturehub.core import timeutil
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.courseware import status as courseware_status
from lecturehub.extensions import db
from lecturehub.notifications import workflow as notifications
from lecturehub.schedule import feeds, lectures, rotation, services
from lecturehub.schedule.forms import (
    CancelForm,
    ExtraSessionForm,
    GenerateForm,
    MoveForm,
    RotationForm,
    SeriesForm,
    UnvoidForm,
    VoidForm,
)
from lecturehub.schedule.generation import generate_sessions

bp = Blueprint("schedule_admin", __name__)


def _refused(exc: ServiceError, template: str, **context):
    db.session.rollback()
    flash(exc.message, "danger")
    return render_template(template, **context), 422


@bp.route("/admin/schedule")
@role_required("admin")
def dashboard():
    now = timeutil.now()
    sessions = lectures.dashboard_sessions(now)
    talks = [s.lecture.id for s in sessions if s.lecture is not None]
    adjust = {
        session_id: [f"{leave_service.DUTY_WARNING}（{leave.user.name}已获准请假）"]
        for session_id, leave in leave_service.talks_needing_change(sessions).items()
    }
    rows = lectures.dashboard(sessions, courseware_status.courseware_status(talks), now, adjust)
    return render_template(
        "schedule/dashboard.html",
        rows=rows,
        adjust=adjust,
        unrecorded=attendance_services.unrecorded_sessions(now),
        feed_token=feeds.all_feed_token(),
        declined=notifications.declined(talks),
    )


@bp.route("/admin/schedule/generate", methods=["GET", "POST"])
@role_required("admin")
def generate():
    form = GenerateForm()
    form.series.choices = [SelectChoice(0, "全部系列")] + [
        SelectChoice(s.id, s.name) for s in services.list_series()
    ]
    result = None
    if form.validate_on_submit():
        try:
            chosen = services.series_for(form.series.data or None)
            result = generate_sessions(form.start.data, form.end.data, chosen)
        except ServiceError as exc:
            return _refused(exc, "schedule/generate.html", form=form, result=None)
        flash(f"已新建 {len(result.created)} 场，跳过 {len(result.skipped)} 场。", "success")
    elif request.method == "POST":
        return render_template("schedule/generate.html", form=form, result=None), 422
    return render_template("schedule/generate.html", form=form, result=result)


def _rotation_form() -> RotationForm:
    form = RotationForm()
    departments = auth_services.list_departments(active_only=True)
    form.departments.choices = [SelectChoice(d.id, d.name) for d in departments]
    if request.method == "GET" and not form.departments.data:
        form.departments.data = [d.id for d in departments]
    return form


@bp.route("/admin/schedule/rotation", methods=["GET", "POST"])
@role_required("admin")
def rotation_plan():
    form = _rotation_form()
    proposals = None
    if form.validate_on_submit():
        chosen = [auth_services.get_department(i) for i in form.departments.data]
        try:
            proposals = rotation.propose_rotation(chosen, form.start.data, form.end.data)
        except ServiceError as exc:
            return _refused(exc, "schedule/rotation.html", form=form, proposals=None, choices=[])
    elif request.method == "POST":
        return render_template("schedule/rotation.html", form=form, proposals=None, choices=[]), 422
    return render_template(
        "schedule/rotation.html",
        form=form,
        proposals=proposals,
        choices=auth_services.list_departments(active_only=True),
        empty=EmptyForm(),
    )


def _assignments() -> dict[int, int | None]:
    assignments = {}
    for key, value in request.form.items():
        if key.startswith("dept-") and key[5:].isdigit():
            assignments[int(key[5:])] = int(value) if value.isdigit() and value != "0" else None
    return assignments


@bp.route("/admin/schedule/rotation/confirm", methods=["POST"])
@role_required("admin")
def confirm_rotation():
    if not EmptyForm().validate_on_submit():
        flash("页面已过期，请重新生成轮讲方案。", "danger")
        return redirect(url_for("schedule_admin.rotation_plan"))
    try:
        created = rotation.confirm_rotation(_assignments())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("schedule_admin.rotation_plan"))
    flash(f"已确认轮讲安排，新建 {len(created)} 场讲学，请各部门确定讲课人。", "success")
    return redirect(url_for("schedule_admin.dashboard"))


@bp.route("/admin/schedule/series")
@role_required("admin")
def series_list():
    return render_template("schedule/series_list.html", series=services.list_series())


def _fill_series_choices(form: SeriesForm) -> None:
    form.leader.choices = [SelectChoice(0, "（未定）")] + [
        SelectChoice(u.id, u.name) for u in auth_services.list_users(active_only=True)
    ]
    form.department.choices = [SelectChoice(0, "（未定）")] + [
        SelectChoice(d.id, d.name) for d in auth_services.list_departments()
    ]


def _series_values(form: SeriesForm) -> dict:
    values = {name: getattr(form, name).data for name in services.SERIES_FIELDS}
    values["leader"] = auth_services.get_user(form.leader.data) if form.leader.data else None
    values["department"] = auth_services.get_department(form.department.data)
    return values


@bp.route("/admin/schedule/series/<int:series_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_series(series_id: int):
    series = services.get_series(series_id)
    form = SeriesForm(obj=series) if request.method == "GET" else SeriesForm()
    _fill_series_choices(form)
    if request.method == "GET":
        form.weekdays.data = series.weekday_list
        form.leader.data, form.department.data = series.leader_id or 0, series.department_id or 0
    if form.validate_on_submit():
        try:
            changed = services.update_series(series, **_series_values(form))
        except ServiceError as exc:
            return _refused(exc, "schedule/series_form.html", form=form, series=series)
        flash(f"已保存，{changed} 场尚未举行的活动已按新设置更新。", "success")
        return redirect(url_for("schedule_admin.series_list"))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/series_form.html", form=form, series=series), status


@bp.route("/admin/schedule/extra", methods=["GET", "POST"])
@role_required("admin")
def extra_session():
    form = ExtraSessionForm()
    form.series.choices = [SelectChoice(s.id, s.name) for s in services.list_series()]
    if form.validate_on_submit():
        spec = services.ExtraSession(
            services.get_series(form.series.data),
            form.date.data,
            form.time.data,
            form.title.data,
            venue=form.venue.data,
            duration_minutes=form.duration.data,
            backfill=form.backfill.data,
        )
        try:
            item = services.add_extra_session(spec, by=current_user)
        except ServiceError as exc:
            return _refused(exc, "schedule/extra.html", form=form)
        if item.backfill:
            flash("已补录该活动，请记录它的考勤（记录之前不计缺席）。", "success")
            return redirect(url_for("attendance_manage.record", session_id=item.id))
        flash("已添加临时活动。", "success")
        return redirect(url_for("pages.session", session_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/extra.html", form=form), status


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@role_required("admin")
def cancel_session(session_id: int):
    item = services.get_session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_session(item, form.reason.data, by=current_user)
        except ServiceError as exc:
            return _refused(exc, "schedule/change.html", form=form, session=item, action="cancel")
        flash("已取消该活动，参加人员会看到取消原因。", "success")
        return redirect(url_for("pages.session", session_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/change.html", form=form, session=item, action="cancel"), status


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@role_required("admin")
def move_session(session_id: int):
    item = services.get_session(session_id)
    form = MoveForm(
        data={"date": item.date, "time": item.starts_at.time(), "venue": item.venue}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        move = services.SessionMove(
            form.date.data, form.time.data, form.reason.data, venue=form.venue.data
        )
        try:
            services.move_session(item, move, by=current_user, now=timeutil.now())
        except ServiceError as exc:
            return _refused(exc, "schedule/change.html", form=form, session=item, action="move")
        flash("已调整该活动，参加人员会看到调整原因。", "success")
        return redirect(url_for("pages.session", session_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/change.html", form=form, session=item, action="move"), status


@bp.route("/sessions/<int:session_id>/void", methods=["GET", "POST"])
@role_required("admin")
def void_session(session_id: int):
    """作废: the session counts for nobody; its records stay, and the void can be undone."""
    item = services.get_session(session_id)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            services.void_session(item, form.reason.data, current_user)
        except ServiceError as exc:
            return _refused(exc, "schedule/void.html", form=form, session=item)
        flash("已作废该活动：它不计入任何人的考勤，记录保留备查。", "success")
        return redirect(url_for("pages.session", session_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("schedule/void.html", form=form, session=item), status


@bp.route("/sessions/<int:session_id>/unvoid", methods=["POST"])
@role_required("admin")
def unvoid_session(session_id: int):
    item = services.get_session(session_id)
    form = UnvoidForm()
    if form.validate_on_submit():
        try:
            services.unvoid_session(item, current_user, form.reason.data)
            flash("已撤销作废，该活动重新计入考勤。", "success")
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    return redirect(url_for("pages.session", session_id=item.id))


@bp.route("/sessions/<int:session_id>/lecture", methods=["POST"])
@role_required("admin")
def add_lecture(session_id: int):
    item = services.get_session(session_id)
    if EmptyForm().validate_on_submit():
        try:
            created = lectures.new_lecture(item)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("pages.session", session_id=item.id))
        return redirect(url_for("schedule.edit_lecture", lecture_id=created.id))
    return redirect(url_for("pages.session", session_id=item.id))
