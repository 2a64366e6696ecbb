"""Pages of the lead leader and admins: sign-in screen, roll call, 补录 and bulk marks,
corrections, the session record and its 签到表, the leave queue and "my series" with its
待补录 list (blueprint ``attendance_manage``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from lecturehub.attendance import exemptions, exports, records, rollcall, services
from lecturehub.attendance import leave as leave_service
from lecturehub.attendance.forms import CorrectionForm, DecisionForm, MarksForm
from lecturehub.attendance.models import PENDING, RECORD_STATUSES, STATUS_LABELS
from lecturehub.attendance.presenters import screen_state, window_state
from lecturehub.auth import services as auth_services
from lecturehub.auth.forms import EmptyForm
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.core.spreadsheet import CSV, XLSX, attachment
from lecturehub.core.timeutil import now, today
from lecturehub.extensions import db
from lecturehub.schedule import services as schedule_services

bp = Blueprint("attendance_manage", __name__)


def _managed(session_id: int):
    session = schedule_services.get_session(session_id)
    services.require_manage(current_user, session)
    return session


def _viewed(session_id: int):
    session = schedule_services.get_session(session_id)
    services.require_view(current_user, session)
    return session


@bp.route("/sessions/<int:session_id>/signin-screen")
@role_required("admin", "leader")
def signin_screen(session_id: int):
    session = _managed(session_id)
    return render_template(
        "attendance/screen.html", session=session, state=screen_state(session, now())
    )


@bp.route("/sessions/<int:session_id>/roll-call", methods=["GET", "POST"])
@role_required("admin", "leader")
def roll_call(session_id: int):
    session = _managed(session_id)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        marks = {
            int(key[5:]): value
            for key, value in request.form.items()
            if key.startswith("mark-") and key[5:].isdigit() and value
        }
        try:
            count = rollcall.roll_call(session, marks, current_user)
            flash(f"已记录 {count} 人。", "success")
            return redirect(url_for("attendance_manage.roll_call", session_id=session.id))
        except ServiceError as exc:
            flash(exc.message, "danger")
    sheet = records.session_sheet(session)
    return render_template(
        "attendance/roll_call.html",
        session=session,
        sheet=sheet,
        empty=EmptyForm(),
        state=window_state(session, now()),
        PENDING=PENDING,
        statuses=RECORD_STATUSES,
    )


@bp.route("/sessions/<int:session_id>/roll-call/all-present", methods=["POST"])
@role_required("admin", "leader")
def all_present(session_id: int):
    return _mark_rest(session_id, "present")


@bp.route("/sessions/<int:session_id>/roll-call/all-absent", methods=["POST"])
@role_required("admin", "leader")
def all_absent(session_id: int):
    return _mark_rest(session_id, "absent")


def _mark_rest(session_id: int, status: str):
    """其余全部到场 / 其余全部缺席 during the roll call."""
    session = _managed(session_id)
    if EmptyForm().validate_on_submit():
        try:
            count = rollcall.mark_rest(session, status, current_user)
            flash(f"已将 {count} 人记为{STATUS_LABELS[status]}。", "success")
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    return redirect(url_for("attendance_manage.roll_call", session_id=session.id))


def _marks_form(sheet) -> tuple[MarksForm, list]:
    """The bulk form; beyond the sheet, anyone active may be named (an account created after
    the session is expected only where a mark names it)."""
    listed = {user.id for user, _cell in sheet.rows}
    others = [user for user in services.active_users() if user.id not in listed]
    form = MarksForm()
    form.users.choices = [SelectChoice(u.id, u.name) for u, _ in sheet.rows] + [
        SelectChoice(u.id, u.name) for u in others
    ]
    return form, others


@bp.route("/sessions/<int:session_id>/record", methods=["GET", "POST"])
@role_required("admin", "leader")
def record(session_id: int):
    """补录 and bulk marks: everyone or a selection present / late / absent / excused in one
    step with one reason, and what the rest get (其余全部到场 / 其余全部缺席)."""
    session = _managed(session_id)
    at = now()
    sheet = records.session_sheet(session, at)
    form, others = _marks_form(sheet)
    if form.validate_on_submit():
        step = rollcall.Marks(
            dict.fromkeys(form.users.data or [], form.status.data),
            form.rest.data or None,
            form.reason.data,
        )
        try:
            count = rollcall.record_marks(session, step, current_user, at)
        except ServiceError as exc:
            db.session.rollback()
            if exc.status == 403:
                raise
            flash(exc.message, "danger")
            return _record_page(session, sheet, form, others), exc.status
        flash(f"已记录 {count} 人，本场考勤已记录。", "success")
        return redirect(url_for("attendance_manage.session_record", session_id=session.id))
    status = 422 if form.errors else 200
    return _record_page(session, sheet, form, others), status


def _record_page(session, sheet, form, others):
    return render_template(
        "attendance/record.html",
        session=session,
        sheet=sheet,
        form=form,
        others=others,
        state=sheet.state,
        state_labels=services.STATE_LABELS,
        window=services.window(session),
    )


@bp.route("/sessions/<int:session_id>/records/<int:user_id>/correct", methods=["GET", "POST"])
@role_required("admin", "leader")
def correct(session_id: int, user_id: int):
    session = _managed(session_id)
    person = auth_services.get_user(user_id)
    form = CorrectionForm()
    cell = records.Ledger([session], [person]).cell(session, person, now())
    if form.validate_on_submit():
        fix = rollcall.Correction(form.status.data, form.late_minutes.data or 0, form.reason.data)
        try:
            rollcall.correct(session, person, fix, current_user)
            flash(f"已更正 {person.name} 的记录。", "success")
            return redirect(url_for("attendance_manage.session_record", session_id=session.id))
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template(
                "attendance/correct.html", session=session, person=person, form=form, cell=cell
            ), exc.status
    return render_template(
        "attendance/correct.html", session=session, person=person, form=form, cell=cell
    )


@bp.route("/sessions/<int:session_id>/attendance")
@role_required("admin", "leader", "inspector")
def session_record(session_id: int):
    session = _viewed(session_id)
    sheet = records.session_sheet(session)
    return render_template(
        "attendance/session.html",
        session=session,
        sheet=sheet,
        summary=exports.sheet_summary(sheet),
        labels=STATUS_LABELS,
        state_labels=services.STATE_LABELS,
        can_manage=services.can_manage(current_user, session),
        sees_medical=exemptions.sees_medical,
    )


@bp.route("/sessions/<int:session_id>/signin-sheet.xlsx")
@role_required("admin", "leader", "inspector")
def signin_sheet_xlsx(session_id: int):
    sheet = records.session_sheet(_viewed(session_id))
    return attachment(exports.session_workbook(sheet), XLSX, exports.sheet_title(sheet) + ".xlsx")


@bp.route("/sessions/<int:session_id>/signin-sheet.csv")
@role_required("admin", "leader", "inspector")
def signin_sheet_csv(session_id: int):
    sheet = records.session_sheet(_viewed(session_id))
    return attachment(exports.session_csv(sheet), CSV, exports.sheet_title(sheet) + ".csv")


@bp.route("/attendance/leave/queue")
@role_required("leader")
def leave_queue():
    pending = leave_service.pending_for(current_user)
    return render_template(
        "attendance/leave_queue.html",
        pending=pending,
        duties={leave.id: leave_service.duties(leave) for leave in pending},
        warning=leave_service.DUTY_WARNING,
        decided=leave_service.decided_by(current_user),
        led=services.led_series(current_user),
    )


@bp.route("/attendance/leave/<int:leave_id>/decide", methods=["POST"])
@role_required("leader", "admin")
def decide_leave(leave_id: int):
    leave = leave_service.get_leave(leave_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            approve = form.decision.data == "approve"
            leave_service.decide(leave, current_user, approve, form.comment.data)
            flash(f"已{'批准' if approve else '不批准'} {leave.user.name} 的请假。", "success")
        except ServiceError as exc:
            if exc.status == 403:
                raise
            flash(exc.message, "danger")
    return redirect(url_for("attendance_manage.leave_queue"))


@bp.route("/attendance/my-series")
@role_required("leader")
def my_series():
    led, at = services.led_series(current_user), now()
    start, end = today() - dt.timedelta(days=35), today() + dt.timedelta(days=7)
    sessions = [
        s
        for series in led
        for s in schedule_services.list_sessions(start, end, series_id=series.id, active_only=True)
    ]
    sheets = records.session_sheets(sorted(sessions, key=lambda s: s.starts_at, reverse=True), at)
    unrecorded = [
        s for series in led for s in services.unrecorded_sessions(at, series_id=series.id)
    ]
    return render_template(
        "attendance/my_series.html",
        led=led,
        sheets=sheets,
        unrecorded=sorted(unrecorded, key=lambda s: s.starts_at),
        state_labels=services.STATE_LABELS,
    )
