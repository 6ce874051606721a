"""Transfer list (mục lục hồ sơ nộp lưu), document list, transfer deadline."""

from __future__ import annotations

from datetime import date

from archive import (
    DOCUMENT_LIST_COLUMNS,
    TRANSFER_LIST_COLUMNS,
    Retention,
    TransferRule,
    document_list_rows,
    is_transferable,
    transfer_deadline,
    transfer_list_rows,
)


def test_transfer_list_rows(record_factory):
    records = [
        record_factory(),
        record_factory(code="000.00.00.H41.2025.02.VP", file_notation="", title="Hồ sơ hội nghị",
                       start_date=date(2025, 3, 1), end_date=None,
                       retention=Retention.permanent(), page_total=40, description=""),
    ]
    rows = transfer_list_rows(records)
    assert len(TRANSFER_LIST_COLUMNS) == len(rows[0].cells()) == 7
    assert rows[0].cells() == (
        "1", "01.TCCB",
        "Hồ sơ ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh năm 2025",
        "06/01/2025 - 30/06/2025", "10 năm", "3", "Hồ sơ gốc điện tử")
    # No notation: the full code stands in; an open record shows its start only.
    assert rows[1].cells() == ("2", "000.00.00.H41.2025.02.VP", "Hồ sơ hội nghị",
                               "01/03/2025", "Vĩnh viễn", "40", "")


def test_document_list_rows_number_pages_cumulatively(record_fixture):
    rows = document_list_rows(record_fixture.documents)
    assert len(DOCUMENT_LIST_COLUMNS) == len(rows[0].cells()) == 7
    assert rows[0].cells() == (
        "1", "15/QĐ-UBND", "02/03/2025",
        "Quyết định Ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh",
        "Ủy ban nhân dân tỉnh Nghệ An", "1", "")
    assert rows[1].number_notation == "204/STP-VP"
    assert rows[1].first_page == 3  # the first document has 2 pages


def test_transfer_deadline():
    assert transfer_deadline(date(2024, 5, 20)) == date(2025, 12, 31)
    assert transfer_deadline(date(2024, 2, 29), rule=TransferRule(basis="one_year")) == date(
        2025, 2, 28)
    assert transfer_deadline(date(2024, 11, 30), construction=True) == date(2025, 2, 28)
    assert transfer_deadline(date(2024, 1, 31), construction=True) == date(2024, 4, 30)


def test_only_records_kept_five_years_or_more_are_transferred():
    assert is_transferable(Retention.permanent())
    assert is_transferable(Retention.for_years(5))
    assert not is_transferable(Retention.for_years(3))
    assert not is_transferable(Retention.other("Theo luật"))
    assert is_transferable(Retention.for_years(3), rule=TransferRule(min_years=2))
