"""Exports laid out as 督查办 prints them: the period record (.xlsx / .csv) and 签到表.

Excel files come from openpyxl; CSV is UTF-8 with a BOM so Excel opens it with Chinese intact.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lecturehub.attendance.records import Counts, PeriodReport, SessionSheet
from lecturehub.attendance.services import UNRECORDED, VOID
from lecturehub.core.periods import Period
from lecturehub.core.spreadsheet import csv_bytes, workbook_bytes
from lecturehub.core.timeutil import format_datetime_zh

COUNT_HEADERS = ("应到", "出勤", "迟到", "请假", "免训", "缺席")
FLAG_HEADER = "评先评优资格"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def report_title(org: str, period: Period) -> str:
    return f"{org}干部“双提升”行动出勤情况（{period.label}）"


def _counts(c: Counts) -> list[int]:
    return [c.expected, c.present, c.late, c.excused, c.exempt, c.absent]


def flag_text(report: PeriodReport, flagged: list) -> str:
    if not flagged:
        return ""
    return f"取消（{report.date_to.year}年缺席{len(flagged)}次）"


def _flag_note(flagged: list) -> str:
    return "、".join(f"{s.date.month}/{s.date.day} {s.series.name}" for s in flagged)


def report_rows(report: PeriodReport) -> list[list]:
    """One row per person: 序号, 姓名, 部门, counts per series, totals, flag, note."""
    rows = []
    for number, row in enumerate(report.rows, start=1):
        values = [number, row.user.name, row.user.department.name if row.user.department else ""]
        for series in report.series:
            values += _counts(row.by_series[series.id])
        values += _counts(row.total) + [flag_text(report, row.flagged), _flag_note(row.flagged)]
        rows.append(values)
    return rows


def total_row(report: PeriodReport) -> list:
    values: list = ["合计", "", ""]
    for series in report.series:
        values += _counts(report.totals[series.id])
    flagged = sum(1 for row in report.rows if row.flagged)
    return values + _counts(report.grand_total) + [f"{flagged} 人", ""]


def _style_range(ws, first_row: int, last_row: int, last_col: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=last_col):
        for cell in row:
            cell.border, cell.alignment = BORDER, CENTER


def _header(ws, report: PeriodReport, last_col: int) -> None:
    for col, text in (
        (1, "序号"),
        (2, "姓名"),
        (3, "部门"),
        (last_col - 1, FLAG_HEADER),
        (last_col, "缺席场次（全年）"),
    ):
        ws.cell(4, col, text)
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    groups = [s.name for s in report.series] + ["合计"]
    for index, name in enumerate(groups):
        first = 4 + index * len(COUNT_HEADERS)
        ws.cell(4, first, name)
        ws.merge_cells(start_row=4, start_column=first, end_row=4, end_column=first + 5)
        for offset, text in enumerate(COUNT_HEADERS):
            ws.cell(5, first + offset, text)


def period_workbook(
    report: PeriodReport, period: Period, org: str, unit: str, exported_at
) -> bytes:
    """The 督查 record of a period as an .xlsx: title, period, unit, people, totals, flags."""
    wb = Workbook()
    ws = wb.active
    ws.title = period.label[:31]
    last_col = 3 + len(COUNT_HEADERS) * (len(report.series) + 1) + 2
    ws.cell(1, 1, report_title(org, period)).font = Font(size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(1, 1).alignment = CENTER
    ws.cell(2, 1, f"统计期间：{period.range_label}")
    ws.cell(3, 1, f"单位：{unit}　　导出时间：{format_datetime_zh(exported_at)}")
    _header(ws, report, last_col)
    for values in report_rows(report) + [total_row(report)]:
        ws.append(values)
    _style_range(ws, 4, ws.max_row, last_col)
    for col in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 6
    for col, width in ((2, 10), (3, 16), (last_col - 1, 18), (last_col, 30)):
        ws.column_dimensions[get_column_letter(col)].width = width
    _print_setup(ws, "4:5")
    return _save(wb)


def _print_setup(ws, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)


def report_csv(report: PeriodReport) -> bytes:
    header = ["序号", "姓名", "部门"]
    for name in [s.name for s in report.series] + ["合计"]:
        header += [f"{name}{h}" for h in COUNT_HEADERS]
    return _csv(
        [header + [FLAG_HEADER, "缺席场次（全年）"]] + report_rows(report) + [total_row(report)]
    )


def _csv(rows: list[list]) -> bytes:
    return csv_bytes(rows)


# --- per-session sign-in sheet (签到表) -------------------------------------------------------

SHEET_HEADERS = ["序号", "姓名", "部门", "状态", "签到时间", "迟到（分钟）", "备注"]


def _note(cell) -> str:
    if cell.exemption is not None:  # medical: the note stays with 督查办 (never exported)
        return "免训备案"
    if cell.leave is not None:
        return f"{cell.leave.leave_type}：{cell.leave.reason}"
    if cell.record is not None and cell.record.corrections:
        last = cell.record.corrections[-1]
        return f"已更正：{last.reason}"
    return ""


def sheet_rows(sheet: SessionSheet) -> list[list]:
    rows = []
    for number, (user, cell) in enumerate(sheet.rows, start=1):
        at = cell.record.checked_in_at if cell.record is not None else None
        rows.append(
            [
                number,
                user.name,
                user.department.name if user.department else "",
                cell.label,
                at.strftime("%H:%M:%S") if at else "",
                cell.late_minutes or "",
                _note(cell),
            ]
        )
    return rows


def sheet_title(sheet: SessionSheet) -> str:
    session = sheet.session
    return f"{session.series.name}签到表（{session.date.month}月{session.date.day}日）"


def sheet_summary(sheet: SessionSheet) -> str:
    if sheet.state == UNRECORDED:
        return f"尚未记录考勤（待补录），名单 {sheet.listed} 人；补录之前不计缺席"
    if sheet.state == VOID:
        return "本场已作废或取消，不计入任何人的考勤（记录保留备查）"
    c = sheet.counts
    return (
        f"应到 {c.expected} 人，实到 {c.attended} 人（其中迟到 {c.late} 人），"
        f"请假 {c.excused} 人，免训 {c.exempt} 人，缺席 {c.absent} 人"
    )


def session_workbook(sheet: SessionSheet) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "签到表"
    session, width = sheet.session, len(SHEET_HEADERS)
    ws.cell(1, 1, sheet_title(sheet)).font = Font(size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = CENTER
    ws.cell(2, 1, f"时间：{format_datetime_zh(session.starts_at)}　　地点：{session.venue}")
    ws.cell(3, 1, sheet_summary(sheet))
    ws.append(SHEET_HEADERS)
    for values in sheet_rows(sheet):
        ws.append(values)
    _style_range(ws, 4, ws.max_row, width)
    for col, w in zip("ABCDEFG", (6, 10, 16, 14, 12, 10, 36), strict=True):
        ws.column_dimensions[col].width = w
    _print_setup(ws, "4:4")
    ws.page_setup.orientation = "portrait"
    return _save(wb)


def session_csv(sheet: SessionSheet) -> bytes:
    return _csv([SHEET_HEADERS] + sheet_rows(sheet))
