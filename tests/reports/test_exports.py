"""The Excel exports, opened with openpyxl: title, period, header, rows, totals, widths —
and no rater's name anywhere."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from lecturehub.reports import exports
from tests.factories import make_user


def _download(client, auth, url):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == exports_mimetype()
    return load_workbook(io.BytesIO(response.data))


def exports_mimetype() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _values(ws, row: int) -> list:
    return [cell.value for cell in ws[row]]


def _all_text(wb) -> str:
    return " ".join(
        str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None
    )


def test_monthly_workbook_has_title_period_header_rows_and_totals(quarter_data, client, auth):
    wb = _download(client, auth, "/reports/satisfaction/export.xlsx?month=2026-10")
    assert wb.sheetnames == ["满意度测评", "意见建议"]
    ws = wb["满意度测评"]
    assert ws["A1"].value == "关庙乡干部“双提升”培训满意度测评（2026年10月）"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:T1"]  # the title over all columns
    assert (
        ws["A2"].value
        == "统计期间：2026年10月1日至2026年10月31日　　本月满意率（满意+非常满意）：66.7%"
    )
    assert _values(ws, 4) == exports.TALK_HEADERS
    assert _values(ws, 5) == [
        1,
        "2026-10-12",
        "全民健身与乡村文化振兴",
        "讲课人甲",
        "文化站",
        8,
        6,
        "75.0%",
        3.83,
        4.0,
        4.5,
        3.0,
        4.17,
        "66.7%",
        2,
        2,
        1,
        1,
        0,
        None,
    ]
    assert _values(ws, 6) == [
        2,
        "2026-10-14",
        "非遗保护与传统文化传承",
        None,
        "文化站",
        3,
        3,
        "100.0%",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "评价不足 5 人，不公布",
    ]
    assert _values(ws, 7) == [  # totals of the published talks only
        "合计",
        None,
        "2 场",
        None,
        None,
        8,
        6,
        "75.0%",
        3.83,
        4.0,
        4.5,
        3.0,
        4.17,
        "66.7%",
        2,
        2,
        1,
        1,
        0,
        "计分讲学 1 场",
    ]
    assert ws.max_row == 7
    assert (ws.column_dimensions["C"].width, ws.column_dimensions["T"].width) == (32, 22)


def test_monthly_workbook_lists_comments_of_scored_talks_without_names(quarter_data, client, auth):
    wb = _download(client, auth, "/reports/satisfaction/export.xlsx?month=2026-10")
    ws = wb["意见建议"]
    rows = sorted(tuple(_values(ws, r)) for r in range(5, ws.max_row + 1))
    assert rows == [
        ("全民健身与乡村文化振兴", "PPT 字太多，建议精简"),
        ("全民健身与乡村文化振兴", "案例很贴近我们乡的实际"),
    ]
    text = _all_text(wb)
    for person in quarter_data.raters_a + quarter_data.extra_a:
        assert person.name not in text
    assert "不该出现的意见" not in text


def test_quarterly_workbook_ranks_compares_and_totals(quarter_data, client, auth):
    wb = _download(client, auth, "/reports/quarterly/export.xlsx?quarter=2026-Q4")
    assert wb.sheetnames == ["讲学排名", "部门对比", "出勤情况", "需改进"]
    ranking = wb["讲学排名"]
    assert ranking["A1"].value == "关庙乡“我的业务我来讲”小结评估（2026年第四季度）"
    assert [_values(ranking, r)[0:3] for r in (5, 6, 7)] == [
        [1, "2026-11-02", "乡镇财政资金管理规定"],
        [2, "2026-10-12", "全民健身与乡村文化振兴"],
        ["—", "2026-10-14", "非遗保护与传统文化传承"],
    ]
    assert (_values(ranking, 5)[-1], _values(ranking, 7)[-1]) == (
        "经验做法",
        "评价不足 5 人，不公布",
    )
    assert _values(ranking, 8)[5:8] == [13, 11, "84.6%"]  # talks A and C only
    assert _values(ranking, 8)[0] == "合计"
    departments = wb["部门对比"]
    assert _values(departments, 4) == exports.DEPT_HEADERS
    assert _values(departments, 5) == ["财政所", 1, 1, 5.0, 5.0, 5.0, 5.0, 4.0, "0/1", "0/1"]
    assert _values(departments, 6) == ["文化站", 2, 1, 3.83, 4.0, 4.5, 3.0, 4.17, "1/2", "1/2"]
    assert _values(departments, 7)[:3] == ["合计", 3, 2] and _values(departments, 7)[-2:] == [
        "1/3",
        "1/3",
    ]
    assert _values(wb["需改进"], 5) == ["讲解清晰", 3.91, "本季度最低"]
    assert _values(wb["出勤情况"], 5)[:2] == ["每周两课", 3]
    assert departments.column_dimensions["A"].width == 18
    for person in quarter_data.raters_a:
        assert person.name not in _all_text(wb)


def test_a_malformed_month_on_the_export_is_flashed_on_the_page(app, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    response = client.get("/reports/satisfaction/export.xlsx?month=x", follow_redirects=True)
    assert (response.status_code, response.mimetype) == (200, "text/html")
    assert "月份格式应为 YYYY-MM" in response.get_data(as_text=True)
