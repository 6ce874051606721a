"""DOCX → PDF with LibreOffice, and where the number and date fields land on the result."""
from __future__ import annotations

import datetime as dt
import io
import os
import stat
import time
import zipfile
from pathlib import Path

import docx
import pypdfium2
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer, LTTextLine
from PIL import ImageFont
from pypdf import PdfReader

from edoc.drafting import (
    DATE_FIELD,
    NUMBER_FIELD,
    TEMPLATE_TYPES,
    docx_draft_to_pdf,
    docx_to_pdf,
    field_values,
    locate_number_and_date,
)
from edoc.drafting.placement import text_field_specs
from edoc.errors import ServiceUnavailable, ValidationError
from signing.formfields import add_text_fields, fill_fields

HEADINGS = {"quyet_dinh": "QUYẾT ĐỊNH", "to_trinh": "TỜ TRÌNH", "bao_cao": "BÁO CÁO",
            "thong_bao": "THÔNG BÁO", "ke_hoach": "KẾ HOẠCH", "giay_moi": "GIẤY MỜI"}
LIBERATION = "/usr/share/fonts/truetype/liberation2/LiberationSerif-{}.ttf"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _walk(container):
    for item in container:
        if isinstance(item, LTChar | LTTextLine):
            yield item
        if isinstance(item, LTContainer) and not isinstance(item, LTTextLine):
            yield from _walk(item)


def _page_one(pdf: bytes):
    page = next(extract_pages(io.BytesIO(pdf), maxpages=1))
    lines = [x for x in _walk(page) if isinstance(x, LTTextLine)]
    chars = [c for line in lines for c in line if isinstance(c, LTChar)]
    return page, lines, chars


def _line(lines, startswith: str):
    return next(line for line in lines if line.get_text().strip().startswith(startswith))


def _overlaps(box, rect) -> bool:
    x0, y0, x1, y1 = rect
    return box.x0 < x1 and box.x1 > x0 and box.y0 < y1 and box.y1 > y0


@pytest.mark.parametrize("type_key", TEMPLATE_TYPES)
def test_pdf_text_holds_the_layout_parts(converted, type_key):
    text = _text(converted[type_key].pdf)
    for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "ỦY BAN NHÂN DÂN HUYỆN", "Nơi nhận:", "Trần Thị Bình", "PHÓ CHỦ TỊCH",
                 "- Lưu: VT, VP."):
        assert part in text
    if type_key in HEADINGS:
        assert HEADINGS[type_key] in text
    # The placeholders are gone: the clerk's fields fill those lines at issuance.
    assert "……/" not in text and "tháng ……" not in text
    reader = PdfReader(io.BytesIO(converted[type_key].pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert reader.get_fields() is None  # LibreOffice adds no form fields of its own


def test_subject_and_vietnamese_text_survive(converted):
    text = " ".join(_text(converted["quyet_dinh"].pdf).split())
    assert "Về việc thành lập Tổ công tác chuyển đổi số" in text
    assert "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020;" in text
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký." in text
    cong_van = " ".join(_text(converted["cong_van"].pdf).split())
    assert "V/v triển khai phần mềm quản lý văn bản" in cong_van
    assert "Kính gửi: Ủy ban nhân dân tỉnh Phú Thọ." in cong_van


@pytest.mark.parametrize("type_key", TEMPLATE_TYPES)
def test_fields_sit_on_the_empty_number_and_date_lines(converted, type_key):
    result = converted[type_key]
    placement = result.placement
    assert placement.source == "template"
    assert placement.place == "Vĩnh Phúc"
    assert placement.covers == ()
    page, lines, chars = _page_one(result.pdf)
    width, height = page.width, page.height
    number, date = placement.number, placement.date
    assert (number.name, date.name) == (NUMBER_FIELD, DATE_FIELD)
    assert number.page == date.page == 0
    # Number: left column, just under the agency name; date: right column, under the motto.
    assert (number.rect[0] + number.rect[2]) / 2 < width / 2 < (date.rect[0] + date.rect[2]) / 2
    agency = _line(lines, "ỦY BAN NHÂN DÂN HUYỆN")
    motto = _line(lines, "Độc lập")
    assert number.rect[3] <= agency.y0 and number.rect[1] > height * 0.75
    assert date.rect[3] <= motto.y0 and date.rect[1] > height * 0.8
    assert abs((number.rect[0] + number.rect[2]) / 2 - (agency.x0 + agency.x1) / 2) < 3
    assert abs((date.rect[0] + date.rect[2]) / 2 - (motto.x0 + motto.x1) / 2) < 3
    assert not _overlaps_rect(number.rect, date.rect)
    # The lines under the fields are empty: no glyph inside either rectangle.
    assert not [c.get_text() for c in chars if _overlaps(c, number.rect) or
                _overlaps(c, date.rect)]
    assert number.font_size == date.font_size == 13 and date.italic and not number.italic


def _overlaps_rect(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def test_signature_box_between_position_and_name(converted):
    result = converted["ke_hoach"]
    _page, lines, chars = _page_one(result.pdf)
    box = result.placement.signature
    assert box is not None and box.page == 0
    position, name = _line(lines, "PHÓ CHỦ TỊCH"), _line(lines, "Trần Thị Bình")
    x0, y0, x1, y1 = box.rect
    assert position.y0 >= y1 - 1 and name.y1 <= y0 + 1 and y1 - y0 > 50
    assert x0 < (name.x0 + name.x1) / 2 < x1
    assert not [c for c in chars if _overlaps(c, box.rect)]


def test_filled_values_fit_their_fields(converted):
    placement = converted["quyet_dinh"].placement
    values = field_values(placement, number=1234, notation="QĐ-UBND",
                          issued_on=dt.date(2025, 12, 31))
    assert values == {"so_ky_hieu": "Số: 1234/QĐ-UBND",
                      "ngay_ban_hanh": "Vĩnh Phúc, ngày 31 tháng 12 năm 2025"}
    for field, style in ((placement.number, "Regular"), (placement.date, "Italic")):
        font = ImageFont.truetype(LIBERATION.format(style), size=field.font_size)
        assert font.getlength(values[field.name]) < field.rect[2] - field.rect[0]
        assert field.rect[3] - field.rect[1] >= field.font_size * 1.2


def _ink(pdf: bytes, rect) -> int:
    """Dark pixels inside ``rect`` (PDF points) of page 1, rendered with its form fields."""
    document = pypdfium2.PdfDocument(pdf)
    document.init_forms()  # pdfium draws widget appearances only with a form environment
    page = document[0]
    image = page.render(scale=2, may_draw_forms=True).to_pil().convert("L")
    height = page.get_height()
    x0, y0, x1, y1 = rect
    crop = image.crop((int(x0 * 2), int((height - y1) * 2), int(x1 * 2), int((height - y0) * 2)))
    return sum(1 for value in crop.tobytes() if value < 128)


def test_signing_fields_are_placed_and_filled(converted):
    """The hand-over to the signing package: empty fields before signing, the clerk's values
    after; the filled number and date show exactly where the placeholders were."""
    result = converted["to_trinh"]
    with_fields = add_text_fields(result.pdf, text_field_specs(result.placement))
    fields = PdfReader(io.BytesIO(with_fields)).get_fields()
    assert {NUMBER_FIELD, DATE_FIELD} <= set(fields)
    number, date = result.placement.number, result.placement.date
    assert _ink(with_fields, number.rect) == 0 and _ink(with_fields, date.rect) == 0
    values = field_values(result.placement, number=7, notation="TTr-UBND",
                          issued_on=dt.date(2025, 3, 5))
    filled = fill_fields(with_fields, values)
    fields = PdfReader(io.BytesIO(filled)).get_fields()
    assert fields[NUMBER_FIELD]["/V"] == "Số: 07/TTr-UBND"
    assert fields[DATE_FIELD]["/V"] == "Vĩnh Phúc, ngày 05 tháng 3 năm 2025"
    assert _ink(filled, number.rect) > 100 and _ink(filled, date.rect) > 100


def test_template_fields_match_the_placeholder_lines(template_docx, converted):
    """The anchors and the text search agree: convert the draft *with* its placeholders and
    find them, the fields must be on the same spots."""
    raw = docx_to_pdf(template_docx["quyet_dinh"])
    detected = locate_number_and_date(raw)
    assert detected.found == (NUMBER_FIELD, DATE_FIELD) and detected.place == "Vĩnh Phúc"
    template = converted["quyet_dinh"].placement
    for a, b in ((detected.number, template.number), (detected.date, template.date)):
        assert abs((a.rect[0] + a.rect[2]) / 2 - (b.rect[0] + b.rect[2]) / 2) < 2
        assert abs(a.rect[3] - b.rect[3]) < 4 and abs(a.rect[1] - b.rect[1]) < 4


def test_docx_without_our_anchors_falls_back_to_text_search():
    doc = docx.Document()
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "SỞ TÀI CHÍNH\nSố:       /STC-NS"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày    tháng    năm 2025"
    doc.add_paragraph("Nội dung công văn gửi các đơn vị.")
    out = io.BytesIO()
    doc.save(out)
    result = docx_draft_to_pdf(out.getvalue())
    placement = result.placement
    assert placement.source == "detected" and placement.place == "Hà Nội"
    assert len(placement.covers) == 2
    # The placeholders are painted over: the rendered cover areas are white.
    page = pypdfium2.PdfDocument(result.pdf)[0]
    image = page.render(scale=1).to_pil().convert("L")
    height = page.get_height()
    for _, (x0, y0, x1, y1) in placement.covers:
        crop = image.crop((int(x0) + 1, int(height - y1) + 1, int(x1) - 1, int(height - y0) - 1))
        assert crop.getextrema()[0] == 255
    # ... while the placeholder text is still under the paint (so there was something to hide).
    text = _text(result.pdf)
    assert "Số:" in text and "Nội dung công văn" in text


def test_pdfa_output():
    doc = docx.Document()
    doc.add_paragraph("Văn bản lưu trữ dạng PDF/A.")
    out = io.BytesIO()
    doc.save(out)
    pdf = docx_to_pdf(out.getvalue(), pdfa=True)
    metadata = PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert metadata is not None
    assert b"pdfaid:part" in metadata.stream.get_data()
    assert "Văn bản lưu trữ" in _text(pdf)


def test_corrupt_docx_is_a_clear_error():
    with pytest.raises(ValidationError) as err:
        docx_to_pdf(b"this is not a docx")
    assert err.value.code == "conversion_failed"
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    with pytest.raises(ValidationError) as err:
        docx_to_pdf(package.getvalue())  # a zip, but nothing LibreOffice can load
    assert err.value.code == "conversion_failed" and err.value.status == 422
    with pytest.raises(ValidationError) as err:
        docx_draft_to_pdf(b"PK\x03\x04 truncated")
    assert err.value.code == "invalid_docx"


def test_missing_converter_is_unavailable(tmp_path):
    with pytest.raises(ServiceUnavailable) as err:
        docx_to_pdf(b"PK\x03\x04", soffice=str(tmp_path / "no-soffice"))
    assert err.value.code == "converter_missing" and err.value.status == 503


def test_timeout_kills_the_whole_process_group(tmp_path):
    """A hung converter (here a script standing in for soffice that starts a child and
    sleeps) is killed with all its children."""
    pid_file = tmp_path / "child.pid"
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(ServiceUnavailable) as err:
        docx_to_pdf(b"PK\x03\x04", soffice=str(script), timeout=1)
    assert err.value.code == "conversion_timeout"
    child = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
            state = Path(f"/proc/{child}/stat").read_text().split()[2]
        except (ProcessLookupError, FileNotFoundError):
            break
        if state == "Z":
            break  # killed, waiting for its new parent to reap it
        time.sleep(0.1)
    else:
        pytest.fail("the converter's child process survived the timeout")
