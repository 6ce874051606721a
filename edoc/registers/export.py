"""The printed registers of Decree 30 (Phụ lục IV): sổ đăng ký văn bản đến / đi, XLSX and PDF.

A register kept in the System must be printable with every column of the paper book and then
closed (đóng sổ); the incoming register is also signed for on paper (Điều 16.2.b, 22.3.b). These
functions only lay out what they are given: the caller chooses the rows (one book, one period,
in registration order) and streams them in, e.g. straight from a database cursor.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from flask_babel import lazy_gettext as _l

from edoc.errors import ValidationError
from edoc.registers.columns import (
    INCOMING,
    OUTGOING,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    RegisterLayout,
)
from edoc.registers.pdf import DEFAULT_FONT_DIR, write_pdf
from edoc.registers.xlsx import write_xlsx

__all__ = [
    "XLSX_MIMETYPE",
    "IncomingRegisterRow",
    "OutgoingRegisterRow",
    "incoming_register_pdf",
    "incoming_register_xlsx",
    "outgoing_register_pdf",
    "outgoing_register_xlsx",
    "period_text",
]

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise ValidationError(_l("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."),
                              code="invalid_date_range", date_from=date_from, date_to=date_to)


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


def _year_text(date_from: dt.date, date_to: dt.date) -> str:
    if date_from.year == date_to.year:
        return f"Năm {date_from.year}"
    return f"Năm {date_from.year} - {date_to.year}"


def _xlsx(layout: RegisterLayout, rows: Iterable[object], agency_name: str, book_name: str,
          date_from: dt.date, date_to: dt.date) -> bytes:
    _check_period(date_from, date_to)
    period = f"{_year_text(date_from, date_to)} ({period_text(date_from, date_to)})"
    return write_xlsx(layout, rows, agency_name=agency_name, book_name=book_name, period=period)


def _pdf(layout: RegisterLayout, rows: Iterable[object], agency_name: str, book_name: str,
         date_from: dt.date, date_to: dt.date, font_dir: Path) -> bytes:
    _check_period(date_from, date_to)
    return write_pdf(layout, rows, agency_name=agency_name, book_name=book_name,
                     year_text=_year_text(date_from, date_to),
                     period=period_text(date_from, date_to), font_dir=font_dir)


def incoming_register_xlsx(rows: Iterable[IncomingRegisterRow], *, agency_name: str,
                           book_name: str, date_from: dt.date, date_to: dt.date) -> bytes:
    """The incoming register as an XLSX workbook."""
    return _xlsx(INCOMING, rows, agency_name, book_name, date_from, date_to)


def incoming_register_pdf(rows: Iterable[IncomingRegisterRow], *, agency_name: str,
                          book_name: str, date_from: dt.date, date_to: dt.date,
                          font_dir: Path = DEFAULT_FONT_DIR) -> bytes:
    """The incoming register as a landscape A4 PDF (cover page, then the table)."""
    return _pdf(INCOMING, rows, agency_name, book_name, date_from, date_to, font_dir)


def outgoing_register_xlsx(rows: Iterable[OutgoingRegisterRow], *, agency_name: str,
                           book_name: str, date_from: dt.date, date_to: dt.date) -> bytes:
    """The outgoing register as an XLSX workbook."""
    return _xlsx(OUTGOING, rows, agency_name, book_name, date_from, date_to)


def outgoing_register_pdf(rows: Iterable[OutgoingRegisterRow], *, agency_name: str,
                          book_name: str, date_from: dt.date, date_to: dt.date,
                          font_dir: Path = DEFAULT_FONT_DIR) -> bytes:
    """The outgoing register as a landscape A4 PDF (cover page, then the table)."""
    return _pdf(OUTGOING, rows, agency_name, book_name, date_from, date_to, font_dir)
