"""督查 pages (admin, inspector): the period record and its exports, exemptions (their medical
notes and scans for 督查办 only), exclusions (blueprint ``attendance_audit``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from lecturehub.attendance import exemptions, exports, records, services
from lecturehub.attendance import leave as leave_service
from lecturehub.attendance.forms import ExclusionForm, ExemptionForm
from lecturehub.auth import services as auth_services
from lecturehub.auth.forms import EmptyForm
from lecturehub.core import periods
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.core.spreadsheet import CSV, XLSX, attachment
from lecturehub.core.timeutil import now, today
from lecturehub.schedule import services as schedule_services

bp = Blueprint("attendance_audit", __name__)


def _report_args():
    period = periods.parse(request.args.get("period"), today())
    department = auth_services.get_department(request.args.get("department", type=int))
    users = services.people()  # who was expected then, active now or not
    if department is not None:
        users = [u for u in users if u.department_id == department.id]
    unit = department.name if department else current_app.config["ORG_NAME"]
    return period, department, unit, records.person_report(period.date_from, period.date_to, users)


@bp.route("/attendance/audit")
@role_required("admin", "inspector")
def audit():
    period, department, unit, report = _report_args()
    sessions = schedule_services.list_sessions(
        period.date_from, period.date_to, active_only=True, until=now()
    )
    return render_template(
        "attendance/audit.html",
        period=period,
        department=department,
        unit=unit,
        report=report,
        choices=periods.choices(today()),
        departments=auth_services.list_departments(),
        sheets=records.session_sheets(sessions),
        flag_count=records.flag_count(),
        title=exports.report_title(current_app.config["ORG_NAME"], period),
        leaves=leave_service.all_leaves(period.date_from, period.date_to),
    )


@bp.route("/attendance/audit/export.xlsx")
@role_required("admin", "inspector")
def audit_xlsx():
    period, _department, unit, report = _report_args()
    data = exports.period_workbook(report, period, current_app.config["ORG_NAME"], unit, now())
    return attachment(data, XLSX, f"出勤情况（{period.label}）.xlsx")


@bp.route("/attendance/audit/export.csv")
@role_required("admin", "inspector")
def audit_csv():
    period, _department, _unit, report = _report_args()
    return attachment(exports.report_csv(report), CSV, f"出勤情况（{period.label}）.csv")


@bp.route("/attendance/exemptions")
@role_required("admin", "inspector")
def exemption_list():
    return render_template(
        "attendance/exemptions.html",
        items=exemptions.list_exemptions(),
        empty=EmptyForm(),
        today=today(),
        sees_medical=exemptions.sees_medical,
    )


def _people_choices(form) -> None:
    form.user.choices = [
        SelectChoice(u.id, f"{u.name}（{u.department.name if u.department else '—'}）")
        for u in services.active_users()
    ]


@bp.route("/attendance/exemptions/new", methods=["GET", "POST"])
@role_required("inspector")
def new_exemption():
    form = ExemptionForm()
    _people_choices(form)
    form.series.choices = [SelectChoice(s.id, s.name) for s in services.training_series()]
    if form.validate_on_submit():
        upload = form.scan.data
        has_file = upload is not None and getattr(upload, "filename", "")
        filing = exemptions.ExemptionFiling(
            auth_services.get_user(form.user.data),
            schedule_services.get_series(form.series.data),
            form.date_from.data,
            form.date_to.data,
            form.note.data,
            scan=upload.stream if has_file else None,
            scan_name=upload.filename if has_file else "",
        )
        try:
            exemptions.file_exemption(filing, current_user)
            flash("已备案免训。", "success")
            return redirect(url_for("attendance_audit.exemption_list"))
        except ServiceError as exc:
            flash(exc.message, "danger")
            return render_template("attendance/exemption_form.html", form=form), exc.status
    status = 422 if form.errors else 200
    return render_template("attendance/exemption_form.html", form=form), status


@bp.route("/attendance/exemptions/<int:exemption_id>/end", methods=["POST"])
@role_required("inspector")
def end_exemption(exemption_id: int):
    item = exemptions.get_exemption(exemption_id)
    if EmptyForm().validate_on_submit():
        exemptions.end_exemption(item, current_user)
        flash("已撤销该免训备案。", "info")
    return redirect(url_for("attendance_audit.exemption_list"))


@bp.route("/attendance/exemptions/<int:exemption_id>/scan")
@role_required()  # 督查办, and the person the exemption is about (checked by the service)
def exemption_scan(exemption_id: int):
    path, mimetype, name = exemptions.scan_file(
        exemptions.get_exemption(exemption_id), current_user
    )
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/attendance/exclusions", methods=["GET", "POST"])
@role_required("admin")
def exclusions():
    form = ExclusionForm()
    _people_choices(form)
    form.series.choices = [SelectChoice(s.id, s.name) for s in schedule_services.list_series()]
    if form.validate_on_submit():
        try:
            exemptions.add_exclusion(
                auth_services.get_user(form.user.data),
                schedule_services.get_series(form.series.data),
                form.date_from.data,
                form.date_to.data,
                form.reason.data,
                current_user,
            )
            flash("已保存。", "success")
            return redirect(url_for("attendance_audit.exclusions"))
        except ServiceError as exc:
            flash(exc.message, "danger")
    return render_template(
        "attendance/exclusions.html",
        form=form,
        empty=EmptyForm(),
        items=exemptions.list_exclusions(),
    )


@bp.route("/attendance/exclusions/<int:exclusion_id>/delete", methods=["POST"])
@role_required("admin")
def delete_exclusion(exclusion_id: int):
    if EmptyForm().validate_on_submit():
        exemptions.delete_exclusion(exclusion_id, current_user)
        flash("已删除。", "info")
    return redirect(url_for("attendance_audit.exclusions"))
