"""Pages every cadre uses: my attendance, asking for leave, the phone sign-in page.

The lead leader's and admin's pages are the ``attendance_manage`` blueprint (``manage_views``),
the 督查 pages the ``attendance_audit`` blueprint (``audit_views``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance import records, services, signin
from lecturehub.attendance.exemptions import active_exemptions
from lecturehub.attendance.forms import LeaveForm
from lecturehub.auth import services as auth_services
from lecturehub.auth.forms import EmptyForm
from lecturehub.core import periods
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import has_role, public, role_required
from lecturehub.core.timeutil import WEEKDAYS_ZH, now, today
from lecturehub.schedule import services as schedule_services

bp = Blueprint("attendance", __name__)
UPCOMING_DAYS = 45


@bp.route("/attendance")
@role_required()
def mine():
    period = periods.parse(request.args.get("period"), today())
    history = records.user_history(current_user, period.date_from, period.date_to)
    counts = records.tally(cell for _session, cell in history)
    year_absences = records.absences_in_year(today().year, [current_user]).get(current_user.id, [])
    return render_template(
        "attendance/mine.html",
        period=period,
        choices=periods.choices(today()),
        history=history,
        counts=counts,
        year_absences=year_absences,
        flag_count=records.flag_count(),
        leaves=leave_service.leaves_of(current_user),
        empty=EmptyForm(),
        exemptions=active_exemptions(current_user, today()),
    )


def session_label(session) -> str:
    return (
        f"{session.series.name} {session.date.month}月{session.date.day}日"
        f"（{WEEKDAYS_ZH[session.date.weekday()]}）{session.starts_at:%H:%M}"
    )


def _fill_leave_choices(form: LeaveForm) -> None:
    form.series.choices = [
        SelectChoice(s.id, s.name) for s in schedule_services.list_series(active_only=True)
    ]
    upcoming = schedule_services.list_sessions(
        today(), today() + dt.timedelta(days=UPCOMING_DAYS), active_only=True
    )
    form.session.choices = [SelectChoice(0, "按日期范围请假（如出差多天）")] + [
        SelectChoice(s.id, session_label(s)) for s in upcoming if s.starts_at > now()
    ]
    if has_role(current_user, "admin"):
        users = services.active_users()
        form.user.choices = [SelectChoice(0, f"本人（{current_user.name}）")] + [
            SelectChoice(u.id, u.name) for u in users
        ]
    else:
        form.user.choices = [SelectChoice(0, current_user.name)]


def _submit_leave(form: LeaveForm):
    person = current_user
    if form.user.data and has_role(current_user, "admin"):
        person = auth_services.get_user(form.user.data)
    session = schedule_services.get_session(form.session.data) if form.session.data else None
    series = session.series if session else schedule_services.get_series(form.series.data)
    ask = leave_service.LeaveAsk(
        series,
        form.leave_type.data,
        form.reason.data,
        session=session,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    return leave_service.request_leave(person, ask, by=current_user)


@bp.route("/attendance/leave/new", methods=["GET", "POST"])
@role_required()
def new_leave():
    form = LeaveForm()
    _fill_leave_choices(form)
    if request.method == "GET" and request.args.get("session", "").isdigit():
        form.session.data = int(request.args["session"])
    if form.validate_on_submit():
        try:
            leave = _submit_leave(form)
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("attendance/leave_form.html", form=form), exc.status
        message = "请假申请已提交，等待牵头领导审批。"
        if leave.late:
            message += "（已过“提前一天”的期限，标记为逾期）"
        duty = leave_service.duties(leave)
        if duty:
            message += f"您是该场的讲课人（{duty[0].display_title}），请同时联系党政办调整讲学。"
        flash(message, "warning" if leave.late or duty else "success")
        return redirect(url_for("attendance.mine"))
    status = 422 if form.errors else 200
    return render_template("attendance/leave_form.html", form=form), status


@bp.route("/attendance/leave/<int:leave_id>/withdraw", methods=["POST"])
@role_required()
def withdraw_leave(leave_id: int):
    leave = leave_service.get_leave(leave_id)
    if EmptyForm().validate_on_submit():
        try:
            leave_service.withdraw(leave, current_user)
            flash("请假申请已撤回。", "info")
        except ServiceError as exc:
            flash(exc.message, "danger")
    return redirect(url_for("attendance.mine"))


@bp.route("/checkin/<int:session_id>", methods=["GET", "POST"])
@public
def checkin(session_id: int):
    """The page a phone opens from the QR code; its script posts the token to the API.
    Without JavaScript, the button posts the same token here.

    Signed out, the scanned token is checked now and exchanged for a grant that rides through
    the login page (``g``), so logging in takes as long as it takes (GRANT_MINUTES)."""
    session = schedule_services.get_session(session_id)
    token, grant = request.values.get("t", ""), request.values.get("g", "")
    if not current_user.is_authenticated:
        return _checkin_signed_out(session, token, grant)
    result, error = None, None
    if request.method == "POST" and EmptyForm().validate_on_submit():
        try:
            if grant and not token:
                result = signin.check_in_with_grant(session, current_user, grant)
            else:
                result = signin.check_in(session, current_user, token)
        except ServiceError as exc:
            error = exc.message
    return render_template(
        "attendance/checkin.html",
        session=session,
        token=token,
        grant=grant,
        result=result,
        error=error,
        label=session_label(session),
    )


def _checkin_signed_out(session, token: str, grant: str):
    """To the login page, carrying a grant for a token valid now (or the token as it is: the
    page after the login says what is wrong with it)."""
    if token and not grant and request.method == "GET":
        try:
            grant = signin.grant_for_token(session, token)
            token = ""
        except ServiceError:
            pass
    target = url_for("attendance.checkin", session_id=session.id, t=token or None, g=grant or None)
    return redirect(url_for("auth.login", next=target))
