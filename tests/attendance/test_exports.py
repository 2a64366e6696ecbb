"""Exports: the 督查 record as Excel (checked cell by cell), CSV with a BOM, 签到表."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from openpyxl import load_workbook

from lecturehub.attendance import exports, records
from lecturehub.core import periods
from tests.factories import make_user
from tests.factories.attendance import make_session, sign_in

NOW = dt.datetime(2026, 11, 26, 10, 0)
COLUMNS = ["序号", "姓名", "部门"]
COLUMNS += [
    series + column
    for series in ("每周两课", "每周两操", "合计")
    for column in ("应到", "出勤", "迟到", "请假", "免训", "缺席")
]
COLUMNS += ["评先评优资格", "缺席场次（全年）"]


def _november(app):
    lecture = [make_session(dt.datetime(2026, 11, d, 19, 0)) for d in (2, 9, 16)]
    training = make_session(dt.datetime(2026, 11, 3, 6, 30), kind="training")
    zhang = make_user("zhang", "张三", department="党政办")
    li = make_user("li", "李四", department="文化站")
    for session in lecture:
        sign_in(session, zhang, session.starts_at + dt.timedelta(minutes=5))
    sign_in(training, zhang)
    sign_in(training, li)
    period = periods.parse("2026-11", NOW.date())
    return period, records.person_report(period.date_from, period.date_to, now=NOW)


def test_period_workbook_is_laid_out_as_the_inspectors_print_it(app):
    period, report = _november(app)
    data = exports.period_workbook(report, period, "关庙乡", "关庙乡", NOW)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "关庙乡干部“双提升”行动出勤情况（2026年11月）"
    assert ws["A2"].value == "统计期间：2026年11月1日至2026年11月30日"
    assert ws["A3"].value == "单位：关庙乡\u3000\u3000导出时间：2026年11月26日（周四） 10:00"
    assert [ws.cell(4, c).value for c in (1, 2, 3, 4, 10, 16, 22, 23)] == [
        "序号",
        "姓名",
        "部门",
        "每周两课",
        "每周两操",
        "合计",
        "评先评优资格",
        "缺席场次（全年）",
    ]
    assert [ws.cell(5, c).value for c in range(4, 10)] == [
        "应到",
        "出勤",
        "迟到",
        "请假",
        "免训",
        "缺席",
    ]
    rows = {
        ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(1, 24)]
        for r in range(6, ws.max_row + 1)
    }
    assert rows["张三"][2:] == [
        "党政办",
        3,
        0,
        3,
        0,
        0,
        0,
        1,
        1,
        0,
        0,
        0,
        0,
        4,
        1,
        3,
        0,
        0,
        0,
        None,
        None,
    ]
    assert rows["李四"][2:] == [
        "文化站",
        3,
        0,
        0,
        0,
        0,
        3,
        1,
        1,
        0,
        0,
        0,
        0,
        4,
        1,
        0,
        0,
        0,
        3,
        "取消（2026年缺席3次）",
        "11/2 每周两课、11/9 每周两课、11/16 每周两课",
    ]
    total = [ws.cell(ws.max_row, c).value for c in range(1, 24)]
    assert total[0] == "合计" and total[15:22] == [8, 2, 3, 0, 0, 3, "1 人"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == [
        "A1:W1",  # the title over all 23 columns
        "A4:A5",
        "B4:B5",
        "C4:C5",
        "D4:I4",
        "J4:O4",
        "P4:U4",
        "V4:V5",
        "W4:W5",
    ]


def test_period_csv_has_a_bom_and_one_row_per_person(app):
    _period, report = _november(app)
    text = exports.report_csv(report).decode("utf-8")
    assert text.split("\r\n") == [
        "\ufeff" + ",".join(COLUMNS),
        "1,张三,党政办,3,0,3,0,0,0,1,1,0,0,0,0,4,1,3,0,0,0,,",
        "2,李四,文化站,3,0,0,0,0,3,1,1,0,0,0,0,4,1,0,0,0,3,取消（2026年缺席3次）,"
        "11/2 每周两课、11/9 每周两课、11/16 每周两课",
        "合计,,,6,0,3,0,0,3,2,2,0,0,0,0,8,2,3,0,0,3,1 人,",
        "",
    ]


def test_session_sign_in_sheet(app):
    session = make_session(dt.datetime(2026, 11, 2, 19, 0))
    zhang = make_user("zhang", "张三")
    make_user("li", "李四")
    sign_in(session, zhang, dt.datetime(2026, 11, 2, 19, 3, 10))
    sheet = records.session_sheet(session, NOW)
    ws = load_workbook(io.BytesIO(exports.session_workbook(sheet))).active
    assert ws["A1"].value == "每周两课签到表（11月2日）"
    assert (
        ws["A3"].value == "应到 2 人，实到 1 人（其中迟到 1 人），请假 0 人，免训 0 人，缺席 1 人"
    )
    assert [c.value for c in ws[4]] == exports.SHEET_HEADERS
    body = {ws.cell(r, 2).value: [c.value for c in ws[r]][3:6] for r in range(5, ws.max_row + 1)}
    assert body == {"张三": ["迟到 3 分钟", "19:03:10", 3], "李四": ["缺席", None, None]}


def test_export_pages_download_files(app, client, auth):
    period, _report = _november(app)
    make_user("ducha", "督查员", roles=["inspector"])
    auth.login("ducha")
    name = "attachment; filename*=UTF-8''" + quote("出勤情况（2026年11月）")
    xlsx = client.get("/attendance/audit/export.xlsx?period=2026-11")
    assert (xlsx.status_code, xlsx.headers["Content-Disposition"]) == (200, name + ".xlsx")
    title = load_workbook(io.BytesIO(xlsx.data)).active["A1"].value
    assert title == "关庙乡干部“双提升”行动出勤情况（2026年11月）"
    csv = client.get("/attendance/audit/export.csv?period=2026-11")
    assert (csv.status_code, csv.headers["Content-Disposition"]) == (200, name + ".csv")
    # the same report as the service gives, with the inspector (a cadre too) in it
    everyone = records.person_report(period.date_from, period.date_to)
    assert [row.user.name for row in everyone.rows] == ["张三", "督查员", "李四"]
    assert csv.data == exports.report_csv(everyone)


def test_periods_parse_month_quarter_and_year():
    today = dt.date(2026, 11, 26)
    assert periods.parse("2026-Q4", today).label == "2026年第四季度"
    assert (periods.parse("2026", today).date_from, periods.parse("2026", today).date_to) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )
    assert periods.parse("nonsense", today).key == "2026-11"
