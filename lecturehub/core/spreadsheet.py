"""Exports that are safe to open: no user text may become a spreadsheet formula (CSV/Excel
injection, e.g. a comment ``=HYPERLINK(...)``). Every export goes through these two helpers,
and a page hands the bytes over with ``attachment``."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def safe_text(value):
    """A CSV field: text that a spreadsheet would run as a formula is quoted with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def workbook_bytes(wb: Workbook) -> bytes:
    """Save a workbook after turning every formula cell back into plain text (our exports
    never write formulas; openpyxl stores any string starting with "=" as one)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Chinese text correctly; every field made safe."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[safe_text(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A download of ``data`` under a (Chinese) file name, RFC 6266 ``filename*``."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
