"""Printed registers (Decree 30 Phụ lục IV): XLSX read back with openpyxl, PDF with pypdf."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from edoc.errors import ServiceUnavailable, ValidationError
from edoc.registers.export import (
    IncomingRegisterRow,
    OutgoingRegisterRow,
    incoming_register_pdf,
    incoming_register_xlsx,
    outgoing_register_pdf,
    outgoing_register_xlsx,
)

INCOMING_HEADINGS = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản",
                     "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
                     "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"]
OUTGOING_HEADINGS = ["Số, ký hiệu văn bản", "Ngày tháng văn bản",
                     "Tên loại và trích yếu nội dung văn bản", "Người ký", "Nơi nhận văn bản",
                     "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
                     "Ghi chú"]
PERIOD = {"date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31)}
META = {"agency_name": "Ủy ban nhân dân huyện Tam Đảo", "book_name": "Sổ văn bản đến chung",
        **PERIOD}
LONG_SUBJECT = ("V/v báo cáo tình hình thực hiện nhiệm vụ quản lý đất đai, khoáng sản và môi "
                "trường trên địa bàn huyện, đề xuất giải pháp tháo gỡ khó khăn, vướng mắc "
                "trong công tác bồi thường, hỗ trợ, tái định cư năm 2025")


def incoming_rows(count: int) -> list[IncomingRegisterRow]:
    return [IncomingRegisterRow(
        arrival_date=dt.date(2025, 1, 2) + dt.timedelta(days=i // 5),
        arrival_number=i + 1,
        author="Sở Tài nguyên và Môi trường tỉnh Phú Thọ",
        number_notation=f"{i + 1:02d}/STNMT-VP",
        document_date=dt.date(2025, 1, 1) + dt.timedelta(days=i // 5),
        type_name="Công văn",
        subject=LONG_SUBJECT if i % 10 == 0 else f"V/v đề nghị cung cấp hồ sơ số {i + 1}",
        recipient="Phòng Tài nguyên và Môi trường",
        transfer_date=dt.date(2025, 1, 3) + dt.timedelta(days=i // 5),
        note="Hỏa tốc" if i % 7 == 0 else "",
    ) for i in range(count)]


def outgoing_rows(count: int) -> list[OutgoingRegisterRow]:
    return [OutgoingRegisterRow(
        number_notation=f"{i + 1:02d}/QĐ-UBND",
        document_date=dt.date(2025, 2, 1),
        type_name="Quyết định",
        subject=f"Về việc phê duyệt kế hoạch số {i + 1}",
        signer="Trần Thị Bình",
        recipients="Sở Nội vụ; Sở Tài chính; các xã, thị trấn",
        archive_holder="VT, VP",
        copies=5,
        transfer_date=dt.date(2025, 2, 2),
    ) for i in range(count)]


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_incoming_xlsx_lists_the_rows():
    rows = incoming_rows(25)
    wb = openpyxl.load_workbook(io.BytesIO(incoming_register_xlsx(iter(rows), **META)))
    ws = wb.active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO"
    assert ws["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert ws["A3"].value == "Sổ văn bản đến chung"
    assert ws["A4"].value == "Năm 2025 (Từ ngày 01/01/2025 đến ngày 31/12/2025)"
    assert [c.value for c in ws[6]] == INCOMING_HEADINGS
    assert [c.value for c in ws[7]] == [f"({i})" for i in range(1, 11)]
    data = list(ws.iter_rows(min_row=8, values_only=True))
    assert len(data) == 25
    first = data[0]
    assert first[0].date() == dt.date(2025, 1, 2) and first[1] == 1
    assert first[2:4] == ("Sở Tài nguyên và Môi trường tỉnh Phú Thọ", "01/STNMT-VP")
    assert first[5] == f"Công văn: {LONG_SUBJECT}"
    assert first[6] == "Phòng Tài nguyên và Môi trường" and first[9] == "Hỏa tốc"
    assert [r[1] for r in data] == list(range(1, 26))
    # Layout for printing and reading on screen.
    assert ws.freeze_panes == "A8"
    assert ws.print_title_rows == "$6:$7"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert "A2:J2" in {str(r) for r in ws.merged_cells.ranges}
    cell = ws["F8"]
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"
    assert ws["A8"].number_format == "DD/MM/YYYY"
    assert ws["F6"].font.bold and ws["F6"].border.bottom.style == "thin"
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width


def test_outgoing_xlsx_lists_the_rows():
    rows = outgoing_rows(3)
    data = outgoing_register_xlsx(rows, **{**META, "book_name": "Sổ văn bản đi"})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert [c.value for c in ws[6]] == OUTGOING_HEADINGS
    values = list(ws.iter_rows(min_row=8, values_only=True))
    assert values[2][:5] == ("03/QĐ-UBND", dt.datetime(2025, 2, 1),
                             "Quyết định: Về việc phê duyệt kế hoạch số 3", "Trần Thị Bình",
                             "Sở Nội vụ; Sở Tài chính; các xã, thị trấn")
    assert values[2][5:8] == ("VT, VP", 5, dt.datetime(2025, 2, 2))


def test_control_characters_do_not_break_the_workbook():
    row = outgoing_rows(1)[0]
    dirty = OutgoingRegisterRow(**{**row.__dict__, "subject": "Về việc\x0b thử\x00 nghiệm\r\nhai"})
    ws = openpyxl.load_workbook(io.BytesIO(outgoing_register_xlsx([dirty], **META))).active
    assert ws["C8"].value == "Quyết định: Về việc thử nghiệm\nhai"


def test_incoming_pdf_lists_the_rows_with_repeated_headings():
    rows = incoming_rows(120)
    pages = _pdf_text(incoming_register_pdf((r for r in rows), **META))
    cover = _flat(pages[0])
    for part in ("ỦY BAN NHÂN DÂN HUYỆN TAM ĐẢO", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
                 "Sổ văn bản đến chung", "Năm 2025", "Từ ngày 01/01/2025 đến ngày 31/12/2025"):
        assert part in cover
    assert len(pages) > 3
    for number, page in enumerate(pages[1:], start=2):
        flat = _flat(page)
        assert "Tên loại và trích yếu nội dung văn bản" in flat  # headings on every page
        assert "(1) (2) (3) (4) (5) (6) (7) (8) (9) (10)" in flat
        assert f"Trang {number}/{len(pages)}" in flat
    table = _flat(" ".join(pages[1:]))
    for row in (rows[0], rows[57], rows[119]):
        assert row.number_notation in table
        assert f"{row.arrival_date:%d/%m/%Y} {row.arrival_number} " in table
    # A long subject wraps inside its column but every word is printed, in order.
    words = _flat(f"Công văn: {LONG_SUBJECT}").split()
    assert re.search(r"\s+".join(map(re.escape, words[:6])), table)
    assert words[-1] in table
    assert table.count("Phòng Tài nguyên và Môi trường") == 120
    assert "Tổng số văn bản đã đăng ký: 120." in _flat(pages[-1])


def test_outgoing_pdf_lists_the_rows():
    pages = _pdf_text(outgoing_register_pdf(outgoing_rows(12), **META))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in pages[0]
    table = _flat(" ".join(pages[1:]))
    for heading in ("Người ký", "Nơi nhận văn bản", "Số lượng bản", "Ký nhận", "Ghi chú"):
        assert heading in table
    assert "12/QĐ-UBND 01/02/2025 Quyết định: Về việc phê duyệt kế hoạch số 12" in table
    assert table.count("Trần Thị Bình") == 12
    assert "Tổng số văn bản đã đăng ký: 12." in table


def test_empty_register_and_a_row_taller_than_a_page():
    pages = _pdf_text(incoming_register_pdf([], **META))
    assert len(pages) == 2 and "Tổng số văn bản đã đăng ký: 0." in pages[1]
    huge = IncomingRegisterRow(dt.date(2025, 1, 1), 1, "A", "1/A", None, "Công văn", "x",
                               note=" ".join(f"từ{i}" for i in range(3000)))
    pages = _pdf_text(incoming_register_pdf([huge, *incoming_rows(2)], **META))
    text = _flat(" ".join(pages[1:]))
    assert "…" in text and "từ0 từ1" in text and "từ2999" not in text
    assert "02/STNMT-VP" in text  # the rows after it still print


def test_bad_period_and_missing_font(tmp_path):
    with pytest.raises(ValidationError) as err:
        incoming_register_xlsx([], **{**META, "date_from": dt.date(2025, 2, 1),
                                      "date_to": dt.date(2025, 1, 1)})
    assert err.value.code == "invalid_date_range"
    with pytest.raises(ServiceUnavailable) as err:
        outgoing_register_pdf([], **META, font_dir=tmp_path)
    assert err.value.code == "font_missing" and err.value.status == 503
