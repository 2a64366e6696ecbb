"""组织办's pages: the monthly satisfaction survey and the quarterly evaluation, printable,
with their Excel exports. A malformed ``month``/``quarter`` is flashed and the current one shown."""

from __future__ import annotations

from io import BytesIO

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

from lecturehub.core import periods
from lecturehub.core.errors import ServiceError
from lecturehub.core.security import role_required
from lecturehub.core.spreadsheet import XLSX
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings.aggregates import DIMENSIONS, LABELS, percent
from lecturehub.ratings.panels import talk_url
from lecturehub.reports import annual, charts, exports, quarterly, satisfaction, services

bp = Blueprint("reports", __name__)
ROLES = ("organiser", "admin")


def _period(parse, arg: str, endpoint: str):
    """(period, None) or (None, a redirect to the current period with the error flashed)."""
    try:
        return parse(request.args.get(arg)), None
    except ServiceError as exc:
        flash(exc.message, "danger")
        return None, redirect(url_for(endpoint))


def _xlsx(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


@bp.get("/reports")
@role_required(*ROLES)
def index():
    return render_template(
        "reports/index.html",
        month=services.parse_month(None),
        quarter=services.parse_quarter(None),
        shifted=periods.shifted,
    )


@bp.get("/reports/satisfaction")
@role_required(*ROLES)
def satisfaction_page():
    period, bad = _period(services.parse_month, "month", "reports.satisfaction_page")
    if bad:
        return bad
    report = satisfaction.monthly(period)
    return render_template(
        "reports/satisfaction.html",
        report=report,
        percent=percent,
        labels=LABELS,
        dimensions=DIMENSIONS,
        trend_chart=charts.trend_chart(report.trend),
        dimension_chart=charts.dimension_bars(report.total),
        prev=periods.shifted(period, -1),
        next=periods.shifted(period, 1),
        talk_url=talk_url,
    )


@bp.get("/reports/satisfaction/export.xlsx")
@role_required(*ROLES)
def satisfaction_xlsx():
    period, bad = _period(services.parse_month, "month", "reports.satisfaction_page")
    if bad:
        return bad
    data = exports.satisfaction_workbook(
        satisfaction.monthly(period), current_app.config["ORG_NAME"], local_now()
    )
    return _xlsx(data, f"满意度测评-{period.key}.xlsx")


@bp.get("/reports/quarterly")
@role_required(*ROLES)
def quarterly_page():
    period, bad = _period(services.parse_quarter, "quarter", "reports.quarterly_page")
    if bad:
        return bad
    report = quarterly.quarterly(period)
    return render_template(
        "reports/quarterly.html",
        report=report,
        percent=percent,
        labels=LABELS,
        dimensions=DIMENSIONS,
        talk_chart=charts.talk_bars(report.ranked[:15]),
        department_chart=charts.department_bars(report.departments),
        attendance_chart=charts.attendance_bars(report.attendance),
        prev=periods.shifted(period, -1),
        next=periods.shifted(period, 1),
        talk_url=talk_url,
    )


@bp.get("/reports/quarterly/export.xlsx")
@role_required(*ROLES)
def quarterly_xlsx():
    period, bad = _period(services.parse_quarter, "quarter", "reports.quarterly_page")
    if bad:
        return bad
    data = exports.quarterly_workbook(
        quarterly.quarterly(period), current_app.config["ORG_NAME"], local_now()
    )
    return _xlsx(data, f"小结评估-{period.key}.xlsx")


# --- the annual assessment sheet (年度和量化考核): 党政办 and 督查办 ------------------------------

ANNUAL_ROLES = ("admin", "inspector")


def _year():
    """(year, None) or (None, a redirect to this year with the error flashed)."""
    try:
        return periods.parse_year(request.args.get("year"), local_now().date()), None
    except ServiceError as exc:
        flash(exc.message, "danger")
        return None, redirect(url_for("reports.annual_page"))


@bp.get("/reports/annual")
@role_required(*ANNUAL_ROLES)
def annual_page():
    year, bad = _year()
    if bad:
        return bad
    return render_template(
        "reports/annual.html",
        sheet=annual.annual_sheet(year),
        flag_text=annual.flag_text,
        this_year=local_now().year,
    )


@bp.get("/reports/annual/export.xlsx")
@role_required(*ANNUAL_ROLES)
def annual_xlsx():
    year, bad = _year()
    if bad:
        return bad
    data = annual.annual_workbook(
        annual.annual_sheet(year), current_app.config["ORG_NAME"], local_now()
    )
    return _xlsx(data, f"年度和量化考核-{year}.xlsx")
