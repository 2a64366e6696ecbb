"""Excel workbooks of the monthly and quarterly reports (openpyxl): a merged title row, the
period, a header row, one row per talk/department/series, and a totals row.

No sheet carries a rater's name: only talks, speakers, departments and pooled figures. Totals
count the published talks only (``ratings.summaries``); a talk still open shows no count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lecturehub.core.spreadsheet import workbook_bytes
from lecturehub.core.timeutil import format_datetime_zh
from lecturehub.ratings.aggregates import DIMENSIONS, Aggregate, percent
from lecturehub.reports.quarterly import QuarterReport
from lecturehub.reports.satisfaction import MonthReport

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")
HEADER_ROW = 4
MEAN_HEADERS = ["总体满意度", *DIMENSIONS.values()]
TALK_HEADERS = [
    "序号",
    "日期",
    "讲学题目",
    "讲课人",
    "部门",
    "签到人数",
    "评价人数",
    "参评率",
    *MEAN_HEADERS,
    "满意率",
    "5分",
    "4分",
    "3分",
    "2分",
    "1分",
    "备注",
]


def _means(total: Aggregate | None) -> list:
    if total is None:
        return [None] * len(MEAN_HEADERS)
    return [total.overall.mean, *(total.dimensions[k].mean for k in DIMENSIONS)]


def _distribution(total: Aggregate | None) -> list:
    if total is None:
        return [None] * 5
    return [total.overall.distribution[str(score)] for score in (5, 4, 3, 2, 1)]


def talk_row(number, summary) -> list:
    lecture, agg = summary.lecture, summary.aggregate
    return [
        number,
        lecture.session.date.isoformat(),
        lecture.display_title,
        lecture.speaker.name if lecture.speaker else "",
        lecture.department.name if lecture.department else "",
        summary.signed_in,
        summary.count,
        percent(summary.response_rate),
        *_means(agg),
        percent(agg.satisfaction_rate) if agg else None,
        *_distribution(agg),
        summary.label,
    ]


@dataclass
class Sheet:
    """One sheet: its tab name, the merged title row, up to two lines, a header row, rows,
    and column widths by column number (9 where not given)."""

    title: str
    heading: str
    headers: list[str]
    rows: list[list]
    lines: list[str] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)


def _sheet(wb: Workbook, sheet: Sheet):
    ws = wb.create_sheet(sheet.title)
    headers, widths = sheet.headers, sheet.widths
    ws.cell(1, 1, sheet.heading).font = Font(size=15, bold=True)
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.row_dimensions[1].height = 28
    for offset, line in enumerate(sheet.lines[:2]):
        ws.cell(2 + offset, 1, line)
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for values in sheet.rows:
        ws.append(values)
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=ws.max_row, max_col=len(headers)):
        for cell in row:
            cell.border, cell.alignment = BORDER, CENTER
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 9)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    return ws


def _save(wb: Workbook) -> bytes:
    del wb[wb.sheetnames[0]]  # the empty default sheet
    return workbook_bytes(wb)


TALK_WIDTHS = {1: 6, 2: 12, 3: 32, 4: 10, 5: 16, 8: 9, len(TALK_HEADERS): 22}
PUBLISHED_ONLY = (
    "只统计已公布的讲学（评价截止且满 {n} 人评价）；其余讲学不计入人次、平均分和满意率。"
)


# --- monthly ---------------------------------------------------------------------------------


def month_total_row(report: MonthReport) -> list:
    total = report.total
    return [
        "合计",
        "",
        f"{len(report.talks)} 场",
        "",
        "",
        report.signed_in,
        report.ratings,
        percent(report.response_rate),
        *_means(total),
        percent(total.satisfaction_rate) if total else None,
        *_distribution(total),
        f"计分讲学 {len(report.visible_talks)} 场",
    ]


def satisfaction_workbook(report: MonthReport, org: str, exported_at) -> bytes:
    wb = Workbook()
    rate = percent(report.total.satisfaction_rate if report.total else None)
    lines = [
        f"统计期间：{report.period.range_label}　　本月满意率（满意+非常满意）：{rate}",
        f"{PUBLISHED_ONLY.format(n=report.min_count)}导出时间：{format_datetime_zh(exported_at)}",
    ]
    rows = [talk_row(n, s) for n, s in enumerate(report.talks, start=1)]
    title = f"{org}干部“双提升”培训满意度测评（{report.period.label}）"
    _sheet(
        wb,
        Sheet(
            "满意度测评",
            title,
            TALK_HEADERS,
            rows + [month_total_row(report)],
            lines,
            TALK_WIDTHS,
        ),
    )
    comments = [[s.lecture.display_title, text] for s in report.talks for text in s.comments]
    title = f"意见建议（{report.period.label}，不显示姓名）"
    _sheet(wb, Sheet("意见建议", title, ["讲学", "意见建议"], comments, widths={1: 30, 2: 80}))
    return _save(wb)


# --- quarterly -------------------------------------------------------------------------------

DEPT_HEADERS = ["部门", "讲学场数", "计分场数", *MEAN_HEADERS, "课件按时提交", "时长符合一小时"]
ATTENDANCE_HEADERS = ["系列", "场次", "应到人次", "实到人次（含迟到）", "出勤率"]


def _ranked_rows(report: QuarterReport) -> list[list]:
    rows = []
    for n, s in enumerate(report.ranked, start=1):
        row = talk_row(n, s)
        row[-1] = "经验做法" if report.is_best(s) else ""
        rows.append(row)
    return rows + [talk_row("—", s) for s in report.unranked]


def _department_rows(report: QuarterReport) -> list[list]:
    rows = []
    for r in report.departments:
        talks = len(r.talks)
        rows.append(
            [
                r.name,
                talks,
                sum(1 for s in r.talks if s.published),
                *_means(r.total),
                f"{r.courseware_on_time}/{talks}",
                f"{r.within_hour}/{talks}",
            ]
        )
    on_time = sum(r.courseware_on_time for r in report.departments)
    within = sum(r.within_hour for r in report.departments)
    n = len(report.talks)
    return rows + [
        ["合计", n, len(report.ranked), *_means(report.total), f"{on_time}/{n}", f"{within}/{n}"]
    ]


def _attendance_rows(report: QuarterReport) -> list[list]:
    rows = [
        [a.name, a.sessions, a.expected, a.attended, percent(a.rate)] for a in report.attendance
    ]
    expected = sum(a.expected for a in report.attendance)
    attended = sum(a.attended for a in report.attendance)
    total_rate = percent(attended / expected if expected else None)
    return rows + [
        ["合计", sum(a.sessions for a in report.attendance), expected, attended, total_rate]
    ]


def quarterly_workbook(report: QuarterReport, org: str, exported_at) -> bytes:
    wb = Workbook()
    period = report.period
    lines = [
        f"统计期间：{period.range_label}",
        f"{PUBLISHED_ONLY.format(n=report.min_count)}未公布的讲学不排名（序号“—”）。"
        f"导出时间：{format_datetime_zh(exported_at)}",
    ]
    during = [f"统计期间：{period.range_label}"]
    title = f"{org}“我的业务我来讲”小结评估（{period.label}）"
    rows = _ranked_rows(report) + [_quarter_total(report)]
    _sheet(wb, Sheet("讲学排名", title, TALK_HEADERS, rows, lines, TALK_WIDTHS))
    title = f"各部门讲学情况（{period.label}）"
    widths = {1: 18, 9: 14, 10: 16}
    _sheet(wb, Sheet("部门对比", title, DEPT_HEADERS, _department_rows(report), during, widths))
    title = f"出勤情况（{period.label}）"
    rows, widths = _attendance_rows(report), {1: 16, 4: 20}
    _sheet(wb, Sheet("出勤情况", title, ATTENDANCE_HEADERS, rows, during, widths))
    flags = [[f.label, f.mean, "；".join(f.reasons)] for f in report.improve]
    headers, widths = ["评价项", "本季度平均分", "原因"], {1: 14, 2: 14, 3: 30}
    _sheet(wb, Sheet("需改进", f"需改进的评价项（{period.label}）", headers, flags, widths=widths))
    return _save(wb)


def _quarter_total(report: QuarterReport) -> list:
    total, signed, count = report.total, report.signed_in, report.ratings
    return [
        "合计",
        "",
        f"{len(report.talks)} 场",
        "",
        "",
        signed,
        count,
        percent(count / signed if signed else None),
        *_means(total),
        percent(total.satisfaction_rate) if total else None,
        *_distribution(total),
        f"排名 {len(report.ranked)} 场",
    ]
