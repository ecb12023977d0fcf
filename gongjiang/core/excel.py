"""Excel export of list pages (RuoYi users expect one on every list).

`xlsx_response(filename, headers, rows)` streams a one-sheet workbook. Cells that a spreadsheet
would read as a formula (=, +, -, @ at the start) are written as text with a leading apostrophe,
so exported data cannot run formulas on the officer's machine (CSV/formula injection).
"""
import datetime as dt
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if value is None:
        return ""
    return value


def workbook_bytes(title, headers, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename, headers, rows, *, title=None) -> HttpResponse:
    """A download of `rows` (iterables of plain values) under `headers`; `filename` without extension."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{filename}-{stamp}.xlsx"
    response = HttpResponse(workbook_bytes(title or filename, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response
