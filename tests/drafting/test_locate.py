"""Finding the number and date lines in PDFs that were not made from our templates."""
from __future__ import annotations

import io

import pypdfium2
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from edoc.drafting import apply_covers, locate_number_and_date, pdf_draft
from edoc.errors import ValidationError

SERIF = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"


def _draft_pdf(number_line: str | None, date_line: str | None, *, top_mm: float = 32,
               format: str | tuple[float, float] = "A4") -> bytes:
    pdf = FPDF(format=format)
    pdf.add_font("Serif", "", SERIF)
    pdf.add_font("Serif", "B", SERIF_BOLD)
    pdf.add_page()
    pdf.set_font("Serif", "B", 12)
    pdf.set_xy(30, 20)
    pdf.cell(60, 6, "SỞ TÀI CHÍNH", align="C")
    pdf.set_xy(95, 20)
    pdf.cell(100, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_font("Serif", "", 13)
    if number_line:
        pdf.set_xy(30, top_mm)
        pdf.cell(60, 7, number_line, align="C")
    if date_line:
        pdf.set_xy(95, top_mm)
        pdf.cell(100, 7, date_line, align="C")
    pdf.set_xy(30, 60)
    pdf.multi_cell(165, 7, "Số liệu báo cáo ngày 05 tháng 3 năm 2025 gửi kèm theo văn bản này.")
    return bytes(pdf.output())


def _centre_x(rect) -> float:
    return (rect[0] + rect[2]) / 2


def test_finds_number_and_date_lines():
    pdf = _draft_pdf("Số:        /STC-NS", "Hà Nội, ngày      tháng      năm 2025")
    placement = locate_number_and_date(pdf)
    assert placement.source == "detected"
    assert placement.found == ("so_ky_hieu", "ngay_ban_hanh")
    assert placement.place == "Hà Nội"
    width, height = 595.28, 841.89
    mm = 72 / 25.4
    # Lines were centred in the columns 30–90 mm and 95–195 mm, 32 mm from the top.
    assert abs(_centre_x(placement.number.rect) - 60 * mm) < 3
    assert abs(_centre_x(placement.date.rect) - 145 * mm) < 3
    for field in placement.fields:
        assert field.page == 0
        assert field.rect[1] < height - 32 * mm - 7 < field.rect[3] + 12
        assert field.rect[2] <= width and field.rect[0] >= 0
        assert 12.5 <= field.font_size <= 13.5
    assert placement.date.italic and not placement.number.italic
    # The body's "ngày ... tháng ... năm" further down is not taken for the date line.
    assert placement.date.rect[1] > height * 0.8
    assert len(placement.covers) == 2


def test_date_line_without_place():
    placement = locate_number_and_date(_draft_pdf("SỐ: ...../QĐ-UBND",
                                                  "ngày ... tháng ... năm 20..."))
    assert placement.found == ("so_ky_hieu", "ngay_ban_hanh")
    assert placement.place is None


def test_partial_and_fallback():
    only_number = locate_number_and_date(_draft_pdf("Số: 12/STC-NS", None))
    assert only_number.source == "detected" and only_number.found == ("so_ky_hieu",)
    assert len(only_number.covers) == 1
    nothing = locate_number_and_date(_draft_pdf(None, None))
    assert nothing.source == "fallback" and nothing.found == () and nothing.covers == ()
    # Standard spots: number left, date right, both under the header of page 1.
    assert _centre_x(nothing.number.rect) < 595 / 2 < _centre_x(nothing.date.rect)
    assert nothing.number.rect[1] > 842 * 0.8 and nothing.date.rect[1] > 842 * 0.8


def test_fallback_scales_with_page_size():
    placement = locate_number_and_date(_draft_pdf(None, None, format=(148, 210)))
    assert placement.date.rect[2] <= 420 and placement.date.rect[3] <= 595


def test_lines_low_on_the_page_are_ignored():
    pdf = _draft_pdf("Số: 12/STC-NS", "Hà Nội, ngày 1 tháng 2 năm 2025", top_mm=200)
    placement = locate_number_and_date(pdf)
    assert placement.source == "fallback"


def test_pdf_draft_whites_out_placeholders():
    pdf = _draft_pdf("Số: ……/STC-NS", "Hà Nội, ngày …… tháng …… năm 2025")
    result = pdf_draft(pdf)
    before = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    page = pypdfium2.PdfDocument(result.pdf)[0]
    after = page.render(scale=1).to_pil().convert("L")
    height = page.get_height()
    for _, (x0, y0, x1, y1) in result.placement.covers:
        box = (int(x0) + 1, int(height - y1) + 1, int(x1) - 1, int(height - y0) - 1)
        assert before.crop(box).getextrema()[0] < 128  # there was ink
        assert after.crop(box).getextrema()[0] == 255  # now white
    # Everything else on the page is untouched.
    assert after.crop((0, 200, after.width, after.height)).tobytes() == \
        before.crop((0, 200, before.width, before.height)).tobytes()
    assert "Số liệu báo cáo" in PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()


def test_covers_refused_on_a_signed_pdf():
    pdf = _draft_pdf("Số: ……/STC-NS", "Hà Nội, ngày …… tháng …… năm 2025")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    sig_value = DictionaryObject({NameObject("/Type"): NameObject("/Sig"),
                                  NameObject("/Filter"): NameObject("/Adobe.PPKLite")})
    field = DictionaryObject({NameObject("/FT"): NameObject("/Sig"),
                              NameObject("/T"): TextStringObject("Sig1"),
                              NameObject("/V"): writer._add_object(sig_value)})
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])})
    out = io.BytesIO()
    writer.write(out)
    signed = out.getvalue()
    with pytest.raises(ValidationError) as err:
        pdf_draft(signed)
    assert err.value.code == "draft_already_signed"


def test_garbage_is_invalid_pdf():
    with pytest.raises(ValidationError) as err:
        locate_number_and_date(b"%PDF-1.4 garbage")
    assert err.value.code == "invalid_pdf"
    placement = locate_number_and_date(_draft_pdf(None, None))
    assert apply_covers(b"unchanged", placement) == b"unchanged"  # nothing to cover
