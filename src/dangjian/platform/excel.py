"""Excel output: Chinese headers, sensible column widths, a frozen header row, streamed.

``write_only`` workbooks keep memory flat however many rows a list has; the file is
spooled to disk and handed to the client as a download.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone().replace(tzinfo=None)
        )
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return str(value)


def write_workbook(
    fh,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> int:
    """Write one sheet to ``fh``; returns the number of data rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths else max(10, min(40, len(header) * 2 + 4))
        ws.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for row in rows:
        ws.append([_cell_value(v) for v in row])
        count += 1
    wb.save(fh)
    return count


def xlsx_response(*, filename: str, headers, rows, title: str = "Sheet1", widths=None):
    """A download response for a workbook built from ``rows`` (any iterable, streamed)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    write_workbook(spool, headers=headers, rows=rows, title=title, widths=widths)
    spool.seek(0)
    response = FileResponse(
        spool,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
