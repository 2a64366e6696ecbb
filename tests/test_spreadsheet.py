"""Exports never turn user text into spreadsheet formulas."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from lecturehub.core.spreadsheet import csv_bytes, workbook_bytes


def test_workbook_keeps_formula_like_text_as_text():
    wb = Workbook()
    wb.active.append(['=HYPERLINK("http://evil.example","点击")', "正常文字", 3])
    cell = load_workbook(io.BytesIO(workbook_bytes(wb))).active["A1"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil.example","点击")')


def test_csv_quotes_fields_a_spreadsheet_would_run():
    data = csv_bytes([["=1+1", "+86", "@SUM(A1)", "王五", 5]]).decode("utf-8")
    assert data == "\ufeff'=1+1,'+86,'@SUM(A1),王五,5\r\n"
