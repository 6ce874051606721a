"""Lists for handing records to the archive (nộp lưu), as rows the app renders.

Columns come from Decree 30/2020 Phụ lục V (spec §4.1, §4.4; P):
- Mục lục hồ sơ, tài liệu nộp lưu: STT | Số, ký hiệu hồ sơ | Tiêu đề hồ sơ | Thời gian tài liệu
  | Thời hạn bảo quản | Số tờ/Số trang | Ghi chú.
- Mục lục văn bản trong hồ sơ: STT | Số, ký hiệu văn bản | Ngày tháng năm văn bản | Tên loại
  và trích yếu | Tác giả văn bản | Tờ số/Trang số | Ghi chú.
The headers are document content, hence Vietnamese.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .model import DocumentInfo, RecordInfo
from .retention import Retention

__all__ = [
    "DOCUMENT_LIST_COLUMNS",
    "TRANSFER_LIST_COLUMNS",
    "DocumentListRow",
    "TransferListRow",
    "TransferRule",
    "document_list_rows",
    "is_transferable",
    "transfer_deadline",
    "transfer_list_rows",
]

TRANSFER_LIST_COLUMNS: tuple[str, ...] = (
    "STT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian tài liệu", "Thời hạn bảo quản",
    "Số tờ/Số trang", "Ghi chú",
)
DOCUMENT_LIST_COLUMNS: tuple[str, ...] = (
    "STT", "Số, ký hiệu văn bản", "Ngày tháng năm văn bản", "Tên loại và trích yếu",
    "Tác giả văn bản", "Tờ số/Trang số", "Ghi chú",
)


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass(frozen=True)
class TransferListRow:
    ordinal: int
    file_notation: str
    title: str
    start_date: date
    end_date: date | None
    time_span: str  # "dd/mm/yyyy - dd/mm/yyyy"
    retention: str
    pages: int
    notes: str

    def cells(self) -> tuple[str, ...]:
        """The seven columns of TRANSFER_LIST_COLUMNS as text."""
        return (str(self.ordinal), self.file_notation, self.title, self.time_span,
                self.retention, str(self.pages), self.notes)


@dataclass(frozen=True)
class DocumentListRow:
    ordinal: int
    number_notation: str
    issued_date: date
    type_and_subject: str
    author: str  # tác giả văn bản = the issuing agency
    first_page: int  # 1-based page of the record where the document starts
    notes: str

    def cells(self) -> tuple[str, ...]:
        return (str(self.ordinal), self.number_notation, _dmy(self.issued_date),
                self.type_and_subject, self.author, str(self.first_page), self.notes)


def transfer_list_rows(records: Iterable[RecordInfo]) -> tuple[TransferListRow, ...]:
    """One row per record in the given order (the app sorts, e.g. by file notation)."""
    rows = []
    for n, r in enumerate(records, start=1):
        span = _dmy(r.start_date) + (f" - {_dmy(r.end_date)}" if r.end_date else "")
        rows.append(TransferListRow(
            ordinal=n, file_notation=r.file_notation or r.code, title=r.title,
            start_date=r.start_date, end_date=r.end_date, time_span=span,
            retention=r.retention.label, pages=r.page_total, notes=r.description))
    return tuple(rows)


def document_list_rows(documents: Iterable[DocumentInfo]) -> tuple[DocumentListRow, ...]:
    rows = []
    page = 1
    for n, d in enumerate(documents, start=1):
        subject = f"{d.type_name} {d.subject}".strip() if d.type_name else d.subject
        rows.append(DocumentListRow(n, d.number_notation, d.issued_date, subject,
                                    d.issuing_agency, page, d.description))
        page += max(d.pages, 1)
    return tuple(rows)


@dataclass(frozen=True)
class TransferRule:
    """Deadlines for handing a closed record to the agency archive (spec §4.4).

    Decree 30: within 1 year after the work ends, construction (XDCB) records within 3 months
    after final settlement; Luật Lưu trữ 2024: within 1 year "from the year" the work ended,
    read here as by 31 December of the following year. ``basis`` picks the reading.
    """

    basis: Literal["year_after", "one_year"] = "year_after"
    construction_months: int = 3
    min_years: int = 5  # only records kept >= 5 years (or permanent) are transferred


def transfer_deadline(end_date: date, *, construction: bool = False,
                      rule: TransferRule | None = None) -> date:
    """Last day to transfer a record that ended (or was settled, for XDCB) on ``end_date``."""
    rule = rule or TransferRule()
    if construction:
        month0 = end_date.month - 1 + rule.construction_months
        year, month = end_date.year + month0 // 12, month0 % 12 + 1
        return date(year, month, min(end_date.day, calendar.monthrange(year, month)[1]))
    if rule.basis == "year_after":
        return date(end_date.year + 1, 12, 31)
    try:
        return end_date.replace(year=end_date.year + 1)
    except ValueError:  # 29 February
        return end_date.replace(year=end_date.year + 1, day=28)


def is_transferable(retention: Retention, *, rule: TransferRule | None = None) -> bool:
    """Decree 30: only records with retention >= 5 years (or permanent) go to the archive."""
    rule = rule or TransferRule()
    if retention.is_permanent:
        return True
    return retention.years is not None and retention.years >= rule.min_years
