"""The annual assessment sheet (年度和量化考核): per person and year, the 督查 record of the
recorded sessions (expected, attended, late, excused, exempt, absent), the talks they gave and
the average rating of those talks, and the 评先评优 flag with the sessions that caused it.

It composes two features, so it lives here, above both: attendance's ``records.year_record``
(recorded sessions only) and ratings' public summaries (``summaries.summaries``): a talk's
rating counts only as the ratings feature publishes it, so a change to when ratings are
published applies here by itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lecturehub.attendance import records
from lecturehub.attendance import services as attendance_services
from lecturehub.attendance.records import YearRow
from lecturehub.core.spreadsheet import workbook_bytes
from lecturehub.core.timeutil import format_datetime_zh
from lecturehub.core.timeutil import now as local_now
from lecturehub.ratings import summaries
from lecturehub.ratings.summaries import LectureSummary
from lecturehub.schedule.models import Session

HEADERS = (
    "序号",
    "姓名",
    "部门",
    "应到",
    "出勤",
    "迟到",
    "请假",
    "免训",
    "缺席",
    "讲学次数",
    "讲学平均评分",
    "评先评优资格",
    "缺席场次",
)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class AnnualRow:
    record: YearRow
    talks: list[LectureSummary] = field(default_factory=list)

    @property
    def user(self):
        return self.record.user

    @property
    def rated(self) -> list[LectureSummary]:
        """The talks whose rating the ratings feature publishes."""
        return [talk for talk in self.talks if talk.visible]

    @property
    def average(self) -> float | None:
        """The mean of the published overall ratings of their talks (each talk weighs one)."""
        means = [talk.aggregate.overall.mean for talk in self.rated]
        means = [m for m in means if m is not None]
        return round(sum(means) / len(means), 2) if means else None


@dataclass
class AnnualSheet:
    year: int
    rows: list[AnnualRow]
    flag_count: int
    unrecorded: list[Session]  # 待补录 sessions of the year: they count once recorded

    @property
    def flagged(self) -> list[AnnualRow]:
        return [row for row in self.rows if row.record.flagged]


def _talks_by_speaker(year: int, now: dt.datetime) -> dict[int, list[LectureSummary]]:
    held = summaries.ended_lectures(dt.date(year, 1, 1), dt.date(year, 12, 31), now)
    given = [talk for talk in held if talk.speaker_id is not None and not talk.session.voided]
    found: dict[int, list[LectureSummary]] = defaultdict(list)
    for summary in summaries.summaries(given):
        found[summary.lecture.speaker_id].append(summary)
    return found


def annual_sheet(year: int, now: dt.datetime | None = None) -> AnnualSheet:
    now = now or local_now()
    talks = _talks_by_speaker(year, now)
    rows = [
        AnnualRow(row, talks.get(row.user.id, [])) for row in records.year_record(year, now=now)
    ]
    since = dt.date(year, 1, 1)
    unrecorded = [
        s for s in attendance_services.unrecorded_sessions(now, since) if s.date.year == year
    ]
    return AnnualSheet(year, rows, records.flag_count(), unrecorded)


# --- the workbook --------------------------------------------------------------------------------


def flag_text(row: AnnualRow) -> str:
    return f"取消（缺席 {len(row.record.absences)} 次）" if row.record.flagged else "保留"


def absences_text(row: AnnualRow) -> str:
    return "、".join(f"{s.date.month}/{s.date.day} {s.label}" for s in row.record.absences)


def sheet_rows(sheet: AnnualSheet) -> list[list]:
    out = []
    for number, row in enumerate(sheet.rows, start=1):
        c, user = row.record.counts, row.user
        out.append(
            [
                number,
                user.name,
                user.department.name if user.department else "",
                c.expected,
                c.attended,
                c.late,
                c.excused,
                c.exempt,
                c.absent,
                len(row.talks),
                row.average if row.average is not None else "",
                flag_text(row),
                absences_text(row),
            ]
        )
    return out


def annual_workbook(sheet: AnnualSheet, org: str, exported_at: dt.datetime) -> bytes:
    """年度和量化考核表 as .xlsx: title, notes, one row per person."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet.year}年度考核"
    width = len(HEADERS)
    ws.cell(1, 1, f"{org}干部{sheet.year}年度和量化考核表（出勤与讲学）").font = Font(
        size=16, bold=True
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = CENTER
    ws.cell(
        2,
        1,
        f"只计已记录考勤的场次；“出勤”含迟到；一年内缺席 {sheet.flag_count} 次取消当年评先评优资格。"
        f"待补录 {len(sheet.unrecorded)} 场。",
    )
    ws.cell(3, 1, f"导出时间：{format_datetime_zh(exported_at)}")
    ws.append(list(HEADERS))
    for values in sheet_rows(sheet):
        ws.append(values)
    for row in ws.iter_rows(min_row=4, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border, cell.alignment = BORDER, CENTER
    for col, w in enumerate((6, 10, 16, 6, 6, 6, 6, 6, 6, 8, 10, 16, 40), start=1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "4:4"
    return workbook_bytes(wb)
