"""The rows and the ten minimum columns of the two registers (Decree 30, Phụ lục IV; §3.5).

A register printed from the System must carry every column of the paper book, in the book's
order and under the book's names; the numbers "(1)" … "(10)" under the headings are the book's
own column numbers.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "INCOMING",
    "OUTGOING",
    "Column",
    "IncomingRegisterRow",
    "OutgoingRegisterRow",
    "RegisterLayout",
    "clean_text",
    "type_and_subject",
]

Cell = str | int | dt.date | None


@dataclass(frozen=True)
class IncomingRegisterRow:
    """One line of the sổ đăng ký văn bản đến."""

    arrival_date: dt.date            # (1) Ngày đến
    arrival_number: int              # (2) Số đến
    author: str                      # (3) Tác giả (issuing agency)
    number_notation: str             # (4) Số, ký hiệu văn bản ("15/QĐ-UBND")
    document_date: dt.date | None    # (5) Ngày tháng văn bản
    type_name: str                   # (6) Tên loại ...
    subject: str                     # (6) ... và trích yếu nội dung văn bản
    recipient: str = ""              # (7) Đơn vị hoặc người nhận
    transfer_date: dt.date | None = None  # (8) Ngày chuyển
    receipt: str = ""                # (9) Ký nhận (blank on paper: signed by hand)
    note: str = ""                   # (10) Ghi chú


@dataclass(frozen=True)
class OutgoingRegisterRow:
    """One line of the sổ đăng ký văn bản đi."""

    number_notation: str             # (1) Số, ký hiệu văn bản
    document_date: dt.date           # (2) Ngày tháng văn bản
    type_name: str                   # (3) Tên loại ...
    subject: str                     # (3) ... và trích yếu nội dung văn bản
    signer: str                      # (4) Người ký
    recipients: str                  # (5) Nơi nhận văn bản
    archive_holder: str = ""         # (6) Đơn vị, người nhận bản lưu
    copies: int | None = None        # (7) Số lượng bản
    transfer_date: dt.date | None = None  # (8) Ngày chuyển
    receipt: str = ""                # (9) Ký nhận
    note: str = ""                   # (10) Ghi chú


@dataclass(frozen=True)
class Column:
    heading: str
    xlsx_width: float  # characters
    pdf_width: float   # millimetres (the ten add up to the 277 mm of a landscape A4 page)
    kind: Literal["text", "date", "int"] = "text"
    align: Literal["left", "center"] = "left"


@dataclass(frozen=True)
class RegisterLayout:
    title: str
    columns: tuple[Column, ...]
    values: Callable[[object], tuple[Cell, ...]]


# XML 1.0 forbids most C0 controls (openpyxl refuses them); PDF text has no use for them either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    if value is None:
        return ""
    return _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def type_and_subject(type_name: str, subject: str) -> str:
    """Column "Tên loại và trích yếu nội dung văn bản": "Quyết định: Về việc ..."."""
    type_name, subject = clean_text(type_name), clean_text(subject)
    if type_name and subject:
        return f"{type_name}: {subject}"
    return type_name or subject


def _incoming(row: IncomingRegisterRow) -> tuple[Cell, ...]:
    return (row.arrival_date, row.arrival_number, clean_text(row.author),
            clean_text(row.number_notation), row.document_date,
            type_and_subject(row.type_name, row.subject), clean_text(row.recipient),
            row.transfer_date, clean_text(row.receipt), clean_text(row.note))


def _outgoing(row: OutgoingRegisterRow) -> tuple[Cell, ...]:
    return (clean_text(row.number_notation), row.document_date,
            type_and_subject(row.type_name, row.subject), clean_text(row.signer),
            clean_text(row.recipients), clean_text(row.archive_holder), row.copies,
            row.transfer_date, clean_text(row.receipt), clean_text(row.note))


INCOMING = RegisterLayout(
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    columns=(
        Column("Ngày đến", 12, 20, "date", "center"),
        Column("Số đến", 9, 14, "int", "center"),
        Column("Tác giả", 28, 38),
        Column("Số, ký hiệu văn bản", 18, 28),
        Column("Ngày tháng văn bản", 12, 20, "date", "center"),
        Column("Tên loại và trích yếu nội dung văn bản", 50, 70),
        Column("Đơn vị hoặc người nhận", 24, 33),
        Column("Ngày chuyển", 12, 20, "date", "center"),
        Column("Ký nhận", 12, 17),
        Column("Ghi chú", 16, 17),
    ),
    values=_incoming,
)

OUTGOING = RegisterLayout(
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    columns=(
        Column("Số, ký hiệu văn bản", 18, 28),
        Column("Ngày tháng văn bản", 12, 20, "date", "center"),
        Column("Tên loại và trích yếu nội dung văn bản", 50, 72),
        Column("Người ký", 20, 30),
        Column("Nơi nhận văn bản", 28, 40),
        Column("Đơn vị, người nhận bản lưu", 18, 25),
        Column("Số lượng bản", 9, 13, "int", "center"),
        Column("Ngày chuyển", 12, 18, "date", "center"),
        Column("Ký nhận", 12, 15),
        Column("Ghi chú", 16, 16),
    ),
    values=_outgoing,
)
