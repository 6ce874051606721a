"""A register as an Excel workbook (openpyxl, write-only mode so rows stream to the file).

Sheet layout: agency (row 1), title (2), book name (3), period (4), the ten headings (6) and the
column numbers "(1)" … "(10)" (7), then one row per document from row 8. Thin borders, wrapped
text, panes frozen under the headings, printed landscape on A4 one page wide with rows 6–7
repeated on every page and "Trang x / y" in the footer.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from edoc.registers.columns import RegisterLayout, clean_text

__all__ = ["write_xlsx"]

_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="EDEDED")
_DATE_FORMAT = "DD/MM/YYYY"
HEADING_ROW = 6
FIRST_DATA_ROW = 8


def _cell(ws, value, *, font: Font | None = None, alignment: Alignment | None = None,
          border: Border | None = None, fill: PatternFill | None = None,
          number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    return cell


def write_xlsx(layout: RegisterLayout, rows: Iterable[object], *, agency_name: str,
               book_name: str, period: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Sổ đăng ký")
    count = len(layout.columns)
    last = get_column_letter(count)
    for index, column in enumerate(layout.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.xlsx_width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.HeaderFooter.oddFooter.center.text = "Trang &P / &N"
    for first_row in (1, 2, 3, 4):
        ws.merged_cells.add(f"A{first_row}:{last}{first_row}")

    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([_cell(ws, clean_text(agency_name).upper(), font=Font(name=_FONT, bold=True,
                                                                     size=12))])
    ws.append([_cell(ws, layout.title, font=Font(name=_FONT, bold=True, size=16),
                     alignment=centre)])
    ws.append([_cell(ws, clean_text(book_name), font=Font(name=_FONT, bold=True, size=13),
                     alignment=centre)])
    ws.append([_cell(ws, period, font=Font(name=_FONT, italic=True, size=12),
                     alignment=centre)])
    ws.append([])

    head_font = Font(name=_FONT, bold=True, size=11)
    ws.append([_cell(ws, c.heading, font=head_font, alignment=centre, border=_BOX,
                     fill=_HEAD_FILL) for c in layout.columns])
    ws.append([_cell(ws, f"({i})", font=Font(name=_FONT, italic=True, size=10),
                     alignment=centre, border=_BOX) for i in range(1, count + 1)])

    body_font = Font(name=_FONT, size=11)
    # Assigning a style object hashes it on every cell (two thirds of the time for 10,000
    # rows); so style one prototype cell per (alignment, date) and copy its style array, as
    # openpyxl itself does when copying worksheets.
    prototypes = {
        (align, is_date): _cell(ws, None, font=body_font, border=_BOX,
                                alignment=Alignment(horizontal=align, vertical="top",
                                                    wrap_text=True),
                                number_format=_DATE_FORMAT if is_date else None)._style
        for align in ("left", "center") for is_date in (False, True)
    }
    aligns = [column.align for column in layout.columns]
    for row in rows:
        cells = []
        for align, value in zip(aligns, layout.values(row), strict=True):
            cell = WriteOnlyCell(ws, value=value)
            cell._style = copy(prototypes[align, isinstance(value, dt.date)])
            cells.append(cell)
        ws.append(cells)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
